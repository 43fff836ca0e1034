package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/hoist-ota/hoist/internal/ota"
)

// Spool is a durable local queue of message batches, for when the database
// cannot take them: one file per batch, written to a temporary name,
// synced, renamed and the directory synced, so that a batch is either
// wholly on disk or absent after a crash. Files are taken in the order
// they were written. Its methods are safe for concurrent use.
type Spool struct {
	dir string

	mu    sync.Mutex
	seq   uint64
	files []string // pending batch files, oldest first
}

const (
	spoolExt = ".batch"
	tmpExt   = ".tmp"
	deadDir  = "dead"
)

// OpenSpool opens (creating) the spool in dir, drops half-written files
// left by a crash and lists the pending batches.
func OpenSpool(dir string) (*Spool, error) {
	if err := os.MkdirAll(filepath.Join(dir, deadDir), 0o750); err != nil {
		return nil, fmt.Errorf("ingest: spool: %w", err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("ingest: spool: %w", err)
	}
	s := &Spool{dir: dir}
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, tmpExt):
			os.Remove(filepath.Join(dir, name))
		case strings.HasSuffix(name, spoolExt):
			n, err := strconv.ParseUint(strings.TrimSuffix(name, spoolExt), 10, 64)
			if err != nil {
				continue
			}
			s.files = append(s.files, name)
			s.seq = max(s.seq, n)
		}
	}
	slices.Sort(s.files) // zero-padded sequence numbers sort in order
	return s, nil
}

// Len returns the number of pending batches.
func (s *Spool) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files)
}

// Append writes a batch durably; once it returns nil the batch survives a
// crash of the process or the machine.
func (s *Spool) Append(msgs []ota.Message) error {
	b, err := json.Marshal(msgs)
	if err != nil {
		return fmt.Errorf("ingest: spool: encode: %w", err)
	}
	s.mu.Lock()
	s.seq++
	name := fmt.Sprintf("%020d%s", s.seq, spoolExt)
	s.mu.Unlock()
	path := filepath.Join(s.dir, name)
	if err := writeSynced(path+tmpExt, b); err != nil {
		return err
	}
	if err := os.Rename(path+tmpExt, path); err != nil {
		os.Remove(path + tmpExt)
		return fmt.Errorf("ingest: spool: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.mu.Lock()
	s.files = append(s.files, name)
	slices.Sort(s.files)
	s.mu.Unlock()
	return nil
}

// Peek returns the oldest pending batch and its name; ok is false when
// none is pending. A file that cannot be decoded is moved aside (dead)
// and the next one returned.
func (s *Spool) Peek() (name string, msgs []ota.Message, ok bool, err error) {
	for {
		s.mu.Lock()
		if len(s.files) == 0 {
			s.mu.Unlock()
			return "", nil, false, nil
		}
		name = s.files[0]
		s.mu.Unlock()
		b, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil {
			return "", nil, false, fmt.Errorf("ingest: spool: %w", err)
		}
		if err := json.Unmarshal(b, &msgs); err != nil {
			if derr := s.Bury(name); derr != nil {
				return "", nil, false, derr
			}
			continue
		}
		return name, msgs, true, nil
	}
}

// Remove deletes a batch that has been applied.
func (s *Spool) Remove(name string) error {
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("ingest: spool: %w", err)
	}
	s.forget(name)
	return nil
}

// Bury moves a batch that cannot be applied to the dead/ folder, for an
// operator to look at.
func (s *Spool) Bury(name string) error {
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, deadDir, name)); err != nil {
		return fmt.Errorf("ingest: spool: bury %s: %w", name, err)
	}
	s.forget(name)
	return nil
}

func (s *Spool) forget(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.files, name); i >= 0 {
		s.files = slices.Delete(s.files, i, i+1)
	}
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("ingest: spool: %w", err)
	}
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(path)
		return fmt.Errorf("ingest: spool: write: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("ingest: spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("ingest: spool: sync dir: %w", err)
	}
	return nil
}
