package ota

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/kv"
)

// LatestTTL is how long Redis keeps a device's latest progress after its
// last report (the database keeps it until the next one).
const LatestTTL = 90 * 24 * time.Hour

// LatestKey is the kv key of a device's latest progress, seed 000's
// ota_progress/{product}/{device} (behind the kv prefix).
func LatestKey(product, device string) string { return "ota_progress/" + product + "/" + device }

// KVLatest keeps latest progress in a kv.Store (Redis when several nodes
// share it) as the JSON of Latest.
type KVLatest struct{ kv kv.Store }

// NewKVLatest returns a LatestStore on store.
func NewKVLatest(store kv.Store) *KVLatest { return &KVLatest{kv: store} }

// SetLatest implements LatestStore.
func (k *KVLatest) SetLatest(ctx context.Context, l Latest) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("ota: encode latest progress: %w", err)
	}
	return k.kv.SetEx(ctx, LatestKey(l.Product, l.Device), string(b), LatestTTL)
}

// Latest implements LatestStore.
func (k *KVLatest) Latest(ctx context.Context, product, device string) (Latest, bool, error) {
	v, ok, err := k.kv.Get(ctx, LatestKey(product, device))
	if err != nil || !ok {
		return Latest{}, false, err
	}
	var l Latest
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		return Latest{}, false, fmt.Errorf("ota: decode latest progress of %s/%s: %w", product, device, err)
	}
	return l, true, nil
}
