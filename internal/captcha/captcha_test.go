package captcha

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/kv"
)

func TestCaptchaIsAPNGAndSingleUse(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(0, 0)
	store := kv.NewMemory(func() time.Time { return now })
	s := NewService(store)

	c, err := s.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const pfx = "data:image/png;base64,"
	if !strings.HasPrefix(c.Image, pfx) {
		t.Fatalf("image %.40s", c.Image)
	}
	png, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(c.Image, pfx))
	if err != nil || string(png[1:4]) != "PNG" {
		t.Fatalf("not a PNG: %v", err)
	}
	// Read the answer the way a person would read the picture: from where
	// it was stored. (Tests cannot do OCR.)
	answer, _, _ := store.GetDel(ctx, KeyPrefix+c.ID)
	store.SetEx(ctx, KeyPrefix+c.ID, answer, TTL)
	if len(answer) != digits {
		t.Fatalf("answer %q", answer)
	}
	if err := s.Verify(ctx, c.ID, " "+answer+" "); err != nil {
		t.Fatalf("right answer refused: %v", err)
	}
	if err := s.Verify(ctx, c.ID, answer); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("second use accepted: %v", err)
	}

	c2, _ := s.New(ctx)
	answer2, _, _ := store.GetDel(ctx, KeyPrefix+c2.ID)
	store.SetEx(ctx, KeyPrefix+c2.ID, answer2, TTL)
	if err := s.Verify(ctx, c2.ID, "wrong"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("wrong answer: %v", err)
	}
	if err := s.Verify(ctx, c2.ID, answer2); err == nil {
		t.Fatal("a wrong guess must consume the captcha")
	}

	c3, _ := s.New(ctx)
	answer3, _, _ := store.GetDel(ctx, KeyPrefix+c3.ID)
	store.SetEx(ctx, KeyPrefix+c3.ID, answer3, TTL)
	now = now.Add(TTL + time.Second)
	if err := s.Verify(ctx, c3.ID, answer3); err == nil {
		t.Fatal("expired captcha accepted")
	}
}
