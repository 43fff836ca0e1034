// Package secret makes bearer secrets (API tokens, refresh tokens, device
// secrets) from crypto/rand and hashes them for storage. Secrets are stored only as SHA-256 hashes: they
// are long random strings, so a fast hash is enough (no password stretching).
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

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
