package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/release"
)

type deploymentKeyRow struct {
	DeploymentKey string `gorm:"primaryKey"`
	ProjectID     string
	Channel       string
	Platform      string
	CreatedAt     time.Time
}

func (deploymentKeyRow) TableName() string { return "codepush_deployment_keys" }

type codePushDiffRow struct {
	ResourceID string `gorm:"primaryKey"`
	BaseHash   string `gorm:"primaryKey"`
	StorageKey string
	Size       int64
	CreatedAt  time.Time
}

func (codePushDiffRow) TableName() string { return "codepush_diffs" }

func (rs releases) DeploymentKeys(ctx context.Context, projectID string) ([]release.DeploymentKey, error) {
	var rows []deploymentKeyRow
	q := rs.s.rdb.WithContext(ctx)
	if projectID != "" {
		q = q.Where("project_id = ?", projectID)
	}
	if err := q.Order("project_id, channel, platform").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: deployment keys: %w", translate(err, "deployment key"))
	}
	out := make([]release.DeploymentKey, len(rows))
	for i, r := range rows {
		out[i] = release.DeploymentKey{Key: r.DeploymentKey, ProjectID: r.ProjectID, Channel: r.Channel,
			Platform: release.Platform(r.Platform), CreatedTime: r.CreatedAt.UTC()}
	}
	return out, nil
}

func (rs releases) PutDeploymentKey(ctx context.Context, k release.DeploymentKey, replace bool) error {
	row := deploymentKeyRow{DeploymentKey: k.Key, ProjectID: k.ProjectID, Channel: k.Channel, Platform: string(k.Platform), CreatedAt: k.CreatedTime}
	return rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		if replace {
			if err := db.Where("project_id = ? AND channel = ? AND platform = ?", k.ProjectID, k.Channel, string(k.Platform)).
				Delete(&deploymentKeyRow{}).Error; err != nil {
				return fmt.Errorf("store: rotate deployment key: %w", translate(err, "deployment key"))
			}
			return db.Create(&row).Error
		}
		// A concurrent creator of the same deployment wins; ours is dropped.
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
			return fmt.Errorf("store: create deployment key: %w", translate(err, "deployment key"))
		}
		return nil
	})
}

func (rs releases) CodePushResources(ctx context.Context, projectID string) ([]release.Resource, error) {
	var rows []resourceRow
	if err := rs.s.rdb.WithContext(ctx).Where("project_id = ? AND type IN ?", projectID,
		[]int{int(release.TypeCodePushAndroid), int(release.TypeCodePushIOS)}).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: codepush resources: %w", translate(err, "resource"))
	}
	return toResources(rows), nil
}

func (rs releases) CodePushDiff(ctx context.Context, resourceID, baseHash string) (release.CodePushDiff, error) {
	var r codePushDiffRow
	if err := rs.s.rdb.WithContext(ctx).Take(&r, "resource_id = ? AND base_hash = ?", resourceID, baseHash).Error; err != nil {
		return release.CodePushDiff{}, fmt.Errorf("store: codepush diff: %w", translate(err, "diff"))
	}
	return release.CodePushDiff{ResourceID: r.ResourceID, BaseHash: r.BaseHash, StorageKey: r.StorageKey, Size: r.Size}, nil
}

func (rs releases) CreateCodePushDiff(ctx context.Context, d release.CodePushDiff) error {
	row := codePushDiffRow{ResourceID: d.ResourceID, BaseHash: d.BaseHash, StorageKey: d.StorageKey, Size: d.Size, CreatedAt: time.Now().UTC()}
	if err := rs.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: record codepush diff: %w", translate(err, "diff"))
	}
	return nil
}

// deleteDiffsOf deletes, in db's transaction, the diff packages that no
// device can be sent once r (a CodePush release) is deleted, and returns
// their storage keys: the diffs to r, and the diffs from r's package to a
// later release of its deployment unless another release of the
// deployment below that one has the same package (the update check only
// serves a diff from a release of the deployment older than its target).
// A diff being built while r is deleted may be recorded after this; it is
// never served and goes with its target.
func deleteDiffsOf(db *gorm.DB, r release.Resource) ([]string, error) {
	var diffs []codePushDiffRow
	if err := db.Where("resource_id = ?", r.ID).Find(&diffs).Error; err != nil {
		return nil, fmt.Errorf("store: diffs of %s: %w", r.ID, err)
	}
	if r.PackageHash != "" {
		var dep []resourceRow
		if err := db.Select("id", "version_code", "package_hash", "storage_key").
			Where("project_id = ? AND channel = ? AND type = ?", r.ProjectID, r.Channel, int(r.Type)).Find(&dep).Error; err != nil {
			return nil, fmt.Errorf("store: deployment of %s: %w", r.ID, err)
		}
		var from []codePushDiffRow
		if err := db.Where("base_hash = ? AND resource_id IN (?)", r.PackageHash,
			db.Model(&resourceRow{}).Select("id").Where("project_id = ? AND channel = ? AND type = ?", r.ProjectID, r.Channel, int(r.Type))).
			Find(&from).Error; err != nil {
			return nil, fmt.Errorf("store: diffs from %s: %w", r.ID, err)
		}
		for _, d := range from {
			if d.ResourceID != r.ID && !otherBase(dep, r.ID, d) {
				diffs = append(diffs, d)
			}
		}
	}
	keys := make([]string, 0, len(diffs))
	for _, d := range diffs {
		if err := db.Delete(&codePushDiffRow{}, "resource_id = ? AND base_hash = ?", d.ResourceID, d.BaseHash).Error; err != nil {
			return nil, fmt.Errorf("store: delete diff: %w", err)
		}
		keys = append(keys, d.StorageKey)
	}
	return keys, nil
}

// otherBase reports whether a release of the deployment dep other than
// the deleted one can still be the base of diff d.
func otherBase(dep []resourceRow, deleted string, d codePushDiffRow) bool {
	var target int64 = -1
	for _, x := range dep {
		if x.ID == d.ResourceID {
			target = x.VersionCode
		}
	}
	for _, x := range dep {
		if x.ID != deleted && x.PackageHash == d.BaseHash && x.VersionCode < target && x.StorageKey != nil {
			return true
		}
	}
	return false
}

type codePushMetricRow struct {
	ProjectID  string `gorm:"primaryKey"`
	Channel    string `gorm:"primaryKey"`
	Platform   string `gorm:"primaryKey"`
	Label      string `gorm:"primaryKey"`
	Active     int64
	Downloaded int64
	Installed  int64
	Failed     int64
}

func (codePushMetricRow) TableName() string { return "codepush_metrics" }

func (rs releases) AddCodePushMetrics(ctx context.Context, ds []release.LabelDelta) error {
	rows := make([]codePushMetricRow, len(ds))
	for i, d := range ds {
		rows[i] = codePushMetricRow{d.ProjectID, d.Channel, string(d.Platform), d.Label, d.Active, d.Downloaded, d.Installed, d.Failed}
	}
	st := statsStore{rs.s}
	err := rs.s.InTx(ctx, func(tx *Store) error {
		return tx.db.WithContext(ctx).Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "project_id"}, {Name: "channel"}, {Name: "platform"}, {Name: "label"}},
			DoUpdates: clause.Set{st.addTo("active"), st.addTo("downloaded"), st.addTo("installed"), st.addTo("failed")},
		}).CreateInBatches(&rows, batchRows).Error
	})
	if err != nil {
		return fmt.Errorf("store: add codepush metrics: %w", translate(err, "metrics"))
	}
	return nil
}

func (rs releases) CodePushMetrics(ctx context.Context, k release.LabelKey) (release.LabelMetrics, error) {
	var rows []codePushMetricRow
	if err := rs.s.rdb.WithContext(ctx).Where("project_id = ? AND channel = ? AND platform = ? AND label = ?",
		k.ProjectID, k.Channel, string(k.Platform), k.Label).Find(&rows).Error; err != nil {
		return release.LabelMetrics{}, fmt.Errorf("store: codepush metrics: %w", translate(err, "metrics"))
	}
	if len(rows) == 0 {
		return release.LabelMetrics{}, nil
	}
	r := rows[0]
	return release.LabelMetrics{Active: r.Active, Downloaded: r.Downloaded, Installed: r.Installed, Failed: r.Failed}, nil
}
