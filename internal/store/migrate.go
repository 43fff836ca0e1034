package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/migrations"
)

// Migration is one schema migration and whether it has been applied.
type Migration struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time // zero when not applied
}

// settingMigratedBy records which Hoist version last applied migrations.
const settingMigratedBy = "schema.migratedBy"

func (s *Store) provider() (*goose.Provider, error) {
	dialect := goose.DialectMySQL
	if s.dialect == config.DriverSQLite {
		dialect = goose.DialectSQLite3
	}
	sub, err := fs.Sub(migrations.FS, s.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migrations for %s: %w", s.dialect, err)
	}
	db, err := s.sqlDB()
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	p, err := goose.NewProvider(dialect, db, sub)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration in order and returns the ones it
// applied (none when the schema is current). version is recorded as the
// Hoist version that last migrated the schema.
func (s *Store) Migrate(ctx context.Context, version string) ([]Migration, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	var applied []Migration
	for _, r := range results {
		if r.Error == nil && !r.Empty {
			applied = append(applied, Migration{Version: r.Source.Version, Name: r.Source.Path, Applied: true})
		}
	}
	if err != nil {
		var partial *goose.PartialError
		if errors.As(err, &partial) && partial.Failed != nil {
			return applied, fmt.Errorf("store: migration %s failed: %w", partial.Failed.Source.Path, partial.Err)
		}
		return applied, fmt.Errorf("store: migrate: %w", err)
	}
	if len(applied) > 0 {
		if err := s.PutSetting(ctx, settingMigratedBy, version); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// Migrations lists every known migration with its state, oldest first.
func (s *Store) Migrations(ctx context.Context) ([]Migration, error) {
	p, err := s.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]Migration, len(st))
	for i, m := range st {
		out[i] = Migration{Version: m.Source.Version, Name: m.Source.Path, Applied: m.State == goose.StateApplied, AppliedAt: m.AppliedAt}
	}
	return out, nil
}

// MigratedBy returns the Hoist version that last applied migrations, or an
// apperr NotFound error before the first migration.
func (s *Store) MigratedBy(ctx context.Context) (string, error) {
	return s.Setting(ctx, settingMigratedBy)
}
