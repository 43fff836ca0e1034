package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/netfault"
	"github.com/hoist-ota/hoist/internal/ota"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

// When the database cannot be reached, reads, writes and transactions fail
// with apperr Unavailable (a 503 for API callers), not an unknown error.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	db := storetest.DB(t, config.DriverMySQL)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	{ // migrate directly
		s := storetest.Open(t, db)
		s.Close()
	}
	p := netfault.Start(t, cfg.Addr)
	cfg.Addr = p.Addr()
	cfg.Timeout = 2 * time.Second
	db.DSN = cfg.FormatDSN()
	ctx := context.Background()
	s, err := store.Open(ctx, db, storetest.Logger())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.OTA().ListCampaigns(ctx, ota.CampaignFilter{}, page.Request{Num: 1, Size: 10}); err != nil {
		t.Fatal(err)
	}
	p.Cut()
	checks := map[string]func() error{
		"read": func() error {
			_, _, err := s.OTA().ListCampaigns(ctx, ota.CampaignFilter{}, page.Request{Num: 1, Size: 10})
			return err
		},
		"transaction": func() error {
			return s.OTA().Ingest(ctx, func(tx ota.IngestTx) error {
				_, err := tx.MarkNew(ctx, []ota.MessageKey{{Product: "p", Device: "d", MessageID: "m"}}, []ota.MessageKind{ota.KindStatus}, time.Now())
				return err
			})
		},
		"ping": func() error { return s.Ping(ctx) },
	}
	for name, check := range checks {
		if err := check(); !apperr.Is(err, apperr.Unavailable) {
			t.Errorf("%s with the database gone: %v (want Unavailable)", name, err)
		}
	}
}
