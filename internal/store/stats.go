package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/release"
	"github.com/hoist-ota/hoist/internal/stats"
)

type updateCheckRow struct {
	ProjectID         string `gorm:"primaryKey"`
	Day               string `gorm:"primaryKey"`
	Channel           string `gorm:"primaryKey"`
	Platform          string `gorm:"primaryKey"`
	WgtVersionCode    int64  `gorm:"primaryKey"`
	NativeVersionCode int64  `gorm:"primaryKey"`
	Result            string `gorm:"primaryKey"`
	Checks            int64
}

func (updateCheckRow) TableName() string { return "update_checks" }

type updateOfferRow struct {
	ProjectID  string `gorm:"primaryKey"`
	Day        string `gorm:"primaryKey"`
	ResourceID string `gorm:"primaryKey"`
	Offers     int64
}

func (updateOfferRow) TableName() string { return "update_offers" }

type updateDeviceRow struct {
	ProjectID    string `gorm:"primaryKey"`
	UUID         string `gorm:"primaryKey;column:uuid"`
	Platform     string
	FirstSeenDay string
	FirstSeenAt  time.Time
	SystemInfo   *string
}

func (updateDeviceRow) TableName() string { return "update_devices" }

// Stats returns the stats.Store view of s.
func (s *Store) Stats() stats.Store { return statsStore{s} }

type statsStore struct{ s *Store }

// batchRows bounds the rows of one INSERT (SQLite allows 32 766 variables).
const batchRows = 500

// addTo is the upsert assignment "col = col + the new row's col".
func (st statsStore) addTo(col string) clause.Assignment {
	if st.s.dialect == config.DriverSQLite {
		return clause.Assignment{Column: clause.Column{Name: col}, Value: gorm.Expr(col + " + excluded." + col)}
	}
	return clause.Assignment{Column: clause.Column{Name: col}, Value: gorm.Expr(col + " + VALUES(" + col + ")")}
}

func (st statsStore) AddChecks(ctx context.Context, cs []stats.CheckCount) error {
	rows := make([]updateCheckRow, len(cs))
	for i, c := range cs {
		ch := c.Channel
		if ch == "" {
			ch = release.DefaultChannel
		}
		rows[i] = updateCheckRow{c.ProjectID, c.Day, ch, c.Platform, c.WgtVersionCode, c.NativeVersionCode, c.Result, c.Checks}
	}
	err := st.s.InTx(ctx, func(tx *Store) error {
		return tx.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "project_id"}, {Name: "day"}, {Name: "channel"}, {Name: "platform"}, {Name: "wgt_version_code"}, {Name: "native_version_code"}, {Name: "result"}},
			DoUpdates: clause.Set{st.addTo("checks")},
		}).CreateInBatches(&rows, batchRows).Error
	})
	if err != nil {
		return fmt.Errorf("store: add checks: %w", err)
	}
	return nil
}

func (st statsStore) AddOffers(ctx context.Context, os []stats.OfferCount) error {
	rows := make([]updateOfferRow, len(os))
	for i, o := range os {
		rows[i] = updateOfferRow{o.ProjectID, o.Day, o.ResourceID, o.Offers}
	}
	err := st.s.InTx(ctx, func(tx *Store) error {
		return tx.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "project_id"}, {Name: "day"}, {Name: "resource_id"}},
			DoUpdates: clause.Set{st.addTo("offers")},
		}).CreateInBatches(&rows, batchRows).Error
	})
	if err != nil {
		return fmt.Errorf("store: add offers: %w", err)
	}
	return nil
}

func (st statsStore) AddDevices(ctx context.Context, ds []stats.NewDevice) error {
	rows := make([]updateDeviceRow, len(ds))
	for i, d := range ds {
		rows[i] = updateDeviceRow{ProjectID: d.ProjectID, UUID: d.UUID, Platform: d.Platform,
			FirstSeenDay: d.FirstSeen.UTC().Format(time.DateOnly), FirstSeenAt: d.FirstSeen}
		if len(d.SystemInfo) > 0 {
			s := string(d.SystemInfo)
			rows[i].SystemInfo = &s
		}
	}
	// Each (project, day) group is inserted on its own, so the rows it
	// really added (repeats are ignored) are that day's new devices.
	type group struct{ project, day string }
	groups := map[group][]updateDeviceRow{}
	for _, r := range rows {
		g := group{r.ProjectID, r.FirstSeenDay}
		groups[g] = append(groups[g], r)
	}
	err := st.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		for g, rs := range groups {
			var added int64
			for part := range slices.Chunk(rs, batchRows) {
				res := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&part)
				if res.Error != nil {
					return res.Error
				}
				added += res.RowsAffected
			}
			if added == 0 {
				continue
			}
			if err := db.Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "project_id"}, {Name: "day"}},
				DoUpdates: clause.Set{st.addTo("devices")},
			}).Create(&newDevicesRow{g.project, g.day, added}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add devices: %w", err)
	}
	return nil
}

type newDevicesRow struct {
	ProjectID string `gorm:"primaryKey"`
	Day       string `gorm:"primaryKey"`
	Devices   int64
}

func (newDevicesRow) TableName() string { return "update_new_devices" }

func (st statsStore) Report(ctx context.Context, projectID, from, to, channel string) (stats.Report, error) {
	r := stats.Report{From: from, To: to}
	db := st.s.rdb.WithContext(ctx)
	checks := func() *gorm.DB {
		q := db.Model(&updateCheckRow{}).Where("project_id = ? AND day BETWEEN ? AND ?", projectID, from, to)
		if channel != "" {
			q = q.Where("channel = ?", channel)
		}
		return q
	}
	// Offers and downloads are counted per resource, which is of one
	// channel.
	ofChannel := func(q *gorm.DB) *gorm.DB {
		if channel == "" {
			return q
		}
		return q.Where("resource_id IN (?)", db.Model(&resourceRow{}).Select("id").
			Where("project_id = ? AND channel = ?", projectID, channel))
	}
	queries := []struct {
		what string
		run  func() error
	}{
		{"days", func() error {
			return checks().Select("day, SUM(checks) AS count").Group("day").Order("day").Scan(&r.ChecksPerDay).Error
		}},
		{"channels", func() error {
			return checks().Select("channel AS `key`, SUM(checks) AS count").Group("channel").Order("count DESC").Scan(&r.Channels).Error
		}},
		{"platforms", func() error {
			return checks().Select("platform AS `key`, SUM(checks) AS count").Group("platform").Order("count DESC").Scan(&r.Platforms).Error
		}},
		{"results", func() error {
			return checks().Select("result AS `key`, SUM(checks) AS count").Group("result").Order("count DESC").Scan(&r.Results).Error
		}},
		{"wgt versions", func() error {
			return checks().Select("wgt_version_code AS version_code, SUM(checks) AS count").Group("wgt_version_code").Order("version_code DESC").Scan(&r.WgtVersions).Error
		}},
		{"native versions", func() error {
			return checks().Select("native_version_code AS version_code, SUM(checks) AS count").Group("native_version_code").Order("version_code DESC").Scan(&r.NativeVersions).Error
		}},
		{"offers", func() error {
			return ofChannel(db.Model(&updateOfferRow{}).Where("project_id = ? AND day BETWEEN ? AND ?", projectID, from, to)).
				Select("resource_id AS `key`, SUM(offers) AS count").Group("resource_id").Order("count DESC").Scan(&r.Offers).Error
		}},
		{"downloads", func() error {
			return ofChannel(db.Model(&updateDownloadRow{}).Where("project_id = ? AND day BETWEEN ? AND ?", projectID, from, to)).
				Select("resource_id AS `key`, SUM(downloads) AS count").Group("resource_id").Order("count DESC").Scan(&r.Downloads).Error
		}},
		{"new devices", func() error {
			return db.Model(&newDevicesRow{}).Where("project_id = ? AND day BETWEEN ? AND ?", projectID, from, to).
				Select("day, devices AS count").Order("day").Scan(&r.NewDevicesPerDay).Error
		}},
	}
	for _, q := range queries {
		if err := q.run(); err != nil {
			return stats.Report{}, fmt.Errorf("store: stats %s: %w", q.what, err)
		}
	}
	return r, nil
}
