// Package testwait is for tests: wait on a condition instead of sleeping
// for a fixed time (which cannot prove an absence and fails on a slow
// machine).
package testwait

import (
	"testing"
	"time"
)

// Timeout is how long For waits.
const Timeout = 10 * time.Second

// For polls cond every few milliseconds until it holds, failing the test
// with "timed out waiting for <what>" after Timeout.
func For(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // the poll interval
	}
}
