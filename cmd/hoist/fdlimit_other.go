//go:build !unix

package main

import "log/slog"

func logDescriptorLimit(*slog.Logger) {}
