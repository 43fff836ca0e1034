package local

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/storage"
)

// URL implements Blob. It returns {prefix}{key}, e.g. "/files/p1/2024-05/ab.wgt";
// keys need no escaping. With signing on it appends
// "?expires={unix seconds}&sig={hex HMAC-SHA256 of key+"\n"+expires}", the
// expiry being now+ttl rounded up to a whole second.
func (l *Disk) URL(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := storage.ValidKey(key); err != nil {
		return "", fmt.Errorf("storage: url %s: %w", key, err)
	}
	u := l.prefix + key
	if !l.signed {
		return u, nil
	}
	if ttl < time.Second {
		return "", fmt.Errorf("storage: url %s: %w", key,
			apperr.New(apperr.Invalid, "signed URL lifetime must be at least one second"))
	}
	expires := strconv.FormatInt(l.now().Add(ttl+time.Second-1).Unix(), 10)
	return u + "?expires=" + expires + "&sig=" + hex.EncodeToString(l.sign(key, expires)), nil
}

// Signed reports whether URL signs URLs, that is whether the file handler
// must call VerifySignature.
func (l *Disk) Signed() bool { return l.signed }

// VerifySignature checks the expires and sig query values of a URL made by
// URL for key, at time now. It returns nil when sig is the signature of key
// and expires and now is not after expires; otherwise an apperr.Forbidden
// error (apperr.Invalid for a malformed key). The comparison takes constant
// time. It works whenever a signing key was configured, even with Signed off.
func (l *Disk) VerifySignature(key, expires, sig string, now time.Time) error {
	if err := storage.ValidKey(key); err != nil {
		return fmt.Errorf("storage: verify %s: %w", key, err)
	}
	forbidden := apperr.New(apperr.Forbidden, "invalid or expired download link")
	if len(l.signKey) == 0 {
		return fmt.Errorf("storage: verify %s: no signing key: %w", key, forbidden)
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	// Only the canonical form was signed; "+5" or "05" would parse alike.
	if err != nil || strconv.FormatInt(exp, 10) != expires {
		return fmt.Errorf("storage: verify %s: bad expires: %w", key, forbidden)
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, l.sign(key, expires)) {
		return fmt.Errorf("storage: verify %s: bad signature: %w", key, forbidden)
	}
	if now.Unix() > exp {
		return fmt.Errorf("storage: verify %s: expired: %w", key, forbidden)
	}
	return nil
}

// sign returns the HMAC-SHA256 of key and expires under the signing key.
func (l *Disk) sign(key, expires string) []byte {
	mac := hmac.New(sha256.New, l.signKey)
	mac.Write([]byte(key + "\n" + expires))
	return mac.Sum(nil)
}
