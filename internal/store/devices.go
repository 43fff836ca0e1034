package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/page"
)

type deviceRow struct {
	Product         string `gorm:"primaryKey"`
	Name            string `gorm:"primaryKey"`
	SecretHash      string
	Online          bool
	LastSeenAt      *time.Time
	LastIP          string `gorm:"column:last_ip"`
	LastStatus      *string
	FirmwareVersion string
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (deviceRow) TableName() string { return "devices" }

func fromDevice(d device.Device) deviceRow {
	r := deviceRow{Product: d.Product, Name: d.Name, SecretHash: d.SecretHash, Online: d.Online, LastSeenAt: d.LastSeenAt,
		LastIP: d.LastIP, FirmwareVersion: d.FirmwareVersion, CreatedAt: d.CreatedTime, UpdatedAt: d.UpdatedTime}
	if d.LastStatus != nil {
		s := string(d.LastStatus)
		r.LastStatus = &s
	}
	return r
}

// toDevice maps a row; tags are set by the caller.
func (r deviceRow) toDevice() device.Device {
	d := device.Device{Product: r.Product, Name: r.Name, Tags: []string{}, SecretHash: r.SecretHash, Online: r.Online,
		LastIP: r.LastIP, FirmwareVersion: r.FirmwareVersion, CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
	if r.LastSeenAt != nil {
		t := r.LastSeenAt.UTC()
		d.LastSeenAt = &t
	}
	if r.LastStatus != nil {
		d.LastStatus = json.RawMessage(*r.LastStatus)
	}
	return d
}

type deviceTagRow struct {
	Product string `gorm:"primaryKey"`
	Device  string `gorm:"primaryKey"`
	Tag     string `gorm:"primaryKey"`
}

func (deviceTagRow) TableName() string { return "device_tags" }

// chunk is the most names one IN list carries, and the most rows one
// INSERT carries on MySQL: SQLite bounds the variables of a statement, and
// huge statements help no database.
const chunk = 500

// insertChunk is the number of rows per INSERT. The SQLite driver binds
// parameters in time quadratic in their number, so smaller statements are
// faster there (10 000 devices: ~0.4 s with 100 rows, ~1 s with 500).
func (s *Store) insertChunk() int {
	if s.dialect == config.DriverSQLite {
		return 100
	}
	return chunk
}

func (ds devices) CreateDevices(ctx context.Context, product string, in []device.Device, check func([]string) error) error {
	return ds.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		names := make([]string, len(in))
		for i, d := range in {
			names[i] = d.Name
		}
		existing, err := existingDevices(db, product, names)
		if err != nil {
			return err
		}
		if err := check(existing); err != nil {
			return err
		}
		rows := make([]deviceRow, len(in))
		var tags []deviceTagRow
		for i, d := range in {
			rows[i] = fromDevice(d)
			for _, t := range d.Tags {
				tags = append(tags, deviceTagRow{Product: product, Device: d.Name, Tag: t})
			}
		}
		if err := db.CreateInBatches(&rows, tx.insertChunk()).Error; err != nil {
			return fmt.Errorf("store: create devices: %w", translate(err, "device"))
		}
		if len(tags) > 0 {
			if err := db.CreateInBatches(&tags, tx.insertChunk()).Error; err != nil {
				return fmt.Errorf("store: create device tags: %w", translate(err, "device tag"))
			}
		}
		return nil
	})
}

// existingDevices returns which of names exist in product, in names' order.
func existingDevices(db *gorm.DB, product string, names []string) ([]string, error) {
	found := map[string]bool{}
	for start := 0; start < len(names); start += chunk {
		var got []string
		if err := db.Model(&deviceRow{}).Where("product = ? AND name IN ?", product, names[start:min(start+chunk, len(names))]).
			Pluck("name", &got).Error; err != nil {
			return nil, fmt.Errorf("store: existing devices: %w", err)
		}
		for _, n := range got {
			found[n] = true
		}
	}
	var out []string
	for _, n := range names {
		if found[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// deviceTagged is a device row joined with one of its tags (nil when it
// has none).
type deviceTagged struct {
	Row deviceRow `gorm:"embedded"` // gorm skips unexported embedded types
	Tag *string
}

func (ds devices) Device(ctx context.Context, product, name string) (device.Device, error) {
	return oneDevice(ctx, ds.s.rdb, product, name, false)
}

// oneDevice loads a device with its tags in one query (primary keys of
// both tables), locking the rows when lock is set.
func oneDevice(ctx context.Context, db *gorm.DB, product, name string, lock bool) (device.Device, error) {
	q := db.WithContext(ctx).Table("devices AS d").Select("d.*, t.tag").
		Joins("LEFT JOIN device_tags t ON t.product = d.product AND t.device = d.name").
		Where("d.product = ? AND d.name = ?", product, name).Order("t.tag")
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []deviceTagged
	if err := q.Scan(&rows).Error; err != nil {
		return device.Device{}, fmt.Errorf("store: device %s/%s: %w", product, name, err)
	}
	if len(rows) == 0 {
		return device.Device{}, notFound("device")
	}
	d := rows[0].Row.toDevice()
	for _, r := range rows {
		if r.Tag != nil {
			d.Tags = append(d.Tags, *r.Tag)
		}
	}
	return d, nil
}

var deviceSort = map[string]string{"createdTime": "created_at", "name": "name", "lastSeen": "last_seen_at"} // whitelisted: raw in ORDER BY

func (ds devices) ListDevices(ctx context.Context, product string, f device.DeviceFilter, pg page.Request) ([]device.Device, int64, error) {
	db := ds.s.rdb.WithContext(ctx)
	q := db.Model(&deviceRow{}).Where("product = ?", product)
	if f.Tag != "" {
		q = q.Where("name IN (?)", db.Model(&deviceTagRow{}).Select("device").Where("product = ? AND tag = ?", product, f.Tag))
	}
	if f.Online != nil {
		q = q.Where("online = ?", *f.Online)
	}
	q = namePrefix(q, "name", f.Search)
	rows, total, err := listPage[deviceRow](q, pg, listing{what: "devices", sort: deviceSort, tie: "name", late: true})
	if err != nil {
		return nil, 0, err
	}
	out := make([]device.Device, len(rows))
	at := make(map[string]int, len(rows))
	names := make([]string, len(rows))
	for i, r := range rows {
		out[i], at[r.Name], names[i] = r.toDevice(), i, r.Name
	}
	if len(rows) > 0 {
		var tags []deviceTagRow
		if err := db.Where("product = ? AND device IN ?", product, names).Order("device, tag").Find(&tags).Error; err != nil {
			return nil, 0, fmt.Errorf("store: device tags: %w", err)
		}
		for _, t := range tags {
			d := &out[at[t.Device]]
			d.Tags = append(d.Tags, t.Tag)
		}
	}
	return out, total, nil
}

func (ds devices) DeviceVersions(ctx context.Context, product, tag string) ([]device.Version, error) {
	q := ds.s.rdb.WithContext(ctx).Table("devices AS d").Select("d.name, d.firmware_version").Where("d.product = ?", product)
	if tag != "" {
		q = q.Joins("JOIN device_tags t ON t.product = d.product AND t.device = d.name AND t.tag = ?", tag)
	}
	out := []device.Version{}
	if err := q.Order("d.name").Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("store: device versions of %s: %w", product, err)
	}
	return out, nil
}

func (ds devices) SetFirmwareVersion(ctx context.Context, product, name, version string) error {
	err := ds.s.db.WithContext(ctx).Model(&deviceRow{}).Where("product = ? AND name = ? AND firmware_version <> ?", product, name, version).
		UpdateColumn("firmware_version", version).Error
	if err != nil {
		return fmt.Errorf("store: firmware version of %s/%s: %w", product, name, err)
	}
	return nil
}

func (ds devices) UpdateDevice(ctx context.Context, product, name string, fn func(*device.Device) error) (device.Device, error) {
	var out device.Device
	err := ds.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		d, err := oneDevice(ctx, tx.db, product, name, true)
		if err != nil {
			return err
		}
		oldTags := d.Tags
		if err := fn(&d); err != nil {
			return err
		}
		// Only the editable columns are written, whatever fn did.
		if err := db.Model(&deviceRow{}).Where("product = ? AND name = ?", product, name).
			UpdateColumns(map[string]any{"secret_hash": d.SecretHash, "updated_at": d.UpdatedTime}).Error; err != nil {
			return fmt.Errorf("store: update device %s/%s: %w", product, name, err)
		}
		if !slices.Equal(oldTags, d.Tags) {
			if err := db.Where("product = ? AND device = ?", product, name).Delete(&deviceTagRow{}).Error; err != nil {
				return fmt.Errorf("store: update device tags: %w", err)
			}
			tags := make([]deviceTagRow, len(d.Tags))
			for i, t := range d.Tags {
				tags[i] = deviceTagRow{Product: product, Device: name, Tag: t}
			}
			if len(tags) > 0 {
				if err := db.Create(&tags).Error; err != nil {
					return fmt.Errorf("store: update device tags: %w", translate(err, "device tag"))
				}
			}
		}
		out, err = oneDevice(ctx, tx.db, product, name, false)
		return err
	})
	return out, err
}

func (ds devices) DeleteDevice(ctx context.Context, product, name string) error {
	return ds.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		if err := db.Where("product = ? AND device = ?", product, name).Delete(&deviceTagRow{}).Error; err != nil {
			return fmt.Errorf("store: delete device tags: %w", err)
		}
		res := db.Where("product = ? AND name = ?", product, name).Delete(&deviceRow{})
		if res.Error != nil {
			return fmt.Errorf("store: delete device %s/%s: %w", product, name, res.Error)
		}
		if res.RowsAffected == 0 {
			return notFound("device")
		}
		return nil
	})
}

// setState updates a device's state columns without touching updated_at
// (which tracks registry edits), and tells NotFound from "nothing changed"
// (MySQL counts changed rows only) with a second look when no row changed.
func (ds devices) setState(ctx context.Context, product, name string, cond string, cols map[string]any, condArgs ...any) error {
	q := ds.s.db.WithContext(ctx).Model(&deviceRow{}).Where("product = ? AND name = ?", product, name)
	if cond != "" {
		q = q.Where(cond, condArgs...)
	}
	res := q.UpdateColumns(cols)
	if res.Error != nil {
		return fmt.Errorf("store: device state %s/%s: %w", product, name, res.Error)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	var n int64
	if err := ds.s.db.WithContext(ctx).Model(&deviceRow{}).Where("product = ? AND name = ?", product, name).Count(&n).Error; err != nil {
		return fmt.Errorf("store: device state %s/%s: %w", product, name, err)
	}
	if n == 0 {
		return notFound("device")
	}
	return nil
}

func (ds devices) MarkOnline(ctx context.Context, product, name, ip string, at time.Time) error {
	return ds.setState(ctx, product, name, "", map[string]any{"online": true, "last_seen_at": at, "last_ip": ip})
}

func (ds devices) MarkOffline(ctx context.Context, product, name string, at time.Time) error {
	return ds.setState(ctx, product, name, "(last_seen_at IS NULL OR last_seen_at <= ?)",
		map[string]any{"online": false, "last_seen_at": at}, at)
}

func (ds devices) SetStatus(ctx context.Context, product, name string, status []byte, version *string, at time.Time) error {
	cols := map[string]any{
		"last_status":  string(status),
		"last_seen_at": gorm.Expr("CASE WHEN last_seen_at IS NULL OR last_seen_at < ? THEN ? ELSE last_seen_at END", at, at),
	}
	if version != nil {
		cols["firmware_version"] = *version
	}
	return ds.setState(ctx, product, name, "", cols)
}
