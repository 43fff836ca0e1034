package stats

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/flush"
)

// DownloadCount is how often a resource was downloaded through its stable
// link on a day.
type DownloadCount struct {
	ProjectID  string
	Day        string
	ResourceID string
	Downloads  int64
}

// DownloadStore persists download counts, adding to existing ones.
type DownloadStore interface {
	AddDownloads(ctx context.Context, ds []DownloadCount) error
}

// downloadKey groups downloads in memory.
type downloadKey struct{ project, day, resource string }

// maxDownloadKeys bounds the counters held between flushes: resource ids
// come from existing resources only, so this is only reached by a store
// that cannot keep up; further downloads are then not counted.
const maxDownloadKeys = 100_000

// Downloads counts downloads in memory and writes them in batches, so the
// download link never waits on the database. It is safe for concurrent use.
type Downloads struct {
	store DownloadStore
	every time.Duration
	log   *slog.Logger

	mu     sync.Mutex
	counts map[downloadKey]int64
}

// NewDownloads returns a counter flushing every interval (5 s when zero).
func NewDownloads(store DownloadStore, every time.Duration, log *slog.Logger) *Downloads {
	if every <= 0 {
		every = 5 * time.Second
	}
	return &Downloads{store: store, every: every, log: log, counts: make(map[downloadKey]int64)}
}

// Record counts one download of a resource at t.
func (d *Downloads) Record(projectID, resourceID string, t time.Time) {
	k := downloadKey{projectID, t.UTC().Format(time.DateOnly), resourceID}
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.counts[k]; ok || len(d.counts) < maxDownloadKeys {
		d.counts[k]++
	}
}

// Run flushes every interval until ctx ends, then flushes once more.
func (d *Downloads) Run(ctx context.Context) error {
	if err := flush.Every(ctx, d.every, d.Flush, d.log, "download counts"); err != nil {
		d.log.Warn("download counts lost at shutdown", "error", err)
	}
	return nil
}

// Flush writes the counts gathered so far. On failure they are kept for
// the next flush.
func (d *Downloads) Flush(ctx context.Context) error {
	d.mu.Lock()
	counts := d.counts
	d.counts = make(map[downloadKey]int64)
	d.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	out := make([]DownloadCount, 0, len(counts))
	for k, n := range counts {
		out = append(out, DownloadCount{ProjectID: k.project, Day: k.day, ResourceID: k.resource, Downloads: n})
	}
	if err := d.store.AddDownloads(ctx, out); err != nil {
		d.mu.Lock()
		for k, n := range counts {
			d.counts[k] += n
		}
		d.mu.Unlock()
		return err
	}
	return nil
}
