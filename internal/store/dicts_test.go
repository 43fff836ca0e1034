package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/dict"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

func TestDictSeedAndItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ds := s.Dicts()
		seed, err := ds.Type(ctx, "update_type", true)
		if err != nil {
			t.Fatal(err)
		}
		if !seed.Builtin || len(seed.Items) != 3 || seed.Items[1].Value != "2" || seed.Items[1].Label != "强制更新" ||
			seed.Items[1].LabelEn != "Forced" || seed.Items[1].ID != "9436509a33ee8fbb4e7f362171e1403a" ||
			!seed.CreatedTime.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("seeded update_type %+v", seed)
		}

		now := time.Date(2026, 3, 1, 8, 0, 0, 123e6, time.UTC)
		if err := ds.CreateType(ctx, dict.Type{Code: "color", Name: "Colour", CreatedTime: now, UpdatedTime: now}); err != nil {
			t.Fatal(err)
		}
		if err := ds.CreateType(ctx, dict.Type{Code: "color", Name: "Again", CreatedTime: now, UpdatedTime: now}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate code: %v", err)
		}
		approve := func(dict.Type) error { return nil }
		for _, it := range []dict.Item{
			{ID: "00000000000000000000000000000001", TypeCode: "color", Label: "b", Value: "b", Sort: 2, Enabled: true},
			{ID: "00000000000000000000000000000002", TypeCode: "color", Label: "c", Value: "c", Sort: 1, Enabled: false},
			{ID: "00000000000000000000000000000003", TypeCode: "color", Label: "a", Value: "a", Sort: 2, Enabled: true},
		} {
			it.CreatedTime, it.UpdatedTime = now, now
			if err := ds.CreateItem(ctx, it, approve); err != nil {
				t.Fatal(err)
			}
		}
		dup := dict.Item{ID: "00000000000000000000000000000004", TypeCode: "color", Label: "x", Value: "a", CreatedTime: now, UpdatedTime: now}
		if err := ds.CreateItem(ctx, dup, approve); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate value: %v", err)
		}
		dup.TypeCode = "nope"
		if err := ds.CreateItem(ctx, dup, approve); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("missing type: %v", err)
		}

		all, err := ds.Type(ctx, "color", true)
		if err != nil || values(all.Items) != "c,a,b" || !all.Items[1].CreatedTime.Equal(now) || all.Items[0].Enabled {
			t.Fatalf("all items %+v, %v", all.Items, err)
		}
		enabled, _ := ds.Type(ctx, "color", false)
		if values(enabled.Items) != "a,b" {
			t.Fatalf("enabled items %s", values(enabled.Items))
		}
		types, err := ds.Types(ctx)
		if err != nil || len(types) != 5 || types[0].Code != "color" || values(types[0].Items) != "a,b" {
			t.Fatalf("types %+v, %v", types, err)
		}

		// An item is reached only through its own type.
		if _, err := ds.UpdateItem(ctx, "update_type", "00000000000000000000000000000001", func(dict.Type, *dict.Item) error { return nil }); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("item through another type: %v", err)
		}
		if _, err := ds.UpdateItem(ctx, "color", "00000000000000000000000000000001", func(_ dict.Type, it *dict.Item) error {
			it.Value = "c"
			return nil
		}); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("update to a taken value: %v", err)
		}

		if err := ds.DeleteType(ctx, "color", func(dict.Type) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if _, err := ds.Type(ctx, "color", true); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("deleted type: %v", err)
		}
		// Its items went with it: the value is free in a new type of the same code.
		if err := ds.CreateType(ctx, dict.Type{Code: "color", Name: "Colour", CreatedTime: now, UpdatedTime: now}); err != nil {
			t.Fatal(err)
		}
		if err := ds.CreateItem(ctx, dict.Item{ID: "00000000000000000000000000000001", TypeCode: "color", Label: "a", Value: "a",
			CreatedTime: now, UpdatedTime: now}, approve); err != nil {
			t.Fatalf("items survived their type: %v", err)
		}
	})
}

func values(items []dict.Item) string {
	out := ""
	for i, it := range items {
		if i > 0 {
			out += ","
		}
		out += it.Value
	}
	return out
}
