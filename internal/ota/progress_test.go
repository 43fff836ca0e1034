package ota

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestStates(t *testing.T) {
	all := AllStates()
	if len(all) != 14 || all[0] != StateWaiting || all[1] != StateSent || all[len(all)-1] != StateCancelled {
		t.Fatalf("AllStates() = %v", all)
	}
	all[0] = "mutated"
	if AllStates()[0] != StateWaiting {
		t.Fatal("AllStates shares its slice")
	}
	final := map[State]bool{StateSucceeded: true, StateFailed: true, StateRejected: true, StateSkipped: true, StateExpired: true, StateCancelled: true}
	for _, s := range AllStates() {
		if s.Final() != final[s] || !s.Valid() {
			t.Errorf("%s: Final() = %v, Valid() = %v", s, s.Final(), s.Valid())
		}
	}
	for _, s := range []State{"", "Sent", "unknown", "updated"} {
		if s.Final() || s.Valid() {
			t.Errorf("%q is final or valid", s)
		}
	}
}

func TestParseProgress(t *testing.T) {
	ts := time.Unix(1700000000, 0).UTC()
	cases := []struct {
		payload string
		state   State
		percent int
		errText string
		check   func(Progress) bool
	}{
		{`{}`, "", -1, "", nil},
		{` { "currentVersion" : "1.2.0" } `, "", -1, "", func(p Progress) bool {
			return p.CurrentVersion == "1.2.0" && string(p.Raw) == `{"currentVersion":"1.2.0"}`
		}},
		{`{"state":"accepted"}`, StateAccepted, -1, "", nil},
		{`{"state":"DOWNLOADING","progress":40}`, StateDownloading, 40, "", nil},
		{`{"state":" Downloaded "}`, StateDownloaded, -1, "", nil},
		{`{"state":"verified"}`, StateVerified, -1, "", nil},
		{`{"state":"installing"}`, StateInstalling, -1, "", nil},
		{`{"state":"rebooting"}`, StateRebooting, -1, "", nil},
		{`{"state":"succeeded"}`, StateSucceeded, -1, "", nil},
		{`{"state":"Updated"}`, StateSucceeded, -1, "", nil},
		{`{"state":"success"}`, StateSucceeded, -1, "", nil},
		{`{"state":"failed","error":"disk full"}`, StateFailed, -1, "disk full", nil},
		{`{"state":"ERROR"}`, StateFailed, -1, "", nil},
		{`{"state":"rejected","desc":"battery low"}`, StateRejected, -1, "", func(p Progress) bool { return p.Desc == "battery low" }},
		{`{"state":"downloading","progress":-2}`, StateDownloading, -1, "", nil},
		{`{"state":"failed","progress":-2}`, StateFailed, -1, "download failed", nil},
		{`{"state":null,"progress":null}`, "", -1, "", nil},
		{`{"state":""}`, "", -1, "", nil},
		{`{"progress":0}`, StateDownloading, 0, "", nil},
		{`{"progress":99}`, StateDownloading, 99, "", nil},
		{`{"progress":99.9}`, StateDownloading, 99, "", nil},
		{`{"progress":100}`, StateDownloaded, 100, "", nil},
		{`{"progress":1e2}`, StateDownloaded, 100, "", nil},
		{`{"progress":"50"}`, StateDownloading, 50, "", nil},
		{`{"progress":" 100 "}`, StateDownloaded, 100, "", nil},
		{`{"progress":""}`, "", -1, "", nil},
		{`{"progress":-1}`, StateFailed, -1, "upgrade failed", nil},
		{`{"progress":-2}`, StateFailed, -1, "download failed", nil},
		{`{"progress":"-3"}`, StateFailed, -1, "verification failed", nil},
		{`{"progress":-4,"error":"flash"}`, StateFailed, -1, "install failed: flash", nil},
		{`{"progress":-7}`, StateFailed, -1, "failed (code -7)", nil},
		{`{"step":"-2","desc":"no package"}`, StateFailed, -1, "download failed", nil},
		{`{"step":30}`, StateDownloading, 30, "", nil},
		{`{"progress":60,"step":-3}`, StateFailed, 60, "verification failed", nil},
		{`{"progress":-1,"step":-2}`, StateFailed, -1, "upgrade failed", nil},
		{`{"progress":20,"error":"timeout"}`, StateFailed, 20, "timeout", nil},
		{`{"error":""}`, "", -1, "", nil},
		{`{"error":0}`, "", -1, "", nil},
		{`{"error":false}`, "", -1, "", nil},
		{`{"error":{}}`, "", -1, "", nil},
		{`{"error":500}`, StateFailed, -1, "500", nil},
		{`{"error":{"code":5}}`, StateFailed, -1, `{"code":5}`, nil},
		{`{"requestId":"r1","version":2,"currentVersion":"1.0","desc":{"a":1}}`, "", -1, "", func(p Progress) bool {
			return p.RequestID == "r1" && p.Version == "2" && p.CurrentVersion == "1.0" && p.Desc == `{"a":1}`
		}},
		{`{"ts":1700000000}`, "", -1, "", func(p Progress) bool { return p.Time.Equal(ts) && p.Time.Location() == time.UTC }},
		{`{"ts":"1700000000123"}`, "", -1, "", func(p Progress) bool { return p.Time.Equal(ts.Add(123 * time.Millisecond)) }},
		{`{"ts":1700000000.5}`, "", -1, "", func(p Progress) bool { return p.Time.Equal(ts.Add(500 * time.Millisecond)) }},
		{`{"ts":0}`, "", -1, "", func(p Progress) bool { return p.Time.IsZero() }},
		{`{"unknown":[1,2],"progress":5}`, StateDownloading, 5, "", nil},
		{`{"Progress":5}`, StateDownloading, 5, "", nil},
	}
	for _, c := range cases {
		p, err := ParseProgress([]byte(c.payload))
		if err != nil {
			t.Errorf("%s: %v", c.payload, err)
			continue
		}
		if p.State != c.state || p.Percent != c.percent || p.Error != c.errText || (c.check != nil && !c.check(p)) {
			t.Errorf("%s: got %+v, want state %q percent %d error %q", c.payload, p, c.state, c.percent, c.errText)
		}
		if !json.Valid(p.Raw) {
			t.Errorf("%s: Raw %q is not JSON", c.payload, p.Raw)
		}
	}
}

func TestParseProgressInvalid(t *testing.T) {
	cases := map[string]string{ // payload → offending field ("" for the payload)
		``:                    "",
		`null`:                "",
		`[]`:                  "",
		`"x"`:                 "",
		`{`:                   "",
		`{} {}`:               "",
		"{\"desc\":\"\xff\"}": "",
		`{"desc":"` + strings.Repeat("x", MaxProgressSize) + `"}`: "",
		`{"state":"done"}`:      "state",
		`{"state":"sent"}`:      "state",
		`{"state":"expired"}`:   "state",
		`{"state":true}`:        "state",
		`{"state":{}}`:          "state",
		`{"requestId":[1]}`:     "requestId",
		`{"version":false}`:     "version",
		`{"currentVersion":{}}`: "currentVersion",
		`{"progress":101}`:      "progress",
		`{"progress":"abc"}`:    "progress",
		`{"progress":"5O"}`:     "progress",
		`{"progress":"0x10"}`:   "progress",
		`{"progress":"NaN"}`:    "progress",
		`{"progress":"1e2"}`:    "progress",
		`{"progress":-1.5}`:     "progress",
		`{"progress":-1e300}`:   "progress",
		`{"progress":true}`:     "progress",
		`{"progress":[50]}`:     "progress",
		`{"step":200}`:          "step",
		`{"ts":-1}`:             "ts",
		`{"ts":"yesterday"}`:    "ts",
		`{"ts":500000000000}`:   "ts",
		`{"ts":1e20}`:           "ts",
	}
	for payload, field := range cases {
		p, err := ParseProgress([]byte(payload))
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%.60s: got %+v, %v; want invalid", payload, p, err)
			continue
		}
		var e *apperr.Error
		if field != "" && (!errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != field) {
			t.Errorf("%s: %v does not name field %s", payload, err, field)
		}
	}
	_, err := ParseProgress([]byte(`{"progress":"x","ts":"y","state":"z"}`))
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) != 3 {
		t.Errorf("every field error must be reported, got %v", err)
	}
}

func FuzzParseProgress(f *testing.F) {
	for _, s := range []string{`{}`, `{"state":"Success","progress":"50"}`, `{"progress":-2,"step":"-3","error":1}`, `{"ts":1700000000123}`, `[]`, `{"progress":99.99}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		p, err := ParseProgress(payload)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if p.State != "" && !slices.Contains(AllStates(), p.State) {
			t.Fatalf("state %q", p.State)
		}
		if p.Percent < -1 || p.Percent > 100 {
			t.Fatalf("percent %d", p.Percent)
		}
		if !json.Valid(p.Raw) || p.Raw[0] != '{' {
			t.Fatalf("Raw %q", p.Raw)
		}
		if again, err := ParseProgress(p.Raw); err != nil || again.State != p.State || again.Percent != p.Percent || again.Error != p.Error {
			t.Fatalf("Raw %q parses differently: %+v, %v", p.Raw, again, err)
		}
	})
}

func TestNext(t *testing.T) {
	cases := []struct {
		current State
		report  Progress
		target  string
		want    State
		changed bool
	}{
		{StateSent, Progress{State: StateAccepted}, "2.0", StateAccepted, true},
		{"", Progress{State: StateDownloading}, "2.0", StateDownloading, true},
		{StateAccepted, Progress{State: StateDownloading}, "2.0", StateDownloading, true},
		{StateDownloading, Progress{State: StateDownloading, Percent: 80}, "2.0", StateDownloading, false},
		{StateDownloading, Progress{State: StateInstalling}, "2.0", StateInstalling, true},
		{StateInstalling, Progress{State: StateDownloading}, "2.0", StateInstalling, false},
		{StateRebooting, Progress{State: StateAccepted}, "2.0", StateRebooting, false},
		{StateSent, Progress{State: StateRebooting}, "2.0", StateRebooting, true},
		{StateSent, Progress{State: StateSucceeded}, "2.0", StateSucceeded, true},
		{StateRebooting, Progress{State: StateFailed}, "2.0", StateFailed, true},
		{StateAccepted, Progress{State: StateRejected}, "2.0", StateRejected, true},
		{StateInstalling, Progress{}, "2.0", StateInstalling, false},
		{StateInstalling, Progress{CurrentVersion: "1.0"}, "2.0", StateInstalling, false},
		{StateInstalling, Progress{CurrentVersion: "2.0"}, "2.0", StateSucceeded, true},
		{StateSent, Progress{State: StateFailed, CurrentVersion: "2.0"}, "2.0", StateSucceeded, true},
		{StateSent, Progress{CurrentVersion: ""}, "", StateSent, false},
		{StateSent, Progress{State: "bogus"}, "2.0", StateSent, false},
		{StateSucceeded, Progress{State: StateFailed}, "2.0", StateSucceeded, false},
		{StateFailed, Progress{CurrentVersion: "2.0"}, "2.0", StateFailed, false},
		{StateFailed, Progress{State: StateDownloading}, "2.0", StateFailed, false},
		{StateExpired, Progress{State: StateSucceeded}, "2.0", StateExpired, false},
		{StateCancelled, Progress{State: StateAccepted}, "2.0", StateCancelled, false},
	}
	for _, c := range cases {
		got, changed := Next(c.current, c.report, c.target)
		if got != c.want || changed != c.changed {
			t.Errorf("Next(%q, %+v, %q) = %q, %v; want %q, %v", c.current, c.report, c.target, got, changed, c.want, c.changed)
		}
	}
}

// TestNextProperties checks every (current, reported) pair: a final state
// never changes, changed is exactly got != current, and a non-final state
// never moves backwards to an earlier non-final state.
func TestNextProperties(t *testing.T) {
	states := append(AllStates(), "", "bogus")
	for _, cur := range states {
		for _, rep := range states {
			for _, cv := range []string{"", "1.0", "2.0"} {
				for _, target := range []string{"", "2.0"} {
					got, changed := Next(cur, Progress{State: rep, CurrentVersion: cv}, target)
					if cur.Final() && (got != cur || changed) {
						t.Fatalf("final %q moved to %q", cur, got)
					}
					if changed != (got != cur) {
						t.Fatalf("Next(%q, %q) = %q, changed %v", cur, rep, got, changed)
					}
					if !got.Final() && got.rank() < cur.rank() {
						t.Fatalf("Next(%q, %q) went back to %q", cur, rep, got)
					}
					if changed && !got.Valid() {
						t.Fatalf("Next(%q, %q) = invalid %q", cur, rep, got)
					}
				}
			}
		}
	}
}
