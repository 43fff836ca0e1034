package release

import (
	"cmp"
	"errors"
	"strconv"
	"strings"
)

// Semver is a semantic version as npm's `semver` package parses it
// (strictly: an optional leading "v", no leading zeros). The CodePush
// protocol's binary versions and target ranges follow npm's rules, so
// Hoist does too.
type Semver struct {
	Major, Minor, Patch int64
	// Pre holds the dot-separated prerelease identifiers (nil when none);
	// build metadata is dropped, as it never orders.
	Pre []string
}

var errSemver = errors.New("not a semantic version")

// ParseSemver parses a full version "1.2.3", "v1.2.3-beta.1+build"; an
// error for anything else ("1.2", "01.2.3").
func ParseSemver(s string) (Semver, error) {
	s = strings.TrimSpace(s)
	if len(s) > 256 {
		return Semver{}, errSemver
	}
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !validIdents(s[i+1:], false) {
			return Semver{}, errSemver
		}
		s = s[:i]
	}
	var v Semver
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if !validIdents(s[i+1:], true) {
			return Semver{}, errSemver
		}
		v.Pre = strings.Split(s[i+1:], ".")
		s = s[:i]
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return Semver{}, errSemver
	}
	for i, p := range parts {
		n, ok := numericIdent(p)
		if !ok {
			return Semver{}, errSemver
		}
		*[]*int64{&v.Major, &v.Minor, &v.Patch}[i] = n
	}
	return v, nil
}

// numericIdent parses 0 or [1-9][0-9]* within JavaScript's safe integers.
func numericIdent(p string) (int64, bool) {
	if p == "" || len(p) > 1 && p[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseInt(p, 10, 64)
	if err != nil || n < 0 || n > 1<<53-1 {
		return 0, false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, false
		}
	}
	return n, true
}

// validIdents checks dot-separated identifiers of [0-9A-Za-z-]; numeric
// prerelease identifiers have no leading zeros.
func validIdents(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		digits := true
		for i := 0; i < len(id); i++ {
			c := id[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-':
				digits = false
			default:
				return false
			}
		}
		if pre && digits && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

// Compare orders versions as semver does: a prerelease is below its
// release; numeric identifiers compare numerically and below alphanumeric
// ones.
func (v Semver) Compare(w Semver) int {
	if c := cmp.Compare(v.Major, w.Major); c != 0 {
		return c
	}
	if c := cmp.Compare(v.Minor, w.Minor); c != 0 {
		return c
	}
	if c := cmp.Compare(v.Patch, w.Patch); c != 0 {
		return c
	}
	switch {
	case len(v.Pre) == 0 && len(w.Pre) == 0:
		return 0
	case len(v.Pre) == 0:
		return 1
	case len(w.Pre) == 0:
		return -1
	}
	for i := 0; i < len(v.Pre) && i < len(w.Pre); i++ {
		a, b := v.Pre[i], w.Pre[i]
		an, aNum := numericIdent(a)
		bn, bNum := numericIdent(b)
		var c int
		switch {
		case aNum && bNum:
			c = cmp.Compare(an, bn)
		case aNum:
			c = -1
		case bNum:
			c = 1
		default:
			c = strings.Compare(a, b)
		}
		if c != 0 {
			return c
		}
	}
	return cmp.Compare(len(v.Pre), len(w.Pre))
}

// String formats v without build metadata.
func (v Semver) String() string {
	s := strconv.FormatInt(v.Major, 10) + "." + strconv.FormatInt(v.Minor, 10) + "." + strconv.FormatInt(v.Patch, 10)
	if len(v.Pre) > 0 {
		s += "-" + strings.Join(v.Pre, ".")
	}
	return s
}

// NormalizeAppVersion applies the CodePush server's leniency to a binary
// version before it must be semver (PROTOCOLS §6): "1" → "1.0.0", "2.0" →
// "2.0.0", "2.0-beta" → "2.0.0-beta". changed reports whether it added
// anything (the answer then echoes the original).
func NormalizeAppVersion(s string) (norm string, changed bool) {
	isDigits := func(t string) bool {
		if t == "" {
			return false
		}
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return false
			}
		}
		return true
	}
	if isDigits(s) {
		return s + ".0.0", true
	}
	// ^\d+\.\d+([+-].*)?$
	core, rest := s, ""
	if i := strings.IndexAny(s, "+-"); i >= 0 {
		core, rest = s[:i], s[i:]
	}
	if maj, min, ok := strings.Cut(core, "."); ok && isDigits(maj) && isDigits(min) {
		return core + ".0" + rest, true
	}
	return s, false
}
