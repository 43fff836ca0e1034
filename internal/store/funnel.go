package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/stats"
)

type funnelSketchRow struct {
	ResourceID string `gorm:"primaryKey"`
	Day        int32  `gorm:"primaryKey"`
	Step       uint8  `gorm:"primaryKey"`
	Encoding   []byte
}

func (funnelSketchRow) TableName() string { return "funnel_sketches" }

type funnelPendingRow struct {
	ResourceID string `gorm:"primaryKey"`
	DeviceHash int64  `gorm:"primaryKey"`
	Checks     int
	Day        int32
}

func (funnelPendingRow) TableName() string { return "funnel_pending" }

// Funnel returns the stats.FunnelStore view of s.
func (s *Store) Funnel() stats.FunnelStore { return statsStore{s} }

// MergeFunnelSketches reads, merges and writes each sketch under a row
// lock (MariaDB) or the write transaction (SQLite), so two nodes flushing
// the same day never lose each other's devices.
func (st statsStore) MergeFunnelSketches(ctx context.Context, ms []stats.SketchMerge) error {
	err := st.s.InTx(ctx, func(tx *Store) error {
		for _, m := range ms {
			where := []any{"resource_id = ? AND day = ? AND step = ?", m.ResourceID, m.Day, uint8(m.Step)}
			err := mergeSketch(tx.db.WithContext(ctx), where, m.Merge,
				func(r *funnelSketchRow) []byte { return r.Encoding },
				func(enc []byte) *funnelSketchRow { return &funnelSketchRow{m.ResourceID, m.Day, uint8(m.Step), enc} })
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: merge funnel sketches: %w", err)
	}
	return nil
}

// mergeSketch merges one sketch row (where selects it) in the
// transaction of db: the stored encoding is read under a row lock,
// merged and written back; a missing row is inserted, and when another
// node inserted it meanwhile (no row to lock), merged into that one.
func mergeSketch[R any](db *gorm.DB, where []any, merge func([]byte) ([]byte, error), encoding func(*R) []byte, row func([]byte) *R) error {
	update := func(enc []byte) error {
		return db.Model(new(R)).Where(where[0], where[1:]...).Update("encoding", enc).Error
	}
	var r R
	err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, where...).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	if err == nil {
		enc, err := merge(encoding(&r))
		if err != nil {
			return err
		}
		return update(enc)
	}
	enc, err := merge(nil)
	if err != nil {
		return err
	}
	res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(row(enc))
	if res.Error != nil || res.RowsAffected == 1 {
		return res.Error
	}
	if err := db.Take(&r, where...).Error; err != nil {
		return err
	}
	if enc, err = merge(encoding(&r)); err != nil {
		return err
	}
	return update(enc)
}

// FunnelSketches returns a release's sketches of the days from..to.
func (st statsStore) FunnelSketches(ctx context.Context, resourceID string, from, to int32) ([]stats.StoredSketch, error) {
	var rows []funnelSketchRow
	if err := st.s.db.WithContext(ctx).Where("resource_id = ? AND day BETWEEN ? AND ?", resourceID, from, to).
		Order("day, step").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: funnel sketches: %w", err)
	}
	out := make([]stats.StoredSketch, len(rows))
	for i, r := range rows {
		out[i] = stats.StoredSketch{Day: r.Day, Step: stats.Step(r.Step), Encoding: r.Encoding}
	}
	return out, nil
}

// ApplyFunnelPending applies the waits' changes and takes out those that
// reached minChecks, in one transaction: the checks before a download go
// to waits that exist, then downloads start the waits that do not, then
// the checks after a download are added. Changes are grouped into a few
// statements (IN lists of batchRows), whatever the number of devices.
func (st statsStore) ApplyFunnelPending(ctx context.Context, cs []stats.PendingChange, minChecks int) ([]stats.PendingChange, error) {
	type group struct {
		resource string
		checks   int
	}
	var (
		downloads     []funnelPendingRow
		applied       = map[string][]int64{}
		before, after = map[group][]int64{}, map[group][]int64{}
		touched       = map[string]bool{}
	)
	for _, c := range cs {
		h := int64(c.Hash)
		touched[c.ResourceID] = true
		if c.Applied {
			applied[c.ResourceID] = append(applied[c.ResourceID], h)
			continue
		}
		if c.Before > 0 {
			before[group{c.ResourceID, c.Before}] = append(before[group{c.ResourceID, c.Before}], h)
		}
		if c.Downloaded {
			downloads = append(downloads, funnelPendingRow{c.ResourceID, h, 0, c.Day})
		}
		if c.After > 0 {
			after[group{c.ResourceID, c.After}] = append(after[group{c.ResourceID, c.After}], h)
		}
	}
	add := func(db *gorm.DB, gs map[group][]int64) error {
		for g, hs := range gs {
			for part := range slices.Chunk(hs, batchRows) {
				if err := db.Model(&funnelPendingRow{}).Where("resource_id = ? AND device_hash IN ?", g.resource, part).
					Update("checks", gorm.Expr("checks + ?", g.checks)).Error; err != nil {
					return err
				}
			}
		}
		return nil
	}
	var done []stats.PendingChange
	err := st.s.InTx(ctx, func(tx *Store) error {
		done = done[:0]
		db := tx.db.WithContext(ctx)
		if err := add(db, before); err != nil {
			return err
		}
		if len(downloads) > 0 {
			if err := db.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&downloads, batchRows).Error; err != nil {
				return err
			}
		}
		if err := add(db, after); err != nil {
			return err
		}
		for id, hs := range applied {
			for part := range slices.Chunk(hs, batchRows) {
				if err := db.Where("resource_id = ? AND device_hash IN ?", id, part).Delete(&funnelPendingRow{}).Error; err != nil {
					return err
				}
			}
		}
		for id := range touched {
			var rows []funnelPendingRow
			if err := db.Where("resource_id = ? AND checks >= ?", id, minChecks).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				continue
			}
			if err := db.Where("resource_id = ? AND checks >= ?", id, minChecks).Delete(&funnelPendingRow{}).Error; err != nil {
				return err
			}
			for _, r := range rows {
				done = append(done, stats.PendingChange{ResourceID: r.ResourceID, Hash: uint64(r.DeviceHash), Day: r.Day})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: funnel waits: %w", err)
	}
	return done, nil
}

type versionSketchRow struct {
	ProjectID   string `gorm:"primaryKey"`
	Channel     string `gorm:"primaryKey"`
	Day         int32  `gorm:"primaryKey"`
	VersionCode int64  `gorm:"primaryKey"`
	Encoding    []byte
}

func (versionSketchRow) TableName() string { return "version_sketches" }

// MergeVersionSketches reads, merges and writes each version sketch in one
// transaction (row locks on MariaDB), like MergeFunnelSketches.
func (st statsStore) MergeVersionSketches(ctx context.Context, ms []stats.VersionMerge) error {
	err := st.s.InTx(ctx, func(tx *Store) error {
		for _, m := range ms {
			where := []any{"project_id = ? AND channel = ? AND day = ? AND version_code = ?", m.ProjectID, m.Channel, m.Day, m.VersionCode}
			err := mergeSketch(tx.db.WithContext(ctx), where, m.Merge,
				func(r *versionSketchRow) []byte { return r.Encoding },
				func(enc []byte) *versionSketchRow {
					return &versionSketchRow{m.ProjectID, m.Channel, m.Day, m.VersionCode, enc}
				})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: merge version sketches: %w", err)
	}
	return nil
}

// VersionSketches returns a project's version sketches of the days from..to.
func (st statsStore) VersionSketches(ctx context.Context, projectID, channel string, from, to int32) ([]stats.StoredVersionSketch, error) {
	q := st.s.db.WithContext(ctx).Where("project_id = ? AND day BETWEEN ? AND ?", projectID, from, to)
	if channel != "" {
		q = q.Where("channel = ?", channel)
	}
	var rows []versionSketchRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: version sketches: %w", err)
	}
	out := make([]stats.StoredVersionSketch, len(rows))
	for i, r := range rows {
		out[i] = stats.StoredVersionSketch{VersionCode: r.VersionCode, Encoding: r.Encoding}
	}
	return out, nil
}
