package ota

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
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

// batchedLatest queues latest progress in memory, the newest report per
// device winning, and writes it with the history batches. Reads see what
// is queued.
type batchedLatest struct {
	store   BatchLatestStore
	mu      sync.Mutex
	pending map[string]Latest
}

func newBatchedLatest(store BatchLatestStore) *batchedLatest {
	return &batchedLatest{store: store, pending: map[string]Latest{}}
}

// SetLatest implements LatestStore; it only queues.
func (b *batchedLatest) SetLatest(_ context.Context, l Latest) error {
	k := LatestKey(l.Product, l.Device)
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.pending[k]; !ok || !cur.ReceivedAt.After(l.ReceivedAt) {
		b.pending[k] = l
	}
	return nil
}

// Latest implements LatestStore.
func (b *batchedLatest) Latest(ctx context.Context, product, device string) (Latest, bool, error) {
	b.mu.Lock()
	l, ok := b.pending[LatestKey(product, device)]
	b.mu.Unlock()
	if ok {
		return l, true, nil
	}
	return b.store.Latest(ctx, product, device)
}

// flush writes what is queued; on failure it is queued again unless a
// newer report arrived meanwhile.
func (b *batchedLatest) flush(ctx context.Context) error {
	b.mu.Lock()
	batch := b.pending
	b.pending = map[string]Latest{}
	b.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	ls := make([]Latest, 0, len(batch))
	for _, l := range batch {
		ls = append(ls, l)
	}
	if err := b.store.SetLatestBatch(ctx, ls); err != nil {
		b.mu.Lock()
		for k, l := range batch {
			if cur, ok := b.pending[k]; !ok || cur.ReceivedAt.Before(l.ReceivedAt) {
				b.pending[k] = l
			}
		}
		b.mu.Unlock()
		return fmt.Errorf("ota: write %d latest progress: %w", len(ls), err)
	}
	return nil
}
