package release

import (
	"errors"
	"regexp"
	"strings"
)

// SemverRange is a parsed npm range ("1.x", "^1.2.3", "~1.2", ">=1.0.0
// <2.0.0", "1.2.3 - 1.4.0", "*", alternatives joined by "||"), desugared
// into comparator sets the way npm's `semver` 7 does (non-loose, without
// includePrerelease), so Satisfies and GreaterThanRange answer as
// semver.satisfies and semver.gtr do on the CodePush reference server.
type SemverRange struct {
	sets [][]comparator // any set whose comparators all hold
}

// comparator is one primitive test; any is npm's empty comparator (every
// version).
type comparator struct {
	op  string // "<", "<=", ">", ">=", "="
	v   Semver
	any bool
}

var errRange = errors.New("not a semver range")

// buildMeta is npm's BUILD: "+" and dot-separated [0-9A-Za-z-]+.
var buildMeta = regexp.MustCompile(`\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*`)

// ParseSemverRange parses an npm range; an error when npm's validRange
// would return null.
func ParseSemverRange(s string) (SemverRange, error) {
	if len(s) > 256 {
		return SemverRange{}, errRange
	}
	// npm strips build metadata everywhere first ("1+b.1" is "1").
	s = buildMeta.ReplaceAllString(s, "")
	var r SemverRange
	for _, alt := range strings.Split(s, "||") {
		set, err := parseComparatorSet(alt)
		if err != nil {
			return SemverRange{}, err
		}
		r.sets = append(r.sets, set)
	}
	// npm's Range: null sets go unless all are; a lone "any" set is the
	// whole range.
	if len(r.sets) > 1 {
		first := r.sets[0]
		kept := r.sets[:0]
		for _, set := range r.sets {
			if !isNullSet(set) {
				kept = append(kept, set)
			}
		}
		r.sets = kept
		if len(r.sets) == 0 {
			r.sets = [][]comparator{first}
		}
		for _, set := range r.sets {
			if len(set) == 1 && set[0].any {
				r.sets = [][]comparator{set}
				break
			}
		}
	}
	return r, nil
}

// isNullSet reports whether a set is npm's null set (<0.0.0-0).
func isNullSet(set []comparator) bool {
	return len(set) == 1 && !set[0].any && set[0].op == "<" && set[0].v.Compare(upper(0, 0, 0)) == 0
}

// parseComparatorSet desugars one alternative.
func parseComparatorSet(s string) ([]comparator, error) {
	s = strings.TrimSpace(s)
	// npm allows whitespace between an operator and its version.
	fields := strings.Fields(s)
	if i := indexOf(fields, "-"); i >= 0 {
		if len(fields) != 3 || i != 1 {
			return nil, errRange
		}
		return hyphenRange(fields[0], fields[2])
	}
	var toks []string
	for i := 0; i < len(fields); i++ {
		f := fields[i]
		if isOperator(f) {
			if i+1 >= len(fields) {
				return nil, errRange
			}
			f += fields[i+1]
			i++
		}
		toks = append(toks, f)
	}
	if len(toks) == 0 {
		return []comparator{{any: true}}, nil
	}
	var out []comparator
	for _, t := range toks {
		cs, err := desugar(t)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return simplifySet(out), nil
}

// simplifySet is npm's parseRange clean-up: ">=0.0.0" means any; a set
// with the null comparator (<0.0.0-0) is just that one, and "any"
// comparators beside others go.
func simplifySet(set []comparator) []comparator {
	for i, c := range set {
		if c.op == ">=" && c.v.Compare(Semver{}) == 0 && len(c.v.Pre) == 0 {
			set[i] = comparator{any: true}
		}
	}
	null := upper(0, 0, 0)
	for _, c := range set {
		if !c.any && c.op == "<" && c.v.Compare(null) == 0 {
			return []comparator{c}
		}
	}
	if len(set) < 2 {
		return set
	}
	out := set[:0:0]
	for _, c := range set {
		if !c.any {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return set[:1]
	}
	return out
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func isOperator(s string) bool {
	switch s {
	case "<", "<=", ">", ">=", "=", "~", "~>", "^":
		return true
	}
	return false
}

// partial is a version with wildcards: n parts given (0..3), the rest x.
type partial struct {
	v Semver
	n int // how many of major, minor, patch are numbers
}

// parsePartial parses "1", "1.2", "1.x", "1.2.3-pre", "*", "" (n=0). As
// in npm, a prerelease is only allowed after three parts (and dropped when
// one is a wildcard); a number after a wildcard ("x.2") is refused in a
// plain x-range (strict) and counts as a wildcard after ~, ^ and in
// hyphen ranges.
func parsePartial(s string, strict bool) (partial, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "v"), "=")
	s = strings.TrimPrefix(s, "v")
	if s == "" {
		return partial{}, nil
	}
	var p partial
	core := s
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		core = s[:i]
	}
	parts := strings.Split(core, ".")
	if len(parts) > 3 || core != s && len(parts) != 3 {
		return partial{}, errRange
	}
	wild := false
	for i, part := range parts {
		if part == "x" || part == "X" || part == "*" {
			wild = true
			continue
		}
		n, ok := numericIdent(part)
		if !ok {
			return partial{}, errRange
		}
		if wild && strict {
			return partial{}, errRange
		}
		if wild {
			continue
		}
		*[]*int64{&p.v.Major, &p.v.Minor, &p.v.Patch}[i] = n
		p.n = i + 1
	}
	if core != s {
		rest := s[len(core):]
		if pre, build, _ := strings.Cut(rest[1:], "+"); rest[0] == '-' && !validIdents(pre, true) ||
			rest[0] == '-' && strings.Contains(rest, "+") && !validIdents(build, false) ||
			rest[0] == '+' && !validIdents(rest[1:], false) {
			return partial{}, errRange
		}
		if p.n == 3 {
			full, err := ParseSemver(s)
			if err != nil {
				return partial{}, errRange
			}
			p.v = full
		}
	}
	return p, nil
}

// upper returns the exclusive bound "M.m.p-0" npm 7 writes.
func upper(maj, min, pat int64) Semver { return Semver{maj, min, pat, []string{"0"}} }

// desugar turns one token (operator + partial version) into primitives.
func desugar(t string) ([]comparator, error) {
	op := ""
	for _, o := range []string{"~>", ">=", "<=", "~", "^", ">", "<", "="} {
		if strings.HasPrefix(t, o) {
			op, t = o, t[len(o):]
			break
		}
	}
	p, err := parsePartial(t, op != "~" && op != "~>" && op != "^")
	if err != nil {
		return nil, err
	}
	v := p.v
	ge := func(s Semver) comparator { return comparator{op: ">=", v: s} }
	lt := func(s Semver) comparator { return comparator{op: "<", v: s} }
	switch op {
	case "~", "~>":
		switch p.n {
		case 0:
			return []comparator{{any: true}}, nil
		case 1:
			return []comparator{ge(Semver{Major: v.Major}), lt(upper(v.Major+1, 0, 0))}, nil
		default:
			return []comparator{ge(v), lt(upper(v.Major, v.Minor+1, 0))}, nil
		}
	case "^":
		switch {
		case p.n == 0:
			return []comparator{{any: true}}, nil
		case p.n == 1:
			return []comparator{ge(Semver{Major: v.Major}), lt(upper(v.Major+1, 0, 0))}, nil
		case p.n == 2 && v.Major == 0:
			return []comparator{ge(Semver{Minor: v.Minor}), lt(upper(0, v.Minor+1, 0))}, nil
		case p.n == 2:
			return []comparator{ge(Semver{Major: v.Major, Minor: v.Minor}), lt(upper(v.Major+1, 0, 0))}, nil
		case v.Major > 0:
			return []comparator{ge(v), lt(upper(v.Major+1, 0, 0))}, nil
		case v.Minor > 0:
			return []comparator{ge(v), lt(upper(0, v.Minor+1, 0))}, nil
		default:
			return []comparator{ge(v), lt(upper(0, 0, v.Patch+1))}, nil
		}
	}
	if p.n == 3 {
		if op == "" {
			op = "="
		}
		return []comparator{{op: op, v: v}}, nil
	}
	// An x-range (PROTOCOLS: npm's replaceXRange).
	if p.n == 0 {
		if op == "<" || op == ">" {
			return []comparator{lt(upper(0, 0, 0))}, nil // nothing
		}
		return []comparator{{any: true}}, nil
	}
	if p.n == 1 {
		v.Minor = 0
	}
	v.Patch = 0
	next := func() Semver {
		if p.n == 1 {
			return Semver{Major: v.Major + 1}
		}
		return Semver{Major: v.Major, Minor: v.Minor + 1}
	}
	switch op {
	case ">":
		return []comparator{ge(next())}, nil
	case ">=":
		return []comparator{ge(v)}, nil
	case "<":
		return []comparator{lt(Semver{v.Major, v.Minor, 0, []string{"0"}})}, nil
	case "<=":
		n := next()
		return []comparator{lt(Semver{n.Major, n.Minor, 0, []string{"0"}})}, nil
	}
	n := next()
	return []comparator{ge(v), lt(upper(n.Major, n.Minor, 0))}, nil
}

// hyphenRange desugars "a - b".
func hyphenRange(a, b string) ([]comparator, error) {
	from, err := parsePartial(a, false)
	if err != nil {
		return nil, err
	}
	to, err := parsePartial(b, false)
	if err != nil {
		return nil, err
	}
	var out []comparator
	switch from.n {
	case 0:
	case 1:
		out = append(out, comparator{op: ">=", v: Semver{Major: from.v.Major}})
	case 2:
		out = append(out, comparator{op: ">=", v: Semver{Major: from.v.Major, Minor: from.v.Minor}})
	default:
		out = append(out, comparator{op: ">=", v: from.v})
	}
	switch to.n {
	case 0:
	case 1:
		out = append(out, comparator{op: "<", v: upper(to.v.Major+1, 0, 0)})
	case 2:
		out = append(out, comparator{op: "<", v: upper(to.v.Major, to.v.Minor+1, 0)})
	default:
		out = append(out, comparator{op: "<=", v: to.v})
	}
	if len(out) == 0 {
		out = append(out, comparator{any: true})
	}
	return simplifySet(out), nil
}

func (c comparator) test(v Semver) bool {
	if c.any {
		return true
	}
	d := v.Compare(c.v)
	switch c.op {
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	case ">=":
		return d >= 0
	}
	return d == 0
}

// Satisfies reports semver.satisfies(v, r): some set holds every
// comparator, and a prerelease v only matches a set that names a
// prerelease of the same major.minor.patch.
func (r SemverRange) Satisfies(v Semver) bool {
	for _, set := range r.sets {
		if testSet(set, v) {
			return true
		}
	}
	return false
}

func testSet(set []comparator, v Semver) bool {
	for _, c := range set {
		if !c.test(v) {
			return false
		}
	}
	if len(v.Pre) == 0 {
		return true
	}
	for _, c := range set {
		if !c.any && len(c.v.Pre) > 0 && c.v.Major == v.Major && c.v.Minor == v.Minor && c.v.Patch == v.Patch {
			return true
		}
	}
	return false
}

// GreaterThanRange reports semver.gtr(v, r): v is above every version r
// could match (npm's outside(v, r, ">")).
func (r SemverRange) GreaterThanRange(v Semver) bool {
	if r.Satisfies(v) {
		return false
	}
	zero := comparator{op: ">=", v: Semver{}}
	for _, set := range r.sets {
		var high, low comparator
		for i, c := range set {
			if c.any {
				c = zero
			}
			if i == 0 {
				high, low = c, c
			}
			if c.v.Compare(high.v) > 0 {
				high = c
			} else if c.v.Compare(low.v) < 0 {
				low = c
			}
		}
		if high.op == ">" || high.op == ">=" {
			return false
		}
		if (low.op == "=" || low.op == ">") && v.Compare(low.v) <= 0 {
			return false
		}
		if low.op == ">=" && v.Compare(low.v) < 0 {
			return false
		}
	}
	return true
}
