package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/dict"
)

type dictTypeRow struct {
	Code          string `gorm:"primaryKey"`
	Name          string
	NameEn        string
	Description   string
	DescriptionEn string
	Builtin       bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (dictTypeRow) TableName() string { return "dict_types" }

func (r dictTypeRow) toType() dict.Type {
	return dict.Type{Code: r.Code, Name: r.Name, NameEn: r.NameEn, Description: r.Description, DescriptionEn: r.DescriptionEn,
		Builtin: r.Builtin, CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
}

func fromDictType(t dict.Type) dictTypeRow {
	return dictTypeRow{Code: t.Code, Name: t.Name, NameEn: t.NameEn, Description: t.Description, DescriptionEn: t.DescriptionEn,
		Builtin: t.Builtin, CreatedAt: t.CreatedTime, UpdatedAt: t.UpdatedTime}
}

type dictItemRow struct {
	ID        string `gorm:"primaryKey"`
	TypeCode  string
	Label     string
	LabelEn   string
	Value     string
	Color     string
	Sort      int
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (dictItemRow) TableName() string { return "dict_items" }

func (r dictItemRow) toItem() dict.Item {
	return dict.Item{ID: r.ID, TypeCode: r.TypeCode, Label: r.Label, LabelEn: r.LabelEn, Value: r.Value, Color: r.Color,
		Sort: r.Sort, Enabled: r.Enabled, CreatedTime: r.CreatedAt.UTC(), UpdatedTime: r.UpdatedAt.UTC()}
}

func fromDictItem(it dict.Item) dictItemRow {
	return dictItemRow{ID: it.ID, TypeCode: it.TypeCode, Label: it.Label, LabelEn: it.LabelEn, Value: it.Value, Color: it.Color,
		Sort: it.Sort, Enabled: it.Enabled, CreatedAt: it.CreatedTime, UpdatedAt: it.UpdatedTime}
}

// itemOrder is the one order of items: by type, sort, then value (uses
// ix_dict_items_type_sort; the columns are quoted, sort and value being
// keywords).
func itemOrder() clause.OrderBy {
	return clause.OrderBy{Columns: []clause.OrderByColumn{
		{Column: clause.Column{Name: "type_code"}}, {Column: clause.Column{Name: "sort"}}, {Column: clause.Column{Name: "value"}},
	}}
}

// Dicts returns the dict.Store view of s.
func (s *Store) Dicts() dict.Store { return dicts{s} }

type dicts struct{ s *Store }

func (ds dicts) Types(ctx context.Context) ([]dict.Type, error) {
	var types []dictTypeRow
	if err := ds.s.rdb.WithContext(ctx).Order("code").Find(&types).Error; err != nil {
		return nil, fmt.Errorf("store: dictionaries: %w", err)
	}
	var items []dictItemRow
	if err := ds.s.rdb.WithContext(ctx).Where("enabled = ?", true).Order(itemOrder()).Find(&items).Error; err != nil {
		return nil, fmt.Errorf("store: dictionary items: %w", err)
	}
	byType := make(map[string][]dict.Item, len(types))
	for _, r := range items {
		byType[r.TypeCode] = append(byType[r.TypeCode], r.toItem())
	}
	out := make([]dict.Type, len(types))
	for i, r := range types {
		out[i] = r.toType()
		out[i].Items = byType[r.Code]
		if out[i].Items == nil {
			out[i].Items = []dict.Item{}
		}
	}
	return out, nil
}

func (ds dicts) Type(ctx context.Context, code string, all bool) (dict.Type, error) {
	return typeWithItems(ctx, ds.s.rdb, code, all)
}

// typeWithItems loads a type and its items (all, or the enabled ones).
func typeWithItems(ctx context.Context, db *gorm.DB, code string, all bool) (dict.Type, error) {
	var r dictTypeRow
	if err := db.WithContext(ctx).Take(&r, "code = ?", code).Error; err != nil {
		return dict.Type{}, fmt.Errorf("store: dictionary %s: %w", code, translate(err, "dictionary"))
	}
	q := db.WithContext(ctx).Where("type_code = ?", code)
	if !all {
		q = q.Where("enabled = ?", true)
	}
	var items []dictItemRow
	if err := q.Order(itemOrder()).Find(&items).Error; err != nil {
		return dict.Type{}, fmt.Errorf("store: items of %s: %w", code, err)
	}
	t := r.toType()
	t.Items = make([]dict.Item, len(items))
	for i, it := range items {
		t.Items[i] = it.toItem()
	}
	return t, nil
}

func (ds dicts) CreateType(ctx context.Context, t dict.Type) error {
	row := fromDictType(t)
	if err := ds.s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("store: create dictionary %s: %w", t.Code, translate(err, "dictionary"))
	}
	return nil
}

// lockDictType loads a type for the rest of the transaction.
func (tx *Store) lockDictType(ctx context.Context, code string) (dict.Type, error) {
	var r dictTypeRow
	if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Take(&r, "code = ?", code).Error; err != nil {
		return dict.Type{}, fmt.Errorf("store: dictionary %s: %w", code, translate(err, "dictionary"))
	}
	return r.toType(), nil
}

func (ds dicts) UpdateType(ctx context.Context, code string, fn func(*dict.Type) error) (dict.Type, error) {
	var out dict.Type
	err := ds.s.InTx(ctx, func(tx *Store) error {
		t, err := tx.lockDictType(ctx, code)
		if err != nil {
			return err
		}
		if err := fn(&t); err != nil {
			return err
		}
		if err := tx.db.WithContext(ctx).Model(&dictTypeRow{}).Where("code = ?", code).Updates(map[string]any{
			"name": t.Name, "name_en": t.NameEn, "description": t.Description, "description_en": t.DescriptionEn,
			"updated_at": t.UpdatedTime,
		}).Error; err != nil {
			return fmt.Errorf("store: save dictionary %s: %w", code, translate(err, "dictionary"))
		}
		out, err = typeWithItems(ctx, tx.db, code, true)
		return err
	})
	return out, err
}

func (ds dicts) DeleteType(ctx context.Context, code string, fn func(dict.Type) error) error {
	return ds.s.InTx(ctx, func(tx *Store) error {
		t, err := tx.lockDictType(ctx, code)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		// ON DELETE CASCADE would do; deleting explicitly does not depend on
		// SQLite's foreign_keys pragma.
		if err := tx.db.WithContext(ctx).Where("type_code = ?", code).Delete(&dictItemRow{}).Error; err != nil {
			return fmt.Errorf("store: delete items of %s: %w", code, err)
		}
		if err := tx.db.WithContext(ctx).Where("code = ?", code).Delete(&dictTypeRow{}).Error; err != nil {
			return fmt.Errorf("store: delete dictionary %s: %w", code, translate(err, "dictionary"))
		}
		return nil
	})
}

func (ds dicts) CreateItem(ctx context.Context, it dict.Item, fn func(dict.Type) error) error {
	return ds.s.InTx(ctx, func(tx *Store) error {
		t, err := tx.lockDictType(ctx, it.TypeCode)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
		row := fromDictItem(it)
		if err := tx.db.WithContext(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("store: create item of %s: %w", it.TypeCode, translate(err, "dictionary item"))
		}
		return nil
	})
}

// lockDictItem loads an item of the type code and its type.
func (tx *Store) lockDictItem(ctx context.Context, code, id string) (dict.Type, dict.Item, error) {
	t, err := tx.lockDictType(ctx, code)
	if err != nil {
		return dict.Type{}, dict.Item{}, err
	}
	var r dictItemRow
	if err := tx.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).
		Take(&r, "id = ? AND type_code = ?", id, code).Error; err != nil {
		return dict.Type{}, dict.Item{}, fmt.Errorf("store: dictionary item %s: %w", id, translate(err, "dictionary item"))
	}
	return t, r.toItem(), nil
}

func (ds dicts) UpdateItem(ctx context.Context, code, id string, fn func(dict.Type, *dict.Item) error) (dict.Item, error) {
	var out dict.Item
	err := ds.s.InTx(ctx, func(tx *Store) error {
		t, it, err := tx.lockDictItem(ctx, code, id)
		if err != nil {
			return err
		}
		if err := fn(t, &it); err != nil {
			return err
		}
		if err := tx.db.WithContext(ctx).Model(&dictItemRow{}).Where("id = ?", id).Updates(map[string]any{
			"label": it.Label, "label_en": it.LabelEn, "value": it.Value, "color": it.Color,
			"sort": it.Sort, "enabled": it.Enabled, "updated_at": it.UpdatedTime,
		}).Error; err != nil {
			return fmt.Errorf("store: save dictionary item %s: %w", id, translate(err, "dictionary item"))
		}
		out = it
		return nil
	})
	return out, err
}

func (ds dicts) DeleteItem(ctx context.Context, code, id string, fn func(dict.Type, dict.Item) error) error {
	return ds.s.InTx(ctx, func(tx *Store) error {
		t, it, err := tx.lockDictItem(ctx, code, id)
		if err != nil {
			return err
		}
		if err := fn(t, it); err != nil {
			return err
		}
		if err := tx.db.WithContext(ctx).Where("id = ?", id).Delete(&dictItemRow{}).Error; err != nil {
			return fmt.Errorf("store: delete dictionary item %s: %w", id, err)
		}
		return nil
	})
}
