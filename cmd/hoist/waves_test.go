package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/testwait"
)

// waveDevice is a device on the real broker that records the commands it
// gets (with the order they arrived in, across devices) and reports by
// hand.
type waveDevice struct {
	name string
	c    paho.Client
	seq  *waveSeq
}

// waveSeq numbers events across devices: commands received, reports
// acknowledged.
type waveSeq struct {
	mu   sync.Mutex
	n    int
	recv map[string][]int // device → the numbers of the commands it got
}

func (s *waveSeq) next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return s.n
}

func (s *waveSeq) got(device string) []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.recv[device])
}

func connectWaveDevice(t *testing.T, broker, name, secret string, seq *waveSeq) *waveDevice {
	t.Helper()
	d := &waveDevice{name: name, seq: seq}
	o := paho.NewClientOptions().AddBroker("tcp://" + broker).SetClientID("meter/" + name + "/test").
		SetUsername("meter/" + name).SetPassword(secret).SetAutoReconnect(false).SetConnectTimeout(5 * time.Second)
	d.c = paho.NewClient(o)
	if tok := d.c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("%s connect: %v", name, tok.Error())
	}
	t.Cleanup(func() { d.c.Disconnect(100) })
	filter := "cmd/meter/" + name + "/#"
	tok := d.c.Subscribe(filter, 1, func(_ paho.Client, m paho.Message) {
		if strings.Contains(m.Topic(), "/ota_upgrade/") {
			n := seq.next()
			seq.mu.Lock()
			seq.recv[name] = append(seq.recv[name], n)
			seq.mu.Unlock()
		}
	})
	if !tok.WaitTimeout(10*time.Second) || tok.(*paho.SubscribeToken).Result()[filter] != 1 {
		t.Fatalf("%s subscribe: %v", name, tok.Error())
	}
	return d
}

// report publishes an OTA progress report and waits for the broker's
// PUBACK, which Hoist sends once the report is committed.
func (d *waveDevice) report(t *testing.T, body string) {
	t.Helper()
	tok := d.c.Publish(fmt.Sprintf("update_ota_status/meter/%s/r%d", d.name, time.Now().UnixNano()), 1, false, body)
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("%s report: %v", d.name, tok.Error())
	}
}

// A campaign in waves over the embedded broker, driven with the CLI: the
// canary is sent the command first; the next wave only after the canary's
// success was acknowledged; a failure in that wave pauses the campaign;
// resume starts the last wave; abort cancels it.
func TestOTAWavesOverMQTT(t *testing.T) {
	p := startServe(t, baseEnv(t, "HOIST_AUTH_CAPTCHA=off"))
	base := "http://" + p.addr("http")
	owner := mustFleetOwner(t, base)
	env := cliEnv(t, "HOIST_SERVER="+base, "HOIST_TOKEN="+owner.Token)
	var batch struct {
		Devices []struct{ Name, Secret string }
	}
	spec := []map[string]any{{"name": "c-1", "tags": []string{"canary"}}}
	for i := 1; i <= 5; i++ {
		spec = append(spec, map[string]any{"name": fmt.Sprintf("d-%d", i)})
	}
	if code := apiCall(t, base, "POST", "/api/v1/products/meter/devices/batch", owner.Access, map[string]any{"devices": spec}, &batch); code != 201 {
		t.Fatalf("devices %d", code)
	}
	seq := &waveSeq{recv: map[string][]int{}}
	devs := map[string]*waveDevice{}
	for _, d := range batch.Devices {
		devs[d.Name] = connectWaveDevice(t, p.addr("mqtt"), d.Name, d.Secret, seq)
	}
	fw := owner.mustFirmware(t, base)

	code, out, stderr := runHoist(t, env, "ota", "start", "--resource", fw, "--product", "meter", "--all",
		"--waves", "canary,2,rest", "--success-threshold", "100", "--error-threshold", "30", "--json")
	var cp struct {
		ID        string
		RequestID string
		Status    string
		Waves     struct {
			Current int
			List    []struct{ Size int }
		}
	}
	if json.Unmarshal([]byte(out), &cp); code != 0 || cp.Waves.Current != 1 || len(cp.Waves.List) != 3 || cp.Waves.List[2].Size != 3 {
		t.Fatalf("ota start: %d %s %s", code, out, stderr)
	}
	var devices struct {
		Records []struct {
			Device string
			Wave   int
		}
	}
	apiCall(t, base, "GET", "/api/v1/ota/campaigns/"+cp.ID+"/devices?pageSize=100", owner.Access, nil, &devices)
	wave := map[int][]string{}
	for _, r := range devices.Records {
		wave[r.Wave] = append(wave[r.Wave], r.Device)
	}
	for _, ds := range wave {
		slices.Sort(ds)
	}
	if !slices.Equal(wave[1], []string{"c-1"}) || len(wave[2]) != 2 || len(wave[3]) != 3 {
		t.Fatalf("waves %v", wave)
	}
	received := func(names []string) bool {
		for _, n := range names {
			if len(seq.got(n)) == 0 {
				return false
			}
		}
		return true
	}
	testwait.For(t, "the canary's command", func() bool { return received(wave[1]) })

	// The canary succeeds; wave 2 is sent the command after that, once each.
	before := seq.next()
	devs["c-1"].report(t, `{"requestId":"`+cp.RequestID+`","state":"succeeded","currentVersion":"2.0.0"}`)
	testwait.For(t, "wave 2's commands", func() bool { return received(wave[2]) })
	for _, n := range wave[2] {
		if got := seq.got(n); len(got) != 1 || got[0] < before {
			t.Fatalf("%s got commands %v, the canary succeeded at %d", n, got, before)
		}
	}

	// One of wave 2 fails (1 of 3 started, above 30 %): the campaign pauses.
	devs[wave[2][0]].report(t, `{"requestId":"`+cp.RequestID+`","state":"failed","error":"flash"}`)
	devs[wave[2][1]].report(t, `{"requestId":"`+cp.RequestID+`","state":"succeeded"}`)
	var st struct {
		Status string
		Waves  struct{ PauseReason string }
	}
	testwait.For(t, "the pause", func() bool {
		apiCall(t, base, "GET", "/api/v1/ota/campaigns/"+cp.ID, owner.Access, nil, &st)
		return st.Status == "paused"
	})
	if !strings.Contains(st.Waves.PauseReason, "above the error threshold of 30%") {
		t.Fatalf("pause reason %q", st.Waves.PauseReason)
	}
	if code, out, stderr := runHoist(t, env, "ota", "pause", cp.ID); code != 0 || !strings.Contains(out, "is paused, wave 2 of 3") {
		t.Fatalf("ota pause: %d %q %q", code, out, stderr)
	}

	// Resume: wave 2 has ended, the last wave is sent the command, once each, after the resume.
	resumed := seq.next()
	if code, out, stderr := runHoist(t, env, "ota", "resume", cp.ID); code != 0 {
		t.Fatalf("ota resume: %d %q %q", code, out, stderr)
	}
	testwait.For(t, "wave 3's commands", func() bool { return received(wave[3]) })
	for _, n := range wave[3] {
		if got := seq.got(n); len(got) != 1 || got[0] < resumed {
			t.Fatalf("%s got commands %v, resumed at %d", n, got, resumed)
		}
	}

	// Abort: the last wave's devices, still open, are cancelled.
	code, out, stderr = runHoist(t, env, "ota", "abort", cp.ID)
	if code != 0 || !strings.Contains(out, "is cancelled") || !strings.Contains(out, "cancelled 3") {
		t.Fatalf("ota abort: %d %q %q", code, out, stderr)
	}
	var evs struct {
		Records []struct{ Kind, By string }
	}
	apiCall(t, base, "GET", "/api/v1/ota/campaigns/"+cp.ID+"/events?order=ASC", owner.Access, nil, &evs)
	var kinds []string
	for _, e := range evs.Records {
		kinds = append(kinds, e.Kind)
	}
	if want := []string{"wave_started", "wave_started", "paused", "resumed", "wave_started", "finished"}; !slices.Equal(kinds, want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	p.stop(t)
}
