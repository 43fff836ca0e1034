package device

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/hoist-ota/hoist/internal/secret"
)

// SecretPrefix starts every device secret ("hoist secret, device"), so that
// a leaked one is recognisable (secret scanners, logs). A secret is the
// prefix and 256 random bits in unpadded base64url: 47 characters.
const SecretPrefix = "hsd_"

// maxSecretLen bounds what VerifySecret hashes: longer input cannot be a
// secret of ours.
const maxSecretLen = 128

// newSecret returns a fresh device secret.
func newSecret() string { return secret.Token(SecretPrefix) }

// hashSecret is what is stored of a device secret: the hex HMAC-SHA256,
// under the server's key, of product "/" device "\n" secret. Binding the
// identity into the hash means a hash copied to another device's row does
// not verify there. A keyed fast hash suffices (no stretching): the secret
// has 256 random bits, and the broker checks it on every connect.
func hashSecret(key []byte, product, device, sec string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(product))
	m.Write([]byte{'/'})
	m.Write([]byte(device))
	m.Write([]byte{'\n'})
	m.Write([]byte(sec))
	return hex.EncodeToString(m.Sum(nil))
}
