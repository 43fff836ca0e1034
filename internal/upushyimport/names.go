package upushyimport

import (
	"strings"

	"github.com/hoist-ota/hoist/internal/account"
)

// hoistUsername returns the name under which an upushy user is imported:
// the upushy name when Hoist allows it, else a normalised one. upushy took
// any 1 to 50 characters; Hoist takes 3 to 50 of A-Za-z0-9_.- . Every run
// of other characters becomes one "_", and a name that stays shorter than 3
// characters gets "upushy-" and the start of the user's id, which keeps it
// unique and the same on every run.
func hoistUsername(name, id string) string {
	if account.ValidateUsername(name) == nil {
		return name
	}
	var b strings.Builder
	gap := false
	for _, r := range strings.TrimSpace(name) {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
			continue
		}
		gap = true
	}
	out := b.String()
	if len(out) > 40 {
		out = out[:40]
	}
	if len(out) < 3 {
		out = strings.Trim("upushy-"+out+"-"+id[:8], "-")
		out = strings.ReplaceAll(out, "--", "-")
	}
	return out
}

// withIDSuffix makes name distinct from another user's: name-<id prefix>.
func withIDSuffix(name, id string) string {
	if len(name) > 41 {
		name = name[:41]
	}
	return name + "-" + id[:8]
}
