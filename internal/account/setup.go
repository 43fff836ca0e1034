package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"sync"
)

// SetupCode guards the first registration of a fresh instance: whoever
// reaches a new Hoist first would otherwise become its administrator. The
// code is printed in the log at start; only its hash is kept, and it is
// spent by the first account. The zero value is not usable: use
// NewSetupCode. It is safe for concurrent use.
type SetupCode struct {
	mu    sync.Mutex
	hash  [sha256.Size]byte
	spent bool
}

// setupAlphabet leaves out look-alikes (0/O, 1/I/L).
const setupAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewSetupCode returns a new one-time code (12 characters in groups of
// four, e.g. "K7QF-2MZX-9TRA", about 59 bits) and its guard.
func NewSetupCode() (string, *SetupCode) {
	var b strings.Builder
	buf := make([]byte, 12)
	rand.Read(buf) // never fails (crypto/rand)
	for i, c := range buf {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(setupAlphabet[int(c)%len(setupAlphabet)])
	}
	code := b.String()
	return code, &SetupCode{hash: sha256.Sum256([]byte(normalizeSetupCode(code)))}
}

// normalizeSetupCode ignores case, spaces and dashes, as people type codes.
func normalizeSetupCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', ' ', '\t':
			return -1
		}
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// Check reports whether code is the setup code and not spent yet.
func (c *SetupCode) Check(code string) bool {
	h := sha256.Sum256([]byte(normalizeSetupCode(code)))
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.spent && subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1
}

// Spend makes the code unusable (the first account exists).
func (c *SetupCode) Spend() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spent = true
}
