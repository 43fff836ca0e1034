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
		db := tx.db.WithContext(ctx)
		for _, m := range ms {
			var r funnelSketchRow
			err := db.Clauses(clause.Locking{Strength: "UPDATE"}).
				Take(&r, "resource_id = ? AND day = ? AND step = ?", m.ResourceID, m.Day, uint8(m.Step)).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			found := err == nil
			enc, err := m.Merge(r.Encoding)
			if err != nil {
				return err
			}
			if found {
				err = db.Model(&funnelSketchRow{}).
					Where("resource_id = ? AND day = ? AND step = ?", m.ResourceID, m.Day, uint8(m.Step)).
					Update("encoding", enc).Error
			} else {
				// Another node may insert the same row meanwhile (no row to
				// lock): merge into its row instead of failing.
				err = db.Clauses(clause.OnConflict{DoNothing: true}).
					Create(&funnelSketchRow{m.ResourceID, m.Day, uint8(m.Step), enc}).Error
				if err == nil {
					var again funnelSketchRow
					if err = db.Take(&again, "resource_id = ? AND day = ? AND step = ?", m.ResourceID, m.Day, uint8(m.Step)).Error; err == nil && string(again.Encoding) != string(enc) {
						if enc, err = m.Merge(again.Encoding); err == nil {
							err = db.Model(&funnelSketchRow{}).
								Where("resource_id = ? AND day = ? AND step = ?", m.ResourceID, m.Day, uint8(m.Step)).
								Update("encoding", enc).Error
						}
					}
				}
			}
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
// reached minChecks, in one transaction. Changes are grouped into a few
// statements (IN lists of batchRows), whatever the number of devices.
func (st statsStore) ApplyFunnelPending(ctx context.Context, cs []stats.PendingChange, minChecks int) ([]stats.PendingChange, error) {
	type group struct {
		resource string
		checks   int
	}
	var (
		downloads []funnelPendingRow
		applied   = map[string][]int64{}
		further   = map[group][]int64{}
		touched   = map[string]bool{}
	)
	for _, c := range cs {
		h := int64(c.Hash)
		switch {
		case c.Applied:
			applied[c.ResourceID] = append(applied[c.ResourceID], h)
		case c.Downloaded:
			downloads = append(downloads, funnelPendingRow{c.ResourceID, h, c.OldChecks, c.Day})
		default:
			further[group{c.ResourceID, c.OldChecks}] = append(further[group{c.ResourceID, c.OldChecks}], h)
		}
		touched[c.ResourceID] = true
	}
	var done []stats.PendingChange
	err := st.s.InTx(ctx, func(tx *Store) error {
		done = done[:0]
		db := tx.db.WithContext(ctx)
		if len(downloads) > 0 {
			if err := db.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "resource_id"}, {Name: "device_hash"}},
				DoUpdates: clause.AssignmentColumns([]string{"checks", "day"}),
			}).CreateInBatches(&downloads, batchRows).Error; err != nil {
				return err
			}
		}
		for g, hs := range further {
			for part := range slices.Chunk(hs, batchRows) {
				if err := db.Model(&funnelPendingRow{}).Where("resource_id = ? AND device_hash IN ?", g.resource, part).
					Update("checks", gorm.Expr("checks + ?", g.checks)).Error; err != nil {
					return err
				}
			}
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
