package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

func TestMigrationsApplyOnceAndReportStatus(t *testing.T) {
	ctx := context.Background()
	for _, driver := range storetest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			s, err := store.Open(ctx, storetest.DB(t, driver), storetest.Logger())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()

			before, err := s.Migrations(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(before) == 0 {
				t.Fatal("no migrations embedded")
			}
			for _, m := range before {
				if m.Applied {
					t.Fatalf("fresh database has %s applied", m.Name)
				}
			}
			applied, err := s.Migrate(ctx, "v1.2.3")
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != len(before) {
				t.Fatalf("applied %d of %d migrations", len(applied), len(before))
			}
			again, err := s.Migrate(ctx, "v9")
			if err != nil || len(again) != 0 {
				t.Fatalf("second migrate applied %v, err %v", again, err)
			}
			by, err := s.MigratedBy(ctx)
			if err != nil || by != "v1.2.3" {
				t.Fatalf("MigratedBy = %q, %v (a no-op migrate must not overwrite it)", by, err)
			}
			after, _ := s.Migrations(ctx)
			for _, m := range after {
				if !m.Applied || m.AppliedAt.IsZero() {
					t.Errorf("%s not reported applied: %+v", m.Name, m)
				}
			}
		})
	}
}

func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.Setting(ctx, "absent"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("absent setting: %v", err)
		}
		if err := s.PutSetting(ctx, "k", "one"); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSetting(ctx, "k", "two"); err != nil {
			t.Fatal(err)
		}
		if v, err := s.Setting(ctx, "k"); err != nil || v != "two" {
			t.Fatalf("Setting = %q, %v", v, err)
		}
	})
}

func TestInTxRollsBackOnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx *store.Store) error {
			if err := tx.PutSetting(ctx, "tx", "written"); err != nil {
				return err
			}
			if v, err := tx.Setting(ctx, "tx"); err != nil || v != "written" {
				t.Errorf("read inside tx = %q, %v", v, err)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v", err)
		}
		if _, err := s.Setting(ctx, "tx"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("rolled-back write is visible: %v", err)
		}
		if err := s.InTx(ctx, func(tx *store.Store) error { return tx.PutSetting(ctx, "tx", "kept") }); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.Setting(ctx, "tx"); v != "kept" {
			t.Fatalf("committed write = %q", v)
		}
	})
}

// Concurrent writers must all succeed: on SQLite they queue on the single
// writer connection instead of failing with SQLITE_BUSY.
func TestConcurrentWritesAndReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 80)
		for i := 0; i < 40; i++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				errs <- s.InTx(ctx, func(tx *store.Store) error { return tx.PutSetting(ctx, "counter", "x") })
			}()
			go func() {
				defer wg.Done()
				_, err := s.Setting(ctx, "counter")
				if apperr.Is(err, apperr.NotFound) {
					err = nil
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestPingAndClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := s.Ping(ctx); !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("ping after close: %v", err)
		}
	})
}
