package main

import (
	"crypto/hmac"
	"crypto/sha256"
)

// deviceSecretKey derives the key of device secret hashes from the JWT
// secret, as fileSignKey does for download URLs, with its own label so the
// two keys are unrelated. Changing jwt.secret therefore invalidates every
// device secret as well as every session: devices must then be given new
// secrets (POST .../devices/{device}/secret).
func deviceSecretKey(jwtSecret string) []byte {
	m := hmac.New(sha256.New, []byte(jwtSecret))
	m.Write([]byte("hoist/devices/v1"))
	return m.Sum(nil)
}
