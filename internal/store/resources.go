package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/release"
)

type fileRow struct {
	StorageKey  string `gorm:"primaryKey"`
	ProjectID   string
	Name        string
	Size        int64
	MD5         string `gorm:"column:md5"`
	SHA256      string `gorm:"column:sha256"`
	Kind        string
	ContentType string
	CreatedBy   string
	CreatedAt   time.Time
	// PackageVersion and PackageVersionCode are what the package declares.
	PackageVersion     string
	PackageVersionCode int64
}

func (fileRow) TableName() string { return "files" }

type resourceRow struct {
	ID                string `gorm:"primaryKey"`
	ProjectID         string
	Type              int
	Version           string
	VersionCode       int64
	NativeVersionCode int64
	URL               string `gorm:"column:url"`
	StorageKey        *string
	Size              int64
	MD5               string `gorm:"column:md5"`
	SHA256            string `gorm:"column:sha256"`
	UpdateType        int
	Status            int
	Changelog         string
	Remark            string
	RolloutPercent    int
	Product           string
	Channel           string
	Origin            string
	OriginID          string
	OriginVersionCode int64
	Label             string
	TargetBinaryRange string
	PackageHash       string
	CreatedBy         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

func (resourceRow) TableName() string { return "resources" }

func fromResource(r release.Resource) resourceRow {
	row := resourceRow{ID: r.ID, ProjectID: r.ProjectID, Type: int(r.Type), Version: r.Version, VersionCode: r.VersionCode,
		NativeVersionCode: r.NativeVersionCode, URL: r.URL, Size: r.Size, MD5: r.MD5, SHA256: r.SHA256,
		UpdateType: int(r.UpdateType), Status: int(r.Status), Changelog: r.Changelog, Remark: r.Remark,
		RolloutPercent: r.RolloutPercent, Product: r.Product, Channel: r.Channel, Origin: r.Origin, OriginID: r.OriginID,
		OriginVersionCode: r.OriginVersionCode, Label: r.Label, TargetBinaryRange: r.TargetBinaryRange, PackageHash: r.PackageHash,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedTime, UpdatedAt: r.UpdatedTime}
	if row.Channel == "" {
		row.Channel = release.DefaultChannel
	}
	if r.StorageKey != "" {
		row.StorageKey = &r.StorageKey
	}
	return row
}

func (row resourceRow) toResource() release.Resource {
	r := release.Resource{ID: row.ID, ProjectID: row.ProjectID, Type: release.Type(row.Type), Version: row.Version,
		VersionCode: row.VersionCode, NativeVersionCode: row.NativeVersionCode, URL: row.URL, Size: row.Size, MD5: row.MD5,
		SHA256: row.SHA256, UpdateType: release.UpdateType(row.UpdateType), Status: release.Status(row.Status),
		Changelog: row.Changelog, Remark: row.Remark, RolloutPercent: row.RolloutPercent, Product: row.Product,
		Channel: row.Channel, Origin: row.Origin, OriginID: row.OriginID, OriginVersionCode: row.OriginVersionCode,
		Label: row.Label, TargetBinaryRange: row.TargetBinaryRange, PackageHash: row.PackageHash, CreatedBy: row.CreatedBy, CreatedTime: row.CreatedAt.UTC(), UpdatedTime: row.UpdatedAt.UTC()}
	if row.StorageKey != nil {
		r.StorageKey = *row.StorageKey
	}
	return r
}

func toResources(rows []resourceRow) []release.Resource {
	out := make([]release.Resource, len(rows))
	for i, r := range rows {
		out[i] = r.toResource()
	}
	return out
}

// Releases returns the release.Store view of s.
func (s *Store) Releases() release.Store { return releases{s} }

type releases struct{ s *Store }

func (rs releases) CreateFile(ctx context.Context, f release.File) error {
	row := fileRow{StorageKey: f.Key, ProjectID: f.ProjectID, Name: f.Name, Size: f.Size, MD5: f.MD5, SHA256: f.SHA256,
		Kind: string(f.Kind), ContentType: f.ContentType, CreatedBy: f.CreatedBy, CreatedAt: f.CreatedTime,
		PackageVersion: f.Version, PackageVersionCode: f.VersionCode}
	if err := rs.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create file: %w", translate(err, "file"))
	}
	return nil
}

func (rs releases) File(ctx context.Context, key string) (release.File, error) {
	var r fileRow
	if err := rs.s.rdb.WithContext(ctx).Take(&r, "storage_key = ?", key).Error; err != nil {
		return release.File{}, fmt.Errorf("store: file: %w", translate(err, "file"))
	}
	return release.File{Key: r.StorageKey, ProjectID: r.ProjectID, Name: r.Name, Size: r.Size, MD5: r.MD5, SHA256: r.SHA256,
		Kind: release.FileKind(r.Kind), ContentType: r.ContentType, CreatedBy: r.CreatedBy, CreatedTime: r.CreatedAt.UTC(),
		Version: r.PackageVersion, VersionCode: r.PackageVersionCode}, nil
}

func (rs releases) CreateResource(ctx context.Context, r release.Resource, check func(*release.Resource, int64, []int64) error) error {
	if r.Channel == "" {
		r.Channel = release.DefaultChannel
	}
	return rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		if r.Channel != release.DefaultChannel {
			// A channel being deleted waits for this insert, or this
			// insert finds it gone.
			var ch channelRow
			if err := db.Clauses(clause.Locking{Strength: "SHARE"}).
				Take(&ch, "project_id = ? AND name = ?", r.ProjectID, r.Channel).Error; err != nil {
				return fmt.Errorf("store: channel %s: %w", r.Channel, translate(err, "channel"))
			}
		}
		maxCode, err := lockedMaxCode(db, r)
		if err != nil {
			return err
		}
		var natives []int64
		if r.Type.IsWgt() {
			if err := db.Model(&resourceRow{}).Where("project_id = ? AND type = ? AND channel IN ?", r.ProjectID,
				int(r.Type.NativeFor()), []string{r.Channel, release.DefaultChannel}).Pluck("version_code", &natives).Error; err != nil {
				return fmt.Errorf("store: native codes: %w", err)
			}
		}
		if err := check(&r, maxCode, natives); err != nil {
			return err
		}
		row := fromResource(r)
		if err := db.Create(&row).Error; err != nil {
			return fmt.Errorf("store: create resource: %w", translate(err, "resource"))
		}
		return nil
	})
}

// lockedMaxCode returns the highest versionCode of r's project, channel and
// type (0 if none) with one read of the unique index, locking that entry
// and, on MySQL, the gap above it (a next-key lock), so that a concurrent
// create in the same channel and type waits and then sees this one. SQLite
// has one writer: the transaction itself serialises creates.
func lockedMaxCode(db *gorm.DB, r release.Resource) (int64, error) {
	var codes []int64
	if err := db.Model(&resourceRow{}).Clauses(clause.Locking{Strength: "UPDATE"}).
		Where("project_id = ? AND channel = ? AND type = ?", r.ProjectID, r.Channel, int(r.Type)).
		Order("version_code DESC").Limit(1).Pluck("version_code", &codes).Error; err != nil {
		return 0, fmt.Errorf("store: resource codes: %w", err)
	}
	if len(codes) == 0 {
		return 0, nil
	}
	return codes[0], nil
}

func (rs releases) RollbackResource(ctx context.Context, id string, now time.Time,
	plan func(bad release.Resource, prev *release.Resource, maxCode int64) (*release.Resource, error)) (release.Rolled, error) {
	var out release.Rolled
	err := rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var row resourceRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: resource %s: %w", id, translate(err, "resource"))
		}
		bad := row.toResource()
		maxCode, err := lockedMaxCode(db, bad)
		if err != nil {
			return err
		}
		var prevRows []resourceRow
		if err := db.Where("project_id = ? AND channel = ? AND type = ? AND native_version_code = ? AND status = ? AND version_code < ?",
			bad.ProjectID, bad.Channel, int(bad.Type), bad.NativeVersionCode, int(release.StatusEnabled), bad.VersionCode).
			Order("version_code DESC").Limit(1).Find(&prevRows).Error; err != nil {
			return fmt.Errorf("store: previous of %s: %w", id, err)
		}
		var prev *release.Resource
		if len(prevRows) == 1 {
			p := prevRows[0].toResource()
			prev = &p
		}
		next, err := plan(bad, prev, maxCode)
		if err != nil {
			return err
		}
		if err := db.Model(&resourceRow{ID: id}).Updates(map[string]any{"status": int(release.StatusDisabled), "updated_at": now}).Error; err != nil {
			return fmt.Errorf("store: withdraw %s: %w", id, err)
		}
		bad.Status, bad.UpdatedTime = release.StatusDisabled, now.UTC()
		out = release.Rolled{Withdrawn: bad, Republished: next}
		if next == nil {
			return nil
		}
		nr := fromResource(*next)
		if err := db.Create(&nr).Error; err != nil {
			return fmt.Errorf("store: create rollback: %w", translate(err, "resource"))
		}
		return nil
	})
	return out, err
}

func (rs releases) Resource(ctx context.Context, id string) (release.Resource, error) {
	var r resourceRow
	if err := rs.s.rdb.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return release.Resource{}, fmt.Errorf("store: resource %s: %w", id, translate(err, "resource"))
	}
	return r.toResource(), nil
}

func (rs releases) ListResources(ctx context.Context, projectID string, f release.Filter, pg page.Request) ([]release.Resource, int64, error) {
	q := rs.s.rdb.WithContext(ctx).Model(&resourceRow{}).Where("project_id = ?", projectID)
	if f.Type != 0 {
		q = q.Where("type = ?", int(f.Type))
	}
	if f.Status != nil {
		q = q.Where("status = ?", int(*f.Status))
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	rows, total, err := listPage[resourceRow](q, pg, listing{what: "resources",
		sort: map[string]string{"createdTime": "created_at", "versionCode": "version_code"}})
	return toResources(rows), total, err
}

func (rs releases) EnabledResources(ctx context.Context, projectID string) ([]release.Resource, error) {
	var rows []resourceRow
	if err := rs.s.rdb.WithContext(ctx).Where("project_id = ? AND status = ?", projectID, int(release.StatusEnabled)).
		Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: enabled resources: %w", err)
	}
	return toResources(rows), nil
}

func (rs releases) AppResources(ctx context.Context, projectID string) ([]release.Resource, error) {
	var rows []resourceRow
	if err := rs.s.rdb.WithContext(ctx).Where("project_id = ? AND type IN ?", projectID,
		[]int{int(release.TypeWgtAndroid), int(release.TypeWgtIOS), int(release.TypeAndroid), int(release.TypeIOS)}).
		Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("store: app resources: %w", err)
	}
	return toResources(rows), nil
}

func (rs releases) UpdateResource(ctx context.Context, id string, fn func(*release.Resource) error) (release.Resource, error) {
	var out release.Resource
	err := rs.s.InTx(ctx, func(tx *Store) error {
		var row resourceRow
		if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: resource %s: %w", id, translate(err, "resource"))
		}
		r := row.toResource()
		if err := fn(&r); err != nil {
			return err
		}
		// Only the editable columns are written, whatever fn did.
		upd := fromResource(r)
		if err := tx.db.WithContext(ctx).Model(&resourceRow{ID: id}).Select("version", "changelog", "remark", "update_type",
			"status", "rollout_percent", "target_binary_range", "updated_at").Updates(&upd).Error; err != nil {
			return fmt.Errorf("store: update resource %s: %w", id, translate(err, "resource"))
		}
		row.Version, row.Changelog, row.Remark, row.UpdateType = upd.Version, upd.Changelog, upd.Remark, upd.UpdateType
		row.Status, row.RolloutPercent, row.UpdatedAt = upd.Status, upd.RolloutPercent, upd.UpdatedAt
		row.TargetBinaryRange = upd.TargetBinaryRange
		out = row.toResource()
		return nil
	})
	return out, err
}

func (rs releases) DeleteResource(ctx context.Context, id string, check func(release.Resource, []release.Resource) error) ([]string, error) {
	var freed []string
	err := rs.s.InTx(ctx, func(tx *Store) error {
		freed = nil
		db := tx.db.WithContext(ctx)
		var row resourceRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&row, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: resource %s: %w", id, translate(err, "resource"))
		}
		r := row.toResource()
		var deps []resourceRow
		if r.Type.IsNative() {
			wgt := release.TypeWgtAndroid
			if r.Type == release.TypeIOS {
				wgt = release.TypeWgtIOS
			}
			if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("project_id = ? AND type = ? AND native_version_code = ? AND status = ?",
				r.ProjectID, int(wgt), r.VersionCode, int(release.StatusEnabled)).Order("version_code").Find(&deps).Error; err != nil {
				return fmt.Errorf("store: dependents of %s: %w", id, err)
			}
		}
		if err := check(r, toResources(deps)); err != nil {
			return err
		}
		var diffKeys []string
		if r.Type.IsCodePush() {
			var err error
			if diffKeys, err = deleteDiffsOf(db, r); err != nil {
				return err
			}
		}
		if err := db.Delete(&resourceRow{}, "id = ?", id).Error; err != nil {
			return fmt.Errorf("store: delete resource %s: %w", id, err)
		}
		if row.StorageKey != nil {
			var users int64
			if err := db.Model(&resourceRow{}).Where("storage_key = ?", *row.StorageKey).Count(&users).Error; err != nil {
				return fmt.Errorf("store: file users: %w", err)
			}
			if users == 0 {
				freed = append(freed, *row.StorageKey)
			}
		}
		freed = append(freed, diffKeys...)
		if len(freed) > 0 {
			if err := db.Delete(&fileRow{}, "storage_key IN ?", freed).Error; err != nil {
				return fmt.Errorf("store: delete files: %w", err)
			}
		}
		return nil
	})
	return freed, err
}

func (rs releases) CountResources(ctx context.Context, projectID string) (int64, error) {
	var n int64
	if err := rs.s.rdb.WithContext(ctx).Model(&resourceRow{}).Where("project_id = ?", projectID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("store: count resources: %w", err)
	}
	return n, nil
}

func (rs releases) ProjectExists(ctx context.Context, projectID string) (bool, error) {
	var n int64
	if err := rs.s.rdb.WithContext(ctx).Model(&projectRow{}).Where("id = ?", projectID).Count(&n).Error; err != nil {
		return false, fmt.Errorf("store: project exists: %w", err)
	}
	return n > 0, nil
}

func (rs releases) DeleteProject(ctx context.Context, projectID string) ([]string, error) {
	var keys []string
	err := rs.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		keys = nil
		if err := db.Model(&fileRow{}).Where("project_id = ?", projectID).Pluck("storage_key", &keys).Error; err != nil {
			return fmt.Errorf("store: files of %s: %w", projectID, err)
		}
		for _, del := range []struct {
			model any
			where string
		}{
			{&resourceRow{}, "project_id = ?"}, {&fileRow{}, "project_id = ?"}, {&memberRow{}, "project_id = ?"},
		} {
			if err := db.Where(del.where, projectID).Delete(del.model).Error; err != nil {
				return fmt.Errorf("store: delete project %s: %w", projectID, err)
			}
		}
		res := db.Delete(&projectRow{}, "id = ?", projectID)
		if res.Error != nil {
			return fmt.Errorf("store: delete project %s: %w", projectID, projectInUse(res.Error))
		}
		if res.RowsAffected == 0 {
			return notFound("project")
		}
		return nil
	})
	return keys, err
}
