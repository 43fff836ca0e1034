package mqtt

import (
	"context"
	"testing"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

func TestClientIDMatches(t *testing.T) {
	cases := map[string]bool{
		"p/d": true, "p/d/1": true, "p/d/esp32/2": true,
		"p/d:x": false, "p/d-sim": false, "p/d2": false, "p/d/": false,
		"p/": false, "p/e": false, "": false, "x/p/d": false, "P/d": false,
	}
	for id, want := range cases {
		if got := ClientIDMatches(id, "p/d"); got != want {
			t.Errorf("ClientIDMatches(%q, p/d) = %v", id, got)
		}
	}
}

func TestParseUsername(t *testing.T) {
	for in, ok := range map[string]bool{"p/d": true, "p.1/d-2_x": true, "p": false, "p/": false, "/d": false, "p/d/e": false, "p/+": false, "$p/d": false} {
		if _, _, got := ParseUsername(in); got != ok {
			t.Errorf("ParseUsername(%q) ok = %v", in, got)
		}
	}
}

func TestAuthSuperuserAndDevices(t *testing.T) {
	f := mustFleet(t)
	secret := f.mustDevice(t, "a", "red")
	ctx := context.Background()
	a := NewAuth(f.devices, Credentials{Username: "hoist", Password: "hoist-pw"})

	if id, err := a.Authenticate(ctx, "any-id", "hoist", "hoist-pw"); err != nil || !id.Superuser {
		t.Fatalf("superuser: %+v %v", id, err)
	}
	if _, err := a.Authenticate(ctx, "any-id", "hoist", "wrong"); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("superuser with a wrong password: %v", err)
	}
	id, err := a.Authenticate(ctx, "thermo/a/1", "thermo/a", secret)
	if err != nil || id.Superuser || id.Product != "thermo" || id.Device != "a" || len(id.Tags) != 1 {
		t.Fatalf("device: %+v %v", id, err)
	}
	if _, err := a.Authenticate(ctx, "thermo/b", "thermo/a", secret); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("foreign client id: %v", err)
	}

	allow := []struct {
		clientID, username, filter string
		action                     topic.Action
		want                       bool
	}{
		{"x", "hoist", "#", topic.Subscribe, true},
		{"thermo/a", "thermo/a", "update_status/thermo/a/m1", topic.Publish, true},
		{"thermo/a", "thermo/a", "update_status/thermo/b/m1", topic.Publish, false},
		{"thermo/a", "thermo/a", "cmd/thermo/a/#", topic.Subscribe, true},
		{"thermo/a", "thermo/a", "tags/thermo/red/cmd/#", topic.Subscribe, true},
		{"thermo/a", "thermo/a", "tags/thermo/red/cmd/x/plain/r", topic.Read, true},
		{"thermo/a", "thermo/a", "tags/thermo/blue/cmd/#", topic.Subscribe, false},
		{"thermo/b", "thermo/a", "cmd/thermo/a/#", topic.Subscribe, false},
		{"thermo/gone", "thermo/gone", "tags/thermo/red/cmd/#", topic.Subscribe, false},
		{"thermo/a", "thermo/a", "#", topic.Subscribe, false},
	}
	for _, c := range allow {
		got, err := a.Authorize(ctx, c.clientID, c.username, c.filter, c.action)
		if err != nil || got != c.want {
			t.Errorf("Authorize(%s, %s, %s, %d) = %v, %v", c.clientID, c.username, c.filter, c.action, got, err)
		}
	}
	// Without configured credentials nobody is the superuser.
	none := NewAuth(f.devices, Credentials{})
	if _, err := none.Authenticate(ctx, "x", "", ""); !apperr.Is(err, apperr.Unauthorized) || none.Superuser("") {
		t.Fatalf("empty credentials: %v", err)
	}
}
