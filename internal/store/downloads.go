package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/stats"
)

type updateDownloadRow struct {
	ProjectID  string `gorm:"primaryKey"`
	Day        string `gorm:"primaryKey"`
	ResourceID string `gorm:"primaryKey"`
	Downloads  int64
}

func (updateDownloadRow) TableName() string { return "update_downloads" }

// Downloads returns the stats.DownloadStore view of s.
func (s *Store) Downloads() stats.DownloadStore { return statsStore{s} }

func (st statsStore) AddDownloads(ctx context.Context, ds []stats.DownloadCount) error {
	rows := make([]updateDownloadRow, len(ds))
	for i, d := range ds {
		rows[i] = updateDownloadRow{d.ProjectID, d.Day, d.ResourceID, d.Downloads}
	}
	err := st.s.InTx(ctx, func(tx *Store) error {
		return tx.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "project_id"}, {Name: "day"}, {Name: "resource_id"}},
			DoUpdates: clause.Set{st.addTo("downloads")},
		}).CreateInBatches(&rows, batchRows).Error
	})
	if err != nil {
		return fmt.Errorf("store: add downloads: %w", err)
	}
	return nil
}
