// Package secret makes identifiers and bearer secrets from crypto/rand and
// hashes secrets for storage. Secrets are stored only as SHA-256 hashes: they
// are long random strings, so a fast hash is enough (no password stretching).
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// ID returns a new 32-character lowercase hex identifier (128 random bits),
// the id format of users, projects and resources (PROTOCOLS §1).
func ID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b[:])
}

// Token returns prefix followed by 256 random bits in unpadded base64url.
func Token(prefix string) string {
	var b [32]byte
	rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash returns the lowercase hex SHA-256 of s.
func Hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Equal compares two strings in constant time.
func Equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
