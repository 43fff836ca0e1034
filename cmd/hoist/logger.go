package main

import (
	"io"
	"log/slog"

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
