package account

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoist-ota/hoist/internal/apperr"
)

var (
	secretA = []byte("0123456789abcdef0123456789abcdef")
	now     = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	alice   = User{ID: "5f2b8c1d9e0a4b7c8d6e5f4a3b2c1d0e", TokenVersion: 3}
)

func mustSign(tb testing.TB, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	tb.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestAccessTokenRoundTrip(t *testing.T) {
	tok, err := signAccess(secretA, alice, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	id, ver, err := parseAccess(secretA, tok, now.Add(14*time.Minute))
	if err != nil || id != alice.ID || ver != 3 {
		t.Fatalf("parse: %q %d %v", id, ver, err)
	}
}

func TestAccessTokenRejections(t *testing.T) {
	good := func() accessClaims {
		return accessClaims{
			RegisteredClaims: jwt.RegisteredClaims{Issuer: Issuer, Subject: alice.ID,
				IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))},
			Typ: "access", Ver: 1,
		}
	}
	noExp := good()
	noExp.ExpiresAt = nil
	wrongIss := good()
	wrongIss.Issuer = "upushy"
	refreshTyp := good()
	refreshTyp.Typ = "refresh"
	noSub := good()
	noSub.Subject = ""
	future := good()
	future.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour))
	expired := good()
	expired.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute))

	cases := map[string]string{
		"wrong key":     mustSign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), good()),
		"HS512":         mustSign(t, jwt.SigningMethodHS512, secretA, good()),
		"alg none":      mustSign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good()),
		"no expiry":     mustSign(t, jwt.SigningMethodHS256, secretA, noExp),
		"wrong issuer":  mustSign(t, jwt.SigningMethodHS256, secretA, wrongIss),
		"refresh typ":   mustSign(t, jwt.SigningMethodHS256, secretA, refreshTyp),
		"no subject":    mustSign(t, jwt.SigningMethodHS256, secretA, noSub),
		"issued later":  mustSign(t, jwt.SigningMethodHS256, secretA, future),
		"expired":       mustSign(t, jwt.SigningMethodHS256, secretA, expired),
		"garbage":       "not.a.jwt",
		"empty":         "",
		"api token":     "hst_abc",
		"trailing junk": mustSign(t, jwt.SigningMethodHS256, secretA, good()) + "x",
	}
	for name, tok := range cases {
		if _, _, err := parseAccess(secretA, tok, now); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("%s: accepted or wrong error: %v", name, err)
		}
	}
}

// FuzzParseAccess feeds arbitrary bearer strings to the token parser: it
// must never panic, and anything it accepts must be a token we signed.
func FuzzParseAccess(f *testing.F) {
	tok, _ := signAccess(secretA, alice, now, time.Minute)
	f.Add(tok)
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	f.Add(strings.Repeat("a.", 100))
	f.Fuzz(func(t *testing.T, s string) {
		id, _, err := parseAccess(secretA, s, now)
		if err == nil && (s != tok || id != alice.ID) {
			t.Fatalf("accepted a token we did not sign: %q", s)
		}
		if err != nil && !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("wrong error kind: %v", err)
		}
	})
}
