package store

// SetLateAfter sets the offset from which far pages are found by key, for
// tests of that path on small lists; the returned func restores it.
func SetLateAfter(n int) (restore func()) {
	was := lateAfter
	lateAfter = n
	return func() { lateAfter = was }
}
