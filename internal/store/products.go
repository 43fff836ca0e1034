package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/page"
)

type productRow struct {
	Name        string `gorm:"primaryKey"`
	ProjectID   string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (productRow) TableName() string { return "products" }

func (r productRow) toProduct() device.Product {
	return device.Product{Name: r.Name, ProjectID: r.ProjectID, Description: r.Description,
		CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
}

// Devices returns the device.Store view of s.
func (s *Store) Devices() device.Store { return devices{s} }

type devices struct{ s *Store }

func (ds devices) CreateProduct(ctx context.Context, p device.Product) error {
	row := productRow{Name: p.Name, ProjectID: p.ProjectID, Description: p.Description, CreatedAt: p.CreatedTime, UpdatedAt: p.UpdatedTime}
	if err := ds.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create product: %w", translate(err, "product"))
	}
	return nil
}

func (ds devices) Product(ctx context.Context, name string) (device.Product, error) {
	var r productRow
	if err := ds.s.rdb.WithContext(ctx).Take(&r, "name = ?", name).Error; err != nil {
		return device.Product{}, fmt.Errorf("store: product %s: %w", name, translate(err, "product"))
	}
	return r.toProduct(), nil
}

func (ds devices) CountDevices(ctx context.Context, product string) (int64, int64, error) {
	var c struct{ Total, Online int64 }
	// Both counts come from ix_devices_online alone.
	err := ds.s.rdb.WithContext(ctx).Model(&deviceRow{}).
		Select("COUNT(*) AS total, COALESCE(SUM(CASE WHEN online THEN 1 ELSE 0 END), 0) AS online").
		Where("product = ?", product).Scan(&c).Error
	if err != nil {
		return 0, 0, fmt.Errorf("store: count devices of %s: %w", product, err)
	}
	return c.Total, c.Online, nil
}

// namePrefix narrows q to names starting with prefix, as a range on the
// name column so that an index serves it. Names are ASCII below 0x7f and
// both databases compare them bytewise.
func namePrefix(q *gorm.DB, col, prefix string) *gorm.DB {
	if prefix == "" {
		return q
	}
	return q.Where(col+" >= ? AND "+col+" < ?", prefix, prefix+"\x7f")
}

func (ds devices) ListProducts(ctx context.Context, f device.ProductFilter, pg page.Request) ([]device.Product, int64, error) {
	q := ds.s.rdb.WithContext(ctx).Table("products AS p")
	if f.MemberID != "" {
		q = q.Joins("JOIN project_members m ON m.project_id = p.project_id AND m.user_id = ?", f.MemberID)
	}
	if f.ProjectID != "" {
		q = q.Where("p.project_id = ?", f.ProjectID)
	}
	q = namePrefix(q, "p.name", f.Search)
	type listed struct {
		Row                      productRow `gorm:"embedded"`
		DeviceCount, OnlineCount int64
	}
	rows, total, err := listPage[listed](q, pg, listing{what: "products",
		sort: map[string]string{"createdTime": "p.created_at", "name": "p.name"}, tie: "p.name",
		sel: "p.name, p.project_id, p.description, p.created_at, p.updated_at, " +
			"(SELECT COUNT(*) FROM devices d WHERE d.product = p.name) AS device_count, " +
			"(SELECT COUNT(*) FROM devices d WHERE d.product = p.name AND d.online) AS online_count"})
	return mapRows(rows, func(r listed) device.Product {
		p := r.Row.toProduct()
		p.DeviceCount, p.OnlineCount = r.DeviceCount, r.OnlineCount
		return p
	}), total, err
}

func (ds devices) UpdateProduct(ctx context.Context, name string, fn func(*device.Product) error) (device.Product, error) {
	var out device.Product
	err := ds.s.InTx(ctx, func(tx *Store) error {
		var r productRow
		if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "name = ?", name).Error; err != nil {
			return fmt.Errorf("store: product %s: %w", name, translate(err, "product"))
		}
		p := r.toProduct()
		if err := fn(&p); err != nil {
			return err
		}
		// Only the editable columns are written, whatever fn did.
		r.Description, r.UpdatedAt = p.Description, p.UpdatedTime
		if err := tx.db.WithContext(ctx).Model(&productRow{}).Where("name = ?", name).
			UpdateColumns(map[string]any{"description": r.Description, "updated_at": r.UpdatedAt}).Error; err != nil {
			return fmt.Errorf("store: update product %s: %w", name, err)
		}
		out = r.toProduct()
		return nil
	})
	return out, err
}

func (ds devices) DeleteProduct(ctx context.Context, name string, check func(int64) error) error {
	return ds.s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		// Locking the product row makes concurrent device inserts (whose
		// foreign key check reads it) wait for this transaction.
		var r productRow
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "name = ?", name).Error; err != nil {
			return fmt.Errorf("store: product %s: %w", name, translate(err, "product"))
		}
		var n int64
		if err := db.Model(&deviceRow{}).Where("product = ?", name).Count(&n).Error; err != nil {
			return fmt.Errorf("store: count devices of %s: %w", name, err)
		}
		if err := check(n); err != nil {
			return err
		}
		for _, del := range []struct {
			model any
			where string
		}{
			{&deviceTagRow{}, "product = ?"}, {&deviceRow{}, "product = ?"}, {&productRow{}, "name = ?"},
		} {
			if err := db.Where(del.where, name).Delete(del.model).Error; err != nil {
				return fmt.Errorf("store: delete product %s: %w", name, err)
			}
		}
		return nil
	})
}

// projectInUse explains the foreign key violation of deleting a project
// that still has device products (products.project_id is RESTRICT: a
// project's deletion does not take its device fleets along).
func projectInUse(err error) error {
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return apperr.Wrap(err, apperr.Conflict, "the project still has device products; delete them first")
	}
	return err
}
