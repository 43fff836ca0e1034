//go:build unix

package main

import (
	"log/slog"
	"syscall"
)

// minDescriptors is what one node needs for a large OTA campaign: an MQTT
// connection, a download and an open file per device upgrading at once,
// plus the database pool.
const minDescriptors = 65536

// logDescriptorLimit says how many descriptors the process may open (Go
// raises the soft limit to the hard one at start) and warns when that is
// too few for thousands of devices at once.
func logDescriptorLimit(log *slog.Logger) {
	limit := descriptorLimit()
	if limit == 0 {
		return
	}
	if limit < minDescriptors {
		log.Warn("the open-file limit is low for a large fleet: raise the hard limit (ulimit -Hn, LimitNOFILE=)",
			"limit", limit, "recommended", minDescriptors)
		return
	}
	log.Info("open-file limit", "limit", limit)
}

// descriptorLimit returns the process's open-file limit, 0 when unknown.
func descriptorLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur == ^uint64(0) {
		return 0
	}
	return l.Cur
}
