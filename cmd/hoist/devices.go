package main

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/secret"
	"github.com/hoist-ota/hoist/internal/store"
)

// settingDeviceKey names the stored key of device secret hashes.
const settingDeviceKey = "devices.secretHashKey"

// deviceSecretKey returns the key device secrets are hashed with: random,
// made once and kept in the database, so every node shares it and it is
// independent of jwt.secret (rotating that ends sessions, not devices).
// Concurrent first starts agree: the first stored key wins.
func deviceSecretKey(ctx context.Context, st *store.Store) ([]byte, error) {
	for attempt := 0; attempt < 2; attempt++ {
		v, err := st.Setting(ctx, settingDeviceKey)
		if err == nil {
			key, err := hex.DecodeString(v)
			if err != nil || len(key) < 32 {
				return nil, fmt.Errorf("setting %s is not a 32-byte hex key", settingDeviceKey)
			}
			return key, nil
		}
		if !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		if err := st.AddSetting(ctx, settingDeviceKey, secret.ID()+secret.ID()); err != nil && !apperr.Is(err, apperr.Conflict) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("setting %s: could not be created", settingDeviceKey)
}
