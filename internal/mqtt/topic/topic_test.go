package topic

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
)

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func TestValidName(t *testing.T) {
	cases := []string{
		"", "a", "A-z_0.9", ".", "..", "-", strings.Repeat("x", 64), strings.Repeat("x", 65),
		"a/b", "+", "#", "$SYS", "a b", "é", "a\x00", "a\n", "ﬁ", "a+", "a#", "ota_upgrade",
	}
	for c := range 256 {
		cases = append(cases, string(rune(c)), "a"+string(byte(c)))
	}
	for _, s := range cases {
		if got, want := ValidName(s), nameRE.MatchString(s); got != want {
			t.Errorf("ValidName(%q) = %v, regexp says %v", s, got, want)
		}
	}
}

func FuzzValidName(f *testing.F) {
	for _, s := range []string{"", "a", "a/b", "é", strings.Repeat("z", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ValidName(s), nameRE.MatchString(s); got != want {
			t.Fatalf("ValidName(%q) = %v, regexp says %v", s, got, want)
		}
	})
}

func TestParseDeviceTopic(t *testing.T) {
	long := strings.Repeat("x", 64)
	ok := []struct {
		topic string
		want  DeviceTopic
	}{
		{"update_status/p/d/m1", DeviceTopic{Kind: StatusReport, Product: "p", Device: "d", MessageID: "m1"}},
		{"update_ota_status/prod.1/dev-2/0", DeviceTopic{Kind: OTAStatus, Product: "prod.1", Device: "dev-2", MessageID: "0"}},
		{"cmd_resp/p/d/ota_upgrade/r1/m1", DeviceTopic{Kind: CommandReply, Product: "p", Device: "d", Command: "ota_upgrade", RequestID: "r1", MessageID: "m1"}},
		{"update_status/../d/.", DeviceTopic{Kind: StatusReport, Product: "..", Device: "d", MessageID: "."}},
		{"update_status/" + long + "/" + long + "/" + long, DeviceTopic{Kind: StatusReport, Product: long, Device: long, MessageID: long}},
	}
	for _, c := range ok {
		got, err := ParseDeviceTopic(c.topic)
		if err != nil || got != c.want {
			t.Errorf("ParseDeviceTopic(%q) = %+v, %v; want %+v", c.topic, got, err, c.want)
		}
		if got.String() != c.topic {
			t.Errorf("String() = %q, want %q", got.String(), c.topic)
		}
	}
	bad := []string{
		"", "/", "update_status", "update_status/", "update_status/p/d", "update_status/p/d/",
		"update_status/p/d/m/x", "update_status/p//m", "update_status//d/m", "/update_status/p/d/m",
		"update_status/p/d/+", "update_status/+/d/m", "update_status/p/d/#", "update_ota_status/p/d/m/",
		"cmd_resp/p/d/c/r", "cmd_resp/p/d/c/r/m/x", "cmd_resp/p/d//r/m", "cmd_resp/p/d/c/+/m",
		"cmd/p/d/c/plain/r", "tags/p/t/cmd/c/plain/r", "$SYS/broker/load", "Update_Status/p/d/m",
		"update_status/p/dé/m", "update_status/p/d d/m", "update_status/p/$d/m",
		"update_status/p/d/" + long + "x", strings.Repeat("update_status/", 1000),
	}
	for _, topic := range bad {
		if got, err := ParseDeviceTopic(topic); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseDeviceTopic(%q) = %+v, %v; want an invalid error", topic, got, err)
		}
	}
	if _, err := ParseDeviceTopic(strings.Repeat("y", 10000)); len(err.Error()) > 300 {
		t.Errorf("error message is %d bytes long", len(err.Error()))
	}
}

func TestParseDeviceTopicAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := ParseDeviceTopic("cmd_resp/p/d/ota_upgrade/r1/m1"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("ParseDeviceTopic allocates %v times", allocs)
	}
}

func TestServerTopics(t *testing.T) {
	exp := time.Unix(1700000000, 999).In(time.FixedZone("x", 3600))
	for _, c := range []struct{ got, want string }{
		{CommandTopic("p", "d", "ota_upgrade", EncodingPlain, "r1", time.Time{}), "cmd/p/d/ota_upgrade/plain/r1"},
		{CommandTopic("p", "d", "reboot", EncodingBase64, "r2", exp), "cmd/p/d/reboot/base64/r2/1700000000"},
		{TagCommandTopic("p", "t", "ota_upgrade", EncodingPlain, "r1", time.Time{}), "tags/p/t/cmd/ota_upgrade/plain/r1"},
		{TagCommandTopic("p", "t", "c", EncodingBase64, "r", exp), "tags/p/t/cmd/c/base64/r/1700000000"},
		{DeviceCommandFilter("p", "d"), "cmd/p/d/#"},
		{TagCommandFilter("p", "t"), "tags/p/t/cmd/#"},
		{FilterStatus, "update_status/+/+/+"},
		{FilterOTAStatus, "update_ota_status/+/+/+"},
		{FilterCommandReply, "cmd_resp/+/+/+/+/+"},
		{Shared(ShareGroup, FilterStatus), "$share/hoist/update_status/+/+/+"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// Each server filter matches exactly its own kind of device topic.
	for _, topic := range []string{"update_status/p/d/m", "update_ota_status/p/d/m", "cmd_resp/p/d/c/r/m"} {
		dt, err := ParseDeviceTopic(topic)
		if err != nil {
			t.Fatal(err)
		}
		for kind, filter := range map[DeviceTopicKind]string{StatusReport: FilterStatus, OTAStatus: FilterOTAStatus, CommandReply: FilterCommandReply} {
			if Match(filter, topic) != (kind == dt.Kind) {
				t.Errorf("Match(%q, %q) = %v", filter, topic, !(kind == dt.Kind))
			}
		}
	}
}

func TestMatchValidFilter(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true}, {"a/b", "a/c", false}, {"a/b", "a/b/c", false}, {"a/b/c", "a/b", false},
		{"a/+", "a/b", true}, {"a/+", "a/", true}, {"a/+", "a", false}, {"a/+", "a/b/c", false},
		{"+/+", "/x", true}, {"+", "/", false}, {"/+", "/x", true},
		{"a/#", "a", true}, {"a/#", "a/b/c", true}, {"a/#", "ab", false}, {"#", "x/y", true}, {"#", "/", true},
		{"+/b/#", "a/b", true}, {"a/+/#", "a", false},
		{"#", "$SYS/x", false}, {"+/x", "$SYS/x", false}, {"$SYS/#", "$SYS/x", true}, {"$SYS/+", "$SYS/x", true},
		{"a/#/b", "a/x/b", false}, {"a#", "a#", false}, {"a+", "a+", false}, {"a/b#", "a/b", false},
		{"", "a", false}, {"a", "", false}, {"a/+", "a/+", false}, {"a/#", "a/#", false},
		{"cmd/p/d/#", "cmd/p/d2/x", false}, {"cmd/p/d/#", "cmd/p/d", true}, {"é/+", "é/ü", true},
	}
	for _, c := range cases {
		if got := Match(c.filter, c.topic); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
		if got := refMatch(c.filter, c.topic); got != c.want {
			t.Errorf("refMatch(%q, %q) = %v, want %v (test oracle is wrong)", c.filter, c.topic, got, c.want)
		}
	}
	for f, want := range map[string]bool{
		"a": true, "/": true, "+": true, "#": true, "a/+/#": true, "+/+": true, "$share/g/a/#": true,
		"": false, "#/a": false, "a#": false, "+a": false, "a/#/": false, "a/b+/c": false,
	} {
		if ValidFilter(f) != want {
			t.Errorf("ValidFilter(%q) = %v", f, !want)
		}
	}
}

// refMatch is a slow, obviously correct matcher used as the oracle for Match.
func refMatch(filter, topic string) bool {
	if filter == "" || topic == "" || strings.ContainsAny(topic, "+#") {
		return false
	}
	f, tl := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, l := range f {
		if (l == "#" && i != len(f)-1) || (l != "+" && l != "#" && strings.ContainsAny(l, "+#")) {
			return false
		}
	}
	if strings.HasPrefix(topic, "$") && (f[0] == "+" || f[0] == "#") {
		return false
	}
	for i, l := range f {
		if l == "#" {
			return true
		}
		if i >= len(tl) || (l != "+" && l != tl[i]) {
			return false
		}
	}
	return len(f) == len(tl)
}

func FuzzMatch(f *testing.F) {
	for _, s := range [][2]string{{"a/+/#", "a/b/c"}, {"#", "$x"}, {"+/+", "/"}, {"a/#", "a"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, filter, topic string) {
		got := Match(filter, topic)
		if got != refMatch(filter, topic) {
			t.Fatalf("Match(%q, %q) = %v, oracle disagrees", filter, topic, got)
		}
		if got && !ValidFilter(filter) {
			t.Fatalf("invalid filter %q matched %q", filter, topic)
		}
	})
}

func TestAllowed(t *testing.T) {
	tags := []string{"t1", "beta.2"}
	long := strings.Repeat("a", 70000)
	cases := []struct {
		topic  string
		action Action
		want   bool
	}{
		{"update_status/p/d/m1", Publish, true},
		{"update_ota_status/p/d/m1", Publish, true},
		{"cmd_resp/p/d/reboot/r1/m1", Publish, true},
		{"update_status/p/d2/m1", Publish, false},
		{"update_status/q/d/m1", Publish, false},
		{"update_status/p/d/+", Publish, false},
		{"update_status/p/d/#", Publish, false},
		{"update_status/p//x", Publish, false},
		{"update_status/p/d", Publish, false},
		{"update_status/p/d/é", Publish, false},
		{"cmd/p/d/c/plain/r", Publish, false},
		{"tags/p/t1/cmd/c/plain/r", Publish, false},
		{"$SYS/broker", Publish, false},
		{"update_status/p/d/" + long, Publish, false},
		{"update_status/p/d/m1", Subscribe, false},
		{"cmd/p/d/#", Subscribe, true},
		{"cmd/p/d/+/+/+", Subscribe, true},
		{"cmd/p/d/+/+/+/+", Subscribe, true},
		{"cmd/p/d/ota_upgrade/#", Subscribe, true},
		{"cmd/p/d/../x", Subscribe, true}, // MQTT has no "..": a literal level under our prefix
		{"cmd/p/d/", Subscribe, true},     // matches only the topic "cmd/p/d/"
		{"cmd/p/d", Subscribe, false},
		{"cmd/p/d#", Subscribe, false},
		{"cmd/p/d/#/x", Subscribe, false},
		{"cmd/p/d/x#", Subscribe, false},
		{"cmd/p/d2/#", Subscribe, false},
		{"cmd/p/+/#", Subscribe, false},
		{"cmd/+/d/#", Subscribe, false},
		{"cmd/#", Subscribe, false},
		{"cmd/q/d/#", Subscribe, false},
		{"+/p/d/#", Subscribe, false},
		{"#", Subscribe, false},
		{"+", Subscribe, false},
		{"$SYS/#", Subscribe, false},
		{"$share/g/cmd/p/d/#", Subscribe, false},
		{"tags/p/t1/cmd/#", Subscribe, true},
		{"tags/p/beta.2/cmd/+/plain/#", Subscribe, true},
		{"tags/p/t2/cmd/#", Subscribe, false},
		{"tags/p/+/cmd/#", Subscribe, false},
		{"tags/p/#", Subscribe, false},
		{"tags/p/t1/#", Subscribe, false},
		{"tags/p/t1/+/#", Subscribe, false},
		{"tags/p/t1/cmd", Subscribe, false},
		{"tags/q/t1/cmd/#", Subscribe, false},
		{"cmd/p/d/c/plain/r/1700000000", Read, true},
		{"tags/p/t1/cmd/c/plain/r", Read, true},
		{"tags/p/t3/cmd/c/plain/r", Read, false},
		{"cmd/p/d2/c/plain/r", Read, false},
		{"update_status/p/d/m", Read, false},
		{"cmd/p/d/#", Action(0), false},
		{"cmd/p/d/#", Action(9), false},
	}
	for _, c := range cases {
		if got := Allowed("p", "d", tags, c.topic, c.action); got != c.want {
			t.Errorf("Allowed(p, d, %v, %.80q, %d) = %v, want %v", tags, c.topic, c.action, got, c.want)
		}
	}
	for _, pd := range [][2]string{{"", "d"}, {"p", ""}, {"+", "d"}, {"p", "#"}, {"p/x", "d"}} {
		for _, a := range []Action{Publish, Subscribe, Read} {
			for _, topic := range []string{"update_status/" + pd[0] + "/" + pd[1] + "/m", "cmd/" + pd[0] + "/" + pd[1] + "/#", "#"} {
				if Allowed(pd[0], pd[1], nil, topic, a) {
					t.Errorf("invalid identity %q allowed %q", pd, topic)
				}
			}
		}
	}
	if Allowed("p", "d", []string{"+"}, "tags/p/+/cmd/#", Subscribe) {
		t.Error("a wildcard tag name must not be honoured")
	}
}

func TestCheckWill(t *testing.T) {
	for topic, want := range map[string]bool{
		"update_status/p/d/will": true, "update_status/p/d2/will": false, "cmd/p/d/x": false,
		"": false, "#": false, "update_status/p/d/+": false, "$SYS/x": false,
	} {
		if got := CheckWill("p", "d", topic); got != want {
			t.Errorf("CheckWill(p, d, %q) = %v, want %v", topic, got, want)
		}
	}
}

func FuzzParseDeviceTopic(f *testing.F) {
	for _, s := range []string{"update_status/p/d/m", "update_ota_status/p/d/m", "cmd_resp/p/d/c/r/m", "cmd_resp/p/d/c/r/m/", "update_status/p//m", "$SYS/x", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, topic string) {
		dt, err := ParseDeviceTopic(topic)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		if dt.String() != topic {
			t.Fatalf("%q re-encodes as %q", topic, dt.String())
		}
		for _, s := range []string{dt.Product, dt.Device, dt.MessageID} {
			if !ValidName(s) {
				t.Fatalf("%q parsed to invalid name %q", topic, s)
			}
		}
		if (dt.Kind == CommandReply) != (dt.Command != "" && dt.RequestID != "") {
			t.Fatalf("%q: kind %v with command %q request %q", topic, dt.Kind, dt.Command, dt.RequestID)
		}
		if !Allowed(dt.Product, dt.Device, nil, topic, Publish) || !CheckWill(dt.Product, dt.Device, topic) {
			t.Fatalf("%q parses but its own device may not publish it", topic)
		}
	})
}

// inNamespace reports, by splitting, whether a concrete topic lies in what a
// device's subscriptions may deliver: cmd/p/d[/...] or tags/p/tag/cmd[/...].
func inNamespace(p, d string, tags []string, topic string) bool {
	l := strings.Split(topic, "/")
	if len(l) >= 3 && l[0] == "cmd" && l[1] == p && l[2] == d {
		return true
	}
	if len(l) >= 4 && l[0] == "tags" && l[1] == p && l[3] == "cmd" {
		for _, tag := range tags {
			if tag == l[2] {
				return true
			}
		}
	}
	return false
}

func FuzzAllowed(f *testing.F) {
	f.Add("p", "d", "t", "cmd/p/d/#", uint8(Subscribe), "x", "y/z")
	f.Add("p", "d", "t", "tags/p/t/cmd/+/#", uint8(Subscribe), "x", "")
	f.Add("p", "d", "t", "update_status/p/d/m", uint8(Publish), "", "")
	f.Add("p", "d", "t", "cmd/p/d/c/plain/r", uint8(Read), "", "")
	f.Fuzz(func(t *testing.T, p, d, tag, topic string, action uint8, level, suffix string) {
		tags := []string{tag}
		a := Action(action % 5)
		if !Allowed(p, d, tags, topic, a) {
			return
		}
		switch a {
		case Publish:
			dt, err := ParseDeviceTopic(topic)
			if err != nil || dt.Product != p || dt.Device != d {
				t.Fatalf("allowed publish %q parses as %+v, %v", topic, dt, err)
			}
		case Subscribe, Read:
			// Instantiate the filter into a concrete topic it matches.
			if strings.ContainsAny(level, "/+#") {
				level = "x"
			}
			if strings.ContainsAny(suffix, "+#") {
				suffix = "y"
			}
			inst := strings.ReplaceAll(topic, "+", level)
			if strings.HasSuffix(inst, "#") {
				if suffix == "" { // '#' also matches its parent level
					inst = strings.TrimSuffix(inst, "/#")
				} else {
					inst = strings.TrimSuffix(inst, "#") + suffix
				}
			}
			if !Match(topic, inst) {
				t.Fatalf("filter %q does not match its instance %q", topic, inst)
			}
			if !inNamespace(p, d, tags, inst) {
				t.Fatalf("allowed filter %q matches %q outside device %s/%s", topic, inst, p, d)
			}
			for _, other := range []string{
				CommandTopic(p, d+"x", "c", EncodingPlain, "r", time.Time{}),
				CommandTopic(p+"x", d, "c", EncodingPlain, "r", time.Time{}),
				TagCommandTopic(p, tag+"x", "c", EncodingPlain, "r", time.Time{}),
				"update_status/" + p + "/" + d + "/m",
			} {
				if Match(topic, other) {
					t.Fatalf("allowed filter %q matches %q", topic, other)
				}
			}
		}
	})
}
