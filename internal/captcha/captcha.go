// Package captcha issues and checks image captchas for registration and
// login. Answers live in a kv.Store for two minutes and are single-use.
package captcha

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/mojocn/base64Captcha"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/kv"
	"github.com/hoist-ota/hoist/internal/secret"
)

// TTL is how long a captcha can be answered.
const TTL = 2 * time.Minute

// digits is the length of the answer.
const digits = 5

// KeyPrefix prefixes captcha answers in the kv store.
const KeyPrefix = "captcha:"

// Service issues and verifies captchas.
type Service struct {
	kv     kv.Store
	driver *base64Captcha.DriverDigit
}

// NewService returns a captcha service keeping answers in store.
func NewService(store kv.Store) *Service {
	return &Service{kv: store, driver: base64Captcha.NewDriverDigit(80, 240, digits, 0.7, 80)}
}

// Captcha is an issued challenge.
type Captcha struct {
	ID    string
	Image string // data:image/png;base64,...
}

// New issues a captcha. The answer comes from crypto/rand; the library only
// draws it.
func (s *Service) New(ctx context.Context) (Captcha, error) {
	var b strings.Builder
	for i := 0; i < digits; i++ {
		n, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return Captcha{}, fmt.Errorf("captcha: %w", err)
		}
		b.WriteByte(byte('0' + n.Int64()))
	}
	answer := b.String()
	item, err := s.driver.DrawCaptcha(answer)
	if err != nil {
		return Captcha{}, fmt.Errorf("captcha: draw: %w", err)
	}
	id := ids.New()
	if err := s.kv.SetEx(ctx, KeyPrefix+id, answer, TTL); err != nil {
		return Captcha{}, fmt.Errorf("captcha: store: %w", err)
	}
	return Captcha{ID: id, Image: item.EncodeB64string()}, nil
}

// Verify checks an answer and consumes the captcha whatever the outcome, so
// each captcha allows one guess. A wrong, expired or unknown captcha is an
// apperr Invalid error on field "captcha".
func (s *Service) Verify(ctx context.Context, id, answer string) error {
	bad := apperr.Fields(apperr.FieldError{Field: "captcha",
		Message: "is wrong or expired; get a new one from GET /api/v1/auth/captcha and send its captchaId with the answer"})
	if id == "" || answer == "" {
		return apperr.Fields(apperr.FieldError{Field: "captcha",
			Message: "is required: GET /api/v1/auth/captcha gives a captchaId and an image; send both captchaId and captcha (the image's answer)"})
	}
	if len(id) > 64 {
		return bad
	}
	want, ok, err := s.kv.GetDel(ctx, KeyPrefix+id)
	if err != nil {
		return fmt.Errorf("captcha: verify: %w", err)
	}
	if !ok || !secret.Equal(want, strings.TrimSpace(answer)) {
		return bad
	}
	return nil
}
