package storage

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestValidKey(t *testing.T) {
	long := strings.Repeat("a/", 255) + "ab" // 512 bytes
	tests := []struct {
		key string
		ok  bool
	}{
		{"p1/2024-05/0123456789abcdef0123456789abcdef.wgt", true},
		{"a", true},
		{"A-Z_a.z/0-9", true},
		{"file.tar.gz", true},
		{long, true},
		{long + "c", false}, // 513 bytes
		{strings.Repeat("a", 255), true},
		{strings.Repeat("a", 256), false},
		{"", false},
		{"/abs", false},
		{"a/", false},
		{"a//b", false},
		{"..", false},
		{"../x", false},
		{"a/../b", false},
		{"a/..", false},
		{"a..b", false},
		{".", false},
		{"./a", false},
		{"a/./b", false},
		{".tmp/upload-1", false},
		{"a/.hidden", false},
		{`a\b`, false},
		{`..\..\etc`, false},
		{"a b", false},
		{"a?b", false},
		{"a%2Fb", false},
		{"a:b", false},
		{"a\x00b", false},
		{"ä", false},
		{"a\nb", false},
	}
	for _, tt := range tests {
		err := ValidKey(tt.key)
		if (err == nil) != tt.ok {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", tt.key, err, tt.ok)
		}
		if err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ValidKey(%q) code = %s, want invalid", tt.key, apperr.CodeOf(err))
		}
	}
}

func TestNewKey(t *testing.T) {
	now := time.Date(2024, 5, 31, 23, 30, 0, 0, time.FixedZone("UTC+8", 8*3600)) // 15:30 UTC
	tests := []struct {
		ext, want string
	}{
		{".wgt", ".wgt"},
		{".WGT", ".wgt"},
		{"apk", ".apk"},
		{".tar.gz", ".tar.gz"},
		{".", ""},
		{"", ""},
		{".toolongext", ""}, // 11 bytes
		{".abcdefghi", ".abcdefghi"},
		{"..wgt", ""},
		{".w/gt", ""},
		{".wgt.", ""},
		{".bin-1", ""},
		{".ä", ""},
	}
	pattern := regexp.MustCompile(`^proj1/2024-05/[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for _, tt := range tests {
		key := NewKey("proj1", now, tt.ext)
		base, ext := key[:len("proj1/2024-05/")+32], key[len("proj1/2024-05/")+32:]
		if !pattern.MatchString(base) || ext != tt.want {
			t.Errorf("NewKey(ext %q) = %q, want proj1/2024-05/{32 hex}%s", tt.ext, key, tt.want)
		}
		if err := ValidKey(key); err != nil {
			t.Errorf("NewKey(ext %q) = %q is not a valid key: %v", tt.ext, key, err)
		}
		if seen[key] {
			t.Errorf("NewKey returned %q twice", key)
		}
		seen[key] = true
	}
}

func TestValidPrefix(t *testing.T) {
	for _, p := range []string{"p1/", "p1/2024-05/", "a/b/c/"} {
		if err := ValidKeyPrefix(p); err != nil {
			t.Errorf("ValidKeyPrefix(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"", "/", "p1", "p1//", "/p1/", "../", "p1/../", "p*/", "p1/.x/", `p\1/`} {
		if err := ValidKeyPrefix(p); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ValidKeyPrefix(%q) = %v, want invalid", p, err)
		}
	}
}

// FuzzValidKey checks that every key ValidKey accepts, joined to a root with
// filepath.Join, names a path strictly inside the root, and exactly the path
// the key spells (no cleaning happened).
func FuzzValidKey(f *testing.F) {
	for _, seed := range []string{
		"p1/2024-05/0123456789abcdef0123456789abcdef.wgt", "a", "..", "a/../../b", "./a",
		"/etc/passwd", `..\x`, "a//b", "a/", ".", "a/.", "...", "a/...b", "-/_",
	} {
		f.Add(seed)
	}
	root := filepath.Join(string(filepath.Separator)+"srv", "hoist", "files")
	f.Fuzz(func(t *testing.T, key string) {
		if ValidKey(key) != nil {
			return
		}
		joined := filepath.Join(root, key)
		rel, err := filepath.Rel(root, joined)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			t.Fatalf("key %q escapes root: joined %q, rel %q (%v)", key, joined, rel, err)
		}
		if want := root + string(os.PathSeparator) + filepath.FromSlash(key); joined != want {
			t.Fatalf("key %q joined to %q, want %q", key, joined, want)
		}
	})
}
