package device

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
)

// SettingSecretKey names the stored key device secrets are hashed with.
const SettingSecretKey = "devices.secretHashKey"

// Settings is the part of the settings store SecretKey needs.
type Settings interface {
	// Setting returns the named value, or an apperr NotFound error.
	Setting(ctx context.Context, name string) (string, error)
	// AddSetting creates the named value; apperr Conflict when it exists.
	AddSetting(ctx context.Context, name, value string) error
}

// SecretKey returns the key device secrets are hashed with (the key
// NewService takes): random, made once and kept in the settings, so every
// node shares it and it is independent of jwt.secret (rotating that ends
// sessions, not devices). Concurrent first starts agree: the first stored
// key wins. A stored value that is not a 32-byte hex key is an error.
func SecretKey(ctx context.Context, s Settings) ([]byte, error) {
	for attempt := 0; attempt < 2; attempt++ {
		v, err := s.Setting(ctx, SettingSecretKey)
		if err == nil {
			key, err := hex.DecodeString(v)
			if err != nil || len(key) < 32 {
				return nil, fmt.Errorf("device: setting %s is not a 32-byte hex key", SettingSecretKey)
			}
			return key, nil
		}
		if !apperr.Is(err, apperr.NotFound) {
			return nil, fmt.Errorf("device: secret key: %w", err)
		}
		if err := s.AddSetting(ctx, SettingSecretKey, ids.New()+ids.New()); err != nil && !apperr.Is(err, apperr.Conflict) {
			return nil, fmt.Errorf("device: secret key: %w", err)
		}
	}
	return nil, fmt.Errorf("device: setting %s: could not be created", SettingSecretKey)
}
