package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnsureJWTSecret fills an empty JWT.Secret in embedded mode from
// JWTSecretPath, generating and saving a random one (mode 0600) the first
// time, so tokens survive restarts without any setup. It reports whether it
// created the file. With an explicit secret it does nothing; in production
// Validate has already refused an empty one.
func (c *Config) EnsureJWTSecret() (created bool, err error) {
	if c.JWT.Secret != "" || !c.Embedded() {
		return false, nil
	}
	p := c.JWTSecretPath()
	b, err := os.ReadFile(p)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return false, fmt.Errorf("config: %s holds a secret shorter than 32 characters; delete it to generate a new one", p)
		}
		c.JWT.Secret = s
		return false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("config: read JWT secret: %w", err)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return false, fmt.Errorf("config: generate JWT secret: %w", err)
	}
	s := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return false, fmt.Errorf("config: create data dir: %w", err)
	}
	// O_EXCL: if another process won the race, use its secret.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return c.EnsureJWTSecret()
	}
	if err != nil {
		return false, fmt.Errorf("config: save JWT secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		os.Remove(p)
		return false, fmt.Errorf("config: save JWT secret: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(p)
		return false, fmt.Errorf("config: save JWT secret: %w", err)
	}
	c.JWT.Secret = s
	return true, nil
}
