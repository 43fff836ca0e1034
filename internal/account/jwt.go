package account

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Issuer is the JWT "iss" of Hoist's access tokens.
const Issuer = "hoist"

// accessClaims are the claims of an access token.
type accessClaims struct {
	jwt.RegisteredClaims
	Typ string `json:"typ"`
	Ver int64  `json:"ver"`
}

// signAccess returns an HS256 access token for u valid for ttl.
func signAccess(secret []byte, u User, now time.Time, ttl time.Duration) (string, error) {
	c := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.ID,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Typ: "access",
		Ver: u.TokenVersion,
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("account: sign access token: %w", err)
	}
	return s, nil
}

// parseAccess verifies an access token and returns the user id and token
// version it carries. Every failure is the same apperr Unauthorized error.
func parseAccess(secret []byte, token string, now time.Time) (userID string, ver int64, err error) {
	var c accessClaims
	_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(5*time.Second),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil || c.Typ != "access" || c.Subject == "" {
		return "", 0, apperr.New(apperr.Unauthorized, "invalid or expired access token")
	}
	return c.Subject, c.Ver, nil
}
