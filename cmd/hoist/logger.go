package main

import (
	"bufio"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/config"
)

// newLogger builds the process logger: JSON for production log pipelines,
// text for people.
func newLogger(c config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated already
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// logSink buffers log output and writes it at least every flushEvery, so
// that a busy server does not make a system call per access line. Close
// writes what is left.
type logSink struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

const flushEvery = 100 * time.Millisecond

func newLogSink(w io.Writer) *logSink {
	l := &logSink{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.flush()
			case <-l.stop:
				l.flush()
				return
			}
		}
	}()
	return l
}

// Write implements io.Writer; slog writes one whole record per call.
func (l *logSink) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *logSink) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Flush()
}

// Close flushes and stops the background writer.
func (l *logSink) Close() error {
	close(l.stop)
	<-l.done
	return nil
}

// defaultLog is the log configuration of commands that take no config file.
func defaultLog() config.Log { return config.Default().Log }
