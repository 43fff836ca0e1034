package device

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestValidation(t *testing.T) {
	for _, name := range []string{"a/b", "+", "#", "$x", "", strings.Repeat("a", 65), "a b", "é"} {
		if err := (ProductFields{Name: name, ProjectID: "p"}).validate(); !hasField(err, "name") {
			t.Errorf("product name %q: %v", name, err)
		}
		var fs fieldErrs
		NewDevice{Name: name}.validate(&fs, "devices[2].")
		if !hasField(fs.err(), "devices[2].name") {
			t.Errorf("device name %q: %v", name, fs.err())
		}
		fs = nil
		NewDevice{Name: "ok", Tags: []string{"fine", name}}.validate(&fs, "")
		if !hasField(fs.err(), "tags") {
			t.Errorf("tag %q: %v", name, fs.err())
		}
	}
	for _, name := range []string{"a", strings.Repeat("Z", 64), "dev-01_a.b", ".", ".."} {
		if err := (ProductFields{Name: name, ProjectID: "p"}).validate(); err != nil {
			t.Errorf("product name %q: %v", name, err)
		}
	}
	if err := (ProductFields{Name: "p"}).validate(); !hasField(err, "projectId") {
		t.Errorf("missing project: %v", err)
	}
	long := strings.Repeat("é", 256)
	if err := (ProductPatch{Description: &long}).validate(); !hasField(err, "description") {
		t.Errorf("long description: %v", err)
	}
	many := make([]string, MaxTags+1)
	for i := range many {
		many[i] = "t" + strings.Repeat("x", i)
	}
	var fs fieldErrs
	checkTags(&fs, "tags", many)
	if !hasField(fs.err(), "tags") {
		t.Errorf("%d tags accepted", len(many))
	}
	fs = nil
	checkTags(&fs, "tags", append(many[:MaxTags:MaxTags], many[0])) // a repeat does not count
	if fs.err() != nil {
		t.Errorf("%d distinct tags refused: %v", MaxTags, fs.err())
	}
}

func TestNormTags(t *testing.T) {
	if got := normTags(nil); got == nil || len(got) != 0 {
		t.Fatalf("nil: %#v", got)
	}
	if got := strings.Join(normTags([]string{"b", "a", "b", "A"}), ","); got != "A,a,b" {
		t.Fatalf("got %s", got)
	}
}

func TestFirmwareVersion(t *testing.T) {
	cases := map[string]string{
		`{"version":"1.2.0"}`:                             "1.2.0",
		`{"firmwareVersion":" 2.0 ","version":"1.0"}`:     "2.0",
		`{"firmwareVersion":5,"version":"1.0"}`:           "1.0",
		`{"version":3}`:                                   "",
		`{"version":""}`:                                  "",
		`{"other":"x"}`:                                   "",
		`{"version":"` + strings.Repeat("9", 51) + `"}`:   "",
		`{"version":{"nested":"no"},"firmwareVersion":1}`: "",
	}
	for in, want := range cases {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(in), &fields); err != nil {
			t.Fatal(err)
		}
		got := ""
		if v := firmwareVersion(fields); v != nil {
			got = *v
		}
		if got != want {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}

func TestHashSecretBindsIdentity(t *testing.T) {
	key := []byte("k")
	h := hashSecret(key, "p", "d", "s")
	if len(h) != 64 || h == hashSecret(key, "p", "e", "s") || h == hashSecret([]byte("other"), "p", "d", "s") ||
		h != hashSecret(key, "p", "d", "s") {
		t.Fatal("hash does not depend on exactly key, identity and secret")
	}
	// "p/d" + "\n" + "s" cannot be confused by moving the separator.
	if hashSecret(key, "p", "d\ns", "") == h {
		t.Fatal("ambiguous encoding")
	}
	if s := newSecret(); !strings.HasPrefix(s, SecretPrefix) || len(s) != 47 {
		t.Fatalf("secret %q", s)
	}
}

func hasField(err error, field string) bool {
	var ae *apperr.Error
	if !apperr.Is(err, apperr.Invalid) || !errors.As(err, &ae) {
		return false
	}
	for _, f := range ae.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
