// Package ids makes the identifiers of Hoist's records: users, projects,
// resources, campaigns, commands (PROTOCOLS §1).
package ids

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a new 32-character lowercase hex identifier (128 random
// bits from crypto/rand): unguessable, so an id alone grants nothing and
// leaks no count.
func New() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b[:])
}
