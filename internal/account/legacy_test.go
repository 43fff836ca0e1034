package account

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// nodeArgon2Hash makes what the argon2 npm package's hash(plain) stores:
// a PHC string with its defaults (m=4096,t=3,p=1: argon2id since its 0.26,
// argon2i before).
func nodeArgon2Hash(plain, variant string, m, t uint32, p uint8) string {
	salt := []byte("upushy-salt-0001")
	var key []byte
	if variant == "argon2i" {
		key = argon2.Key([]byte(plain), salt, t, m, p, 32)
	} else {
		key = argon2.IDKey([]byte(plain), salt, t, m, p, 32)
	}
	return fmt.Sprintf("$%s$v=19$m=%d,t=%d,p=%d$%s$%s", variant, m, t, p,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// upushyStored is what upushy-server kept for a password: the argon2 hash
// of the md5 hex digest its panel sent.
func upushyStored(password, variant string) string {
	sum := md5.Sum([]byte(password))
	return nodeArgon2Hash(hex.EncodeToString(sum[:]), variant, 4096, 3, 1)
}

// The argon2 npm package's own test vectors (password "password", salt
// "saltsaltsaltsalt", default options) verify: the PHC reading matches it.
func TestVerifyPHCAgainstNodeArgon2Vectors(t *testing.T) {
	for _, h := range []string{
		"$argon2i$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$Iv3dSMJ431p24TEj68Kxokm/ilAC9HfwREDIVPM/1/0",
		"$argon2id$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$fxbFVdPGPQ1NJoy87CaTabyrXOKZepZ9SGBFwPkPJ28",
	} {
		if ok, err := verifyPHC("password", h, "argon2i", "argon2id"); !ok || err != nil {
			t.Errorf("%s: %v %v", h, ok, err)
		}
		if ok, _ := verifyPHC("passworD", h, "argon2i", "argon2id"); ok {
			t.Errorf("%s: wrong password verified", h)
		}
	}
}

func TestUpushyLegacyHashes(t *testing.T) {
	for _, variant := range []string{"argon2i", "argon2id"} {
		t.Run(variant, func(t *testing.T) {
			stored, err := UpushyPasswordHash(upushyStored("hunter22", variant))
			if err != nil || !strings.HasPrefix(stored, "upushy-md5:$"+variant+"$v=19$") || !isLegacyHash(stored) {
				t.Fatalf("stored %q, %v", stored, err)
			}
			if ok, err := verifyPassword("hunter22", stored); !ok || err != nil {
				t.Fatalf("original password: %v %v", ok, err)
			}
			// Neither a wrong password nor the digest itself (what upushy's
			// panel sent over the wire) logs in.
			for _, wrong := range []string{"hunter23", upushyDigest("hunter22"), ""} {
				if ok, _ := verifyPassword(wrong, stored); ok {
					t.Errorf("%q verified", wrong)
				}
			}
			// Without the mark, the same string is not one of Hoist's hashes.
			if ok, err := verifyPassword("hunter22", strings.TrimPrefix(stored, upushyPrefix)); ok || (variant == "argon2i" && err == nil) {
				t.Errorf("unmarked hash: %v %v", ok, err)
			}
		})
	}
	if isLegacyHash(hashPassword("x", DefaultArgon2)) {
		t.Error("Hoist's own hash taken for legacy")
	}
}

func TestUpushyPasswordHashRefusesWhatCannotBeVerified(t *testing.T) {
	for _, h := range []string{
		"", "hunter22", "$2a$10$abcdefghijklmnopqrstuv", // bcrypt
		"$argon2i$m=4096,t=3,p=1$tbagT6b1YH33niCo9lVzuA$htv/k+OqWk1V9zD9k5DOBi2kcfcZ6Xu3tWmwEPV3/nc", // version 16, no v=
		"$argon2d$v=19$m=4096,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$3CYaDoobFaprD02HTMVVRLsrSgJjZK5QmqYWnWDEAlw",
		"upushy-md5:" + upushyStored("x", "argon2i"), // already marked
	} {
		if got, err := UpushyPasswordHash(h); err == nil {
			t.Errorf("%q accepted as %q", h, got)
		}
	}
}
