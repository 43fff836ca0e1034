package release

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// semverVersions are the columns of semverTable.
var semverVersions = []string{"0.9.0", "1.0.0", "1.2.2", "1.2.3", "1.2.9", "1.3.0", "1.4.0", "1.4.1", "1.9.9", "2.0.0",
	"2.0.0-beta", "1.2.3-beta.3", "1.2.4-beta", "2.1.0", "3.0.0", "0.2.5", "0.3.0", "0.0.3"}

// semverTable was computed with npm's semver 7.8.5 (the reference server's
// library): per version, "s" when semver.satisfies(v, range) and "g" when
// semver.gtr(v, range).
var semverTable = []struct{ rng, want string }{
	{"1.x", "-- s- s- s- s- s- s- s- s- -g -g -g -g -g -g -- -- --"},
	{"^1.2.3", "-- -- -- s- s- s- s- s- s- -g -g -- -g -g -g -- -- --"},
	{"~1.2", "-- -- s- s- s- -g -g -g -g -g -g -g -g -g -g -- -- --"},
	{">=1.0.0 <2.0.0", "-- s- s- s- s- s- s- s- s- -g -g -g -g -g -g -- -- --"},
	{"1.2.3 - 1.4.0", "-- -- -- s- s- s- s- -g -g -g -g -- -g -g -g -- -- --"},
	{"*", "s- s- s- s- s- s- s- s- s- s- -- -- -- s- s- s- s- s-"},
	{"1.2.3", "-- -- -- s- -g -g -g -g -g -g -g -- -g -g -g -- -- --"},
	{"^0.2.3", "-g -g -g -g -g -g -g -g -g -g -g -g -g -g -g s- -g --"},
	{"^0.0.3", "-g -g -g -g -g -g -g -g -g -g -g -g -g -g -g -g -g s-"},
	{"~1", "-- s- s- s- s- s- s- s- s- -g -g -g -g -g -g -- -- --"},
	{"1.2.x", "-- -- s- s- s- -g -g -g -g -g -g -g -g -g -g -- -- --"},
	{"<1.2", "s- s- -g -g -g -g -g -g -g -g -g -g -g -g -g s- s- s-"},
	{">1.2", "-- -- -- -- -- s- s- s- s- s- -- -- -- s- s- -- -- --"},
	{"<=1.2", "s- s- s- s- s- -g -g -g -g -g -g -g -g -g -g s- s- s-"},
	{"1 - 2", "-- s- s- s- s- s- s- s- s- s- -g -g -g s- -g -- -- --"},
	{"1.2 - 1.3", "-- -- s- s- s- s- -g -g -g -g -g -g -g -g -g -- -- --"},
	{"^1.2.3-beta.2", "-- -- -- s- s- s- s- s- s- -g -g s- -g -g -g -- -- --"},
	{">= 1.0.0", "-- s- s- s- s- s- s- s- s- s- -- -- -- s- s- -- -- --"},
	{"1.0.0 || >=2.1.0 <3", "-- s- -- -- -- -- -- -- -- -- -- -- -- s- -g -- -- --"},
	{"~1.2.3-beta", "-- -- -- s- s- -g -g -g -g -g -g s- -g -g -g -- -- --"},
	{">1.2.3", "-- -- -- -- s- s- s- s- s- s- -- -- -- s- s- -- -- --"},
	{"=1.2.3", "-- -- -- s- -g -g -g -g -g -g -g -- -g -g -g -- -- --"},
	{"v1.2.3", "-- -- -- s- -g -g -g -g -g -g -g -- -g -g -g -- -- --"},
	{"", "s- s- s- s- s- s- s- s- s- s- -- -- -- s- s- s- s- s-"},
	{"^1", "-- s- s- s- s- s- s- s- s- -g -g -g -g -g -g -- -- --"},
	{"~>1.2.3", "-- -- -- s- s- -g -g -g -g -g -g -- -g -g -g -- -- --"},
}

func TestSemverRangeMatchesNPM(t *testing.T) {
	for _, tc := range semverTable {
		r, err := ParseSemverRange(tc.rng)
		if err != nil {
			t.Fatalf("ParseSemverRange(%q): %v", tc.rng, err)
		}
		for i, cell := range strings.Fields(tc.want) {
			v, err := ParseSemver(semverVersions[i])
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Satisfies(v); got != (cell[0] == 's') {
				t.Errorf("satisfies(%s, %q) = %v, npm says %v", v, tc.rng, got, !got)
			}
			if got := r.GreaterThanRange(v); got != (cell[1] == 'g') {
				t.Errorf("gtr(%s, %q) = %v, npm says %v", v, tc.rng, got, !got)
			}
		}
	}
}

func TestSemverRangeInvalid(t *testing.T) {
	// npm's validRange returns null for each.
	for _, s := range []string{"1.2.3.4", "x.1", "abc", ">=", "1.2-beta", "01.2.3", "1 - ", "^1.2.3 - 2"} {
		if _, err := ParseSemverRange(s); err == nil {
			t.Errorf("ParseSemverRange(%q) accepted it", s)
		}
	}
}

func TestParseSemver(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "1.2.3", "v1.2.3": "1.2.3", "1.2.3-beta+b": "1.2.3-beta", " 1.2.3 ": "1.2.3",
		"1.2": "", "01.2.3": "", "1.2.3-01": "", "=1.2.3": "", "": "", "1.2.3-": "", "1.2.3-a..b": ""} {
		v, err := ParseSemver(in)
		if got := v.String(); (err != nil) != (want == "") || err == nil && got != want {
			t.Errorf("ParseSemver(%q) = %q, %v; npm's valid says %q", in, got, err, want)
		}
	}
}

func TestNormalizeAppVersion(t *testing.T) {
	for in, want := range map[string]string{"1": "1.0.0", "2.0": "2.0.0", "2.0-beta": "2.0.0-beta", "2.0+b": "2.0.0+b",
		"1.2.3": "1.2.3", "1.2.3-beta": "1.2.3-beta", "abc": "abc", "1.": "1.", "": ""} {
		if got, _ := NormalizeAppVersion(in); got != want {
			t.Errorf("NormalizeAppVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseSemverRange(f *testing.F) {
	for _, tc := range semverTable {
		f.Add(tc.rng, "1.2.3")
	}
	f.Fuzz(func(t *testing.T, rng, ver string) {
		r, err := ParseSemverRange(rng)
		if err != nil {
			return
		}
		if v, err := ParseSemver(ver); err == nil {
			if r.Satisfies(v) && r.GreaterThanRange(v) {
				t.Fatalf("%s both satisfies and is above %q", v, rng)
			}
		}
	})
}

// TestSemverMatchesNPMRandom compares validRange, satisfies, gtr and valid
// with npm semver's answers on random inputs (testdata/semver_npm.js wrote
// testdata/semver_npm.json).
func TestSemverMatchesNPMRandom(t *testing.T) {
	b, err := os.ReadFile("testdata/semver_npm.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab struct {
		Version  string
		Ranges   [][]any
		Versions [][]any
	}
	if err := json.Unmarshal(b, &tab); err != nil {
		t.Fatal(err)
	}
	for _, row := range tab.Ranges {
		rs, vs := row[0].(string), row[1].(string)
		valid, sat, gtr := row[2].(bool), row[3].(bool), row[4].(bool)
		r, err := ParseSemverRange(rs)
		if (err == nil) != valid {
			t.Errorf("validRange(%q): Hoist %v, npm %s %v", rs, err == nil, tab.Version, valid)
			continue
		}
		v, err := ParseSemver(vs)
		if !valid || err != nil {
			continue
		}
		if r.Satisfies(v) != sat || r.GreaterThanRange(v) != gtr {
			t.Errorf("%q, %s: satisfies %v gtr %v; npm %v %v", rs, vs, r.Satisfies(v), r.GreaterThanRange(v), sat, gtr)
		}
	}
	for _, row := range tab.Versions {
		want, _ := row[1].(string) // null when invalid
		v, err := ParseSemver(row[0].(string))
		if got := v.String(); (err == nil) != (want != "") || err == nil && got != want {
			t.Errorf("valid(%q): Hoist %q %v, npm %q", row[0], got, err, want)
		}
	}
	t.Logf("%d ranges and %d versions against npm semver %s", len(tab.Ranges), len(tab.Versions), tab.Version)
}
