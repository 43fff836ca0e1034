package kv

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// Memory is an in-process Store for a single node. Expired entries are
// swept as writes happen, so memory stays bounded by the live entries.
type Memory struct {
	mu      sync.Mutex
	now     func() time.Time
	entries map[string]entry
	writes  int
}

type entry struct {
	value   string
	expires time.Time
}

// NewMemory returns an empty in-process store; now nil means time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, entries: map[string]entry{}}
}

// sweepEvery is how many writes pass between sweeps of expired entries.
const sweepEvery = 1024

func (m *Memory) write(key string, e entry, now time.Time) {
	m.entries[key] = e
	if m.writes++; m.writes >= sweepEvery {
		m.writes = 0
		for k, e := range m.entries {
			if !now.Before(e.expires) {
				delete(m.entries, k)
			}
		}
	}
}

// SetEx implements Store.
func (m *Memory) SetEx(_ context.Context, key, value string, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.write(key, entry{value: value, expires: now.Add(ttl)}, now)
	return nil
}

// SetNX implements Store.
func (m *Memory) SetNX(_ context.Context, key, value string, ttl time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if e, ok := m.entries[key]; ok && now.Before(e.expires) {
		return false, nil
	}
	m.write(key, entry{value: value, expires: now.Add(ttl)}, now)
	return true, nil
}

// Get implements Store.
func (m *Memory) Get(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || !m.now().Before(e.expires) {
		return "", false, nil
	}
	return e.value, true, nil
}

// GetDel implements Store.
func (m *Memory) GetDel(_ context.Context, key string) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return "", false, nil
	}
	delete(m.entries, key)
	if !m.now().Before(e.expires) {
		return "", false, nil
	}
	return e.value, true, nil
}

// Incr implements Store.
func (m *Memory) Incr(_ context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	e, ok := m.entries[key]
	var n int64
	if ok && now.Before(e.expires) {
		n, _ = strconv.ParseInt(e.value, 10, 64)
	} else {
		e.expires = now.Add(window)
	}
	n++
	e.value = strconv.FormatInt(n, 10)
	m.write(key, e, now)
	return n, e.expires.Sub(now), nil
}
