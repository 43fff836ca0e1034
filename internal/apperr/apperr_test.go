package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestCodeOf(t *testing.T) {
	wrapped := fmt.Errorf("store: get x: %w", New(NotFound, "project not found"))
	cases := []struct {
		name string
		err  error
		want Code
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), Internal},
		{"direct", New(Conflict, "taken"), Conflict},
		{"wrapped", wrapped, NotFound},
		{"fields", Fields(FieldError{"name", "is required"}), Invalid},
	}
	for _, c := range cases {
		if got := CodeOf(c.err); got != c.want {
			t.Errorf("%s: CodeOf = %q, want %q", c.name, got, c.want)
		}
	}
	if !Is(wrapped, NotFound) || Is(wrapped, Conflict) || Is(nil, Internal) {
		t.Error("Is disagrees with CodeOf")
	}
}

func TestFieldsMessageListsEveryField(t *testing.T) {
	err := Fields(FieldError{"versionCode", "must be greater than 12"}, FieldError{"name", "is required"})
	if err.Message != "versionCode must be greater than 12; name is required" {
		t.Fatalf("message = %q", err.Message)
	}
}

func TestWrapKeepsCauseOutOfMessage(t *testing.T) {
	cause := errors.New("dial tcp: refused")
	err := Wrap(cause, Unavailable, "database unreachable")
	if !errors.Is(err, cause) {
		t.Fatal("cause not in chain")
	}
	if err.Message != "database unreachable" {
		t.Fatalf("message leaks cause: %q", err.Message)
	}
}
