//go:build !unix

package main

import "log/slog"

func logDescriptorLimit(*slog.Logger) {}

func descriptorLimit() uint64 { return 0 }
