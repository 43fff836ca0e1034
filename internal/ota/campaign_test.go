package ota

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

func TestExpiryRoundsUpToASecond(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		now  time.Time
		ttl  time.Duration
		want time.Time
	}{
		{base, time.Minute, base.Add(time.Minute)},
		{base.Add(700 * time.Millisecond), time.Second, base.Add(2 * time.Second)},
		{base.Add(time.Millisecond), time.Hour, base.Add(time.Hour + time.Second)},
	}
	for _, c := range cases {
		if got := expiry(c.now, c.ttl); !got.Equal(c.want) {
			t.Errorf("expiry(%v, %v) = %v, want %v", c.now, c.ttl, got, c.want)
		}
	}
}

func TestEntryApply(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	report := func(payload string) Progress {
		p, err := ParseProgress([]byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		from     State
		payload  string
		state    State
		progress int
		errText  string
	}{
		{StateSent, `{"progress":40}`, StateDownloading, 40, ""},
		{StateDownloading, `{"state":"installing"}`, StateInstalling, 7, ""}, // progress kept
		{StateInstalling, `{"progress":50}`, StateInstalling, 50, ""},        // backwards state ignored, percent kept
		{StateSent, `{"currentVersion":"2.0"}`, StateSucceeded, 100, ""},
		{StateSent, `{"progress":-3,"error":"bad sig"}`, StateFailed, 7, "verification failed: bad sig"},
		{StateSent, `{"state":"failed","error":"` + strings.Repeat("é", 600) + `"}`, StateFailed, 7, strings.Repeat("é", 500)},
		{StateCancelled, `{"state":"succeeded"}`, StateCancelled, 7, ""}, // final: untouched
		{StateExpired, `{"currentVersion":"2.0"}`, StateExpired, 7, ""},
	}
	for _, c := range cases {
		e := Entry{State: c.from, Progress: 7}
		e.apply(report(c.payload), "2.0", at)
		if e.State != c.state || e.Progress != c.progress || e.Error != c.errText {
			t.Errorf("%s + %s: %s %d %q", c.from, c.payload, e.State, e.Progress, e.Error)
		}
		touched := string(e.LastReport) != ""
		if touched == c.from.Final() || (touched && !e.UpdatedTime.Equal(at)) {
			t.Errorf("%s + %s: last report %s at %v", c.from, c.payload, e.LastReport, e.UpdatedTime)
		}
	}
}

func TestCampaignStatus(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cancelled := now
	cases := []struct {
		c    Campaign
		want CampaignStatus
	}{
		{Campaign{ExpiresAt: now.Add(time.Hour), Counts: map[State]int64{StateSent: 1}}, CampaignActive},
		{Campaign{ExpiresAt: now.Add(time.Hour), Counts: map[State]int64{StateSucceeded: 2, StateSent: 0}}, CampaignCompleted},
		{Campaign{ExpiresAt: now.Add(-time.Hour), Counts: map[State]int64{StateSucceeded: 2}}, CampaignCompleted},
		{Campaign{ExpiresAt: now.Add(-time.Hour), Counts: map[State]int64{StateSucceeded: 1, StateExpired: 1}}, CampaignExpired},
		{Campaign{ExpiresAt: now, Counts: map[State]int64{StateDownloading: 1}}, CampaignExpired},
		{Campaign{ExpiresAt: now.Add(time.Hour), CancelledAt: &cancelled, Counts: map[State]int64{StateCancelled: 1}}, CampaignCancelled},
	}
	for i, c := range cases {
		if got := c.c.StatusAt(now); got != c.want {
			t.Errorf("#%d: %s, want %s", i, got, c.want)
		}
	}
	c := Campaign{Counts: fullCounts(map[State]int64{StateSent: 2, StateFailed: 1})}
	if len(c.Counts) != len(AllStates()) || c.Total() != 3 || c.Open() != 2 {
		t.Fatalf("counts %v total %d open %d", c.Counts, c.Total(), c.Open())
	}
	for _, s := range OpenStates() {
		if s.Final() {
			t.Errorf("open state %s is final", s)
		}
	}
}

func TestCommandData(t *testing.T) {
	cases := []struct {
		raw, encoding, want string
		bad                 bool
	}{
		{``, "plain", "", false},
		{`null`, "plain", "", false},
		{`"lock"`, "plain", "lock", false},
		{` { "door" : 1 } `, "plain", `{"door":1}`, false},
		{`42`, "plain", "42", false},
		{`"AAEC"`, "base64", "AAEC", false},
		{`"not base64"`, "base64", "", true},
		{`{"a":1}`, "base64", "", true},
		{`"` + strings.Repeat("x", MaxCommandData+1) + `"`, "plain", "", true},
	}
	for _, c := range cases {
		got, problem := commandData(json.RawMessage(c.raw), c.encoding)
		if (problem != "") != c.bad || got != c.want {
			t.Errorf("commandData(%.20s, %s) = %q, %q", c.raw, c.encoding, got, problem)
		}
	}
}

func TestNewCampaignValidate(t *testing.T) {
	ok := NewCampaign{ResourceID: "r", Product: "thermo", Target: Target{Tag: "lab"}}
	if err := ok.validate(); err != nil || ok.TTL != DefaultCampaignTTL {
		t.Fatalf("valid: %v, ttl %v", err, ok.TTL)
	}
	if k, v := ok.Target.Kind(); k != TargetTag || v != "lab" {
		t.Fatalf("kind %s %s", k, v)
	}
	bad := NewCampaign{Product: "a/b", Target: Target{Device: "d", All: true}, TTL: time.Second}
	err := bad.validate()
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) != 4 {
		t.Fatalf("invalid: %v", err)
	}
}

func TestPublishError(t *testing.T) {
	if err := publishError(errors.New("dial tcp: refused"), "nothing sent"); !apperr.Is(err, apperr.Unavailable) ||
		strings.Contains(err.(*apperr.Error).Message, "refused") {
		t.Fatalf("plain error: %v", err)
	}
	err := publishError(Off{}.Send(context.Background(), Outbound{}), "nothing sent")
	if !apperr.Is(err, apperr.Unavailable) || !strings.Contains(err.(*apperr.Error).Message, "MQTT is off") {
		t.Fatalf("off: %v", err)
	}
}
