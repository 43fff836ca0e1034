package devicesim

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// brokers returns the MQTT URLs to test against: an in-process broker that
// lets anyone in (the simulator is a client; broker auth is tested in package
// mqtt), and the machine's Mosquitto when HOIST_TEST_MQTT_URL is set.
func brokers(t *testing.T) []string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.DiscardHandler)})
	srv.AddHook(new(auth.AllowHook), nil)
	srv.AddListener(listeners.NewNet("t", ln))
	srv.Serve()
	t.Cleanup(func() { srv.Close() })
	urls := []string{"tcp://" + ln.Addr().String()}
	if u := os.Getenv("HOIST_TEST_MQTT_URL"); u != "" {
		urls = append(urls, u)
	} else {
		t.Log("mosquitto: skipped (set HOIST_TEST_MQTT_URL)")
	}
	return urls
}

// server plays Hoist: it publishes commands and collects device messages.
type server struct {
	c       paho.Client
	mu      sync.Mutex
	reports map[string][]map[string]any // by device
	replies []string
}

func newServer(t *testing.T, url, product string) *server {
	s := &server{reports: map[string][]map[string]any{}}
	s.c = paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("hoist-test-" + product).SetProtocolVersion(4))
	if tok := s.c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("server connect: %v", tok.Error())
	}
	t.Cleanup(func() { s.c.Disconnect(100) })
	tok := s.c.SubscribeMultiple(map[string]byte{"update_ota_status/" + product + "/+/+": 1, "cmd_resp/" + product + "/+/+/+/+": 1},
		func(_ paho.Client, m paho.Message) {
			parts := strings.Split(m.Topic(), "/")
			s.mu.Lock()
			defer s.mu.Unlock()
			if parts[0] == "cmd_resp" {
				s.replies = append(s.replies, m.Topic()+" "+string(m.Payload()))
				return
			}
			var r map[string]any
			json.Unmarshal(m.Payload(), &r)
			s.reports[parts[2]] = append(s.reports[parts[2]], r)
		})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("server subscribe: %v", tok.Error())
	}
	return s
}

func (s *server) publish(t *testing.T, topic string, body any) {
	b, _ := json.Marshal(body)
	if tok := s.c.Publish(topic, 1, false, b); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
}

// states returns the device's reported states once its last one is final.
func (s *server) waitFinal(t *testing.T, device string) []string {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		rs := s.reports[device]
		var states []string
		for _, r := range rs {
			states = append(states, fmt.Sprint(r["state"]))
		}
		s.mu.Unlock()
		if n := len(states); n > 0 && (states[n-1] == "succeeded" || states[n-1] == "failed") {
			return states
		}
		time.Sleep(20 * time.Millisecond) // poll interval of a condition wait
	}
	t.Fatalf("%s: no final report", device)
	return nil
}

func TestSimulatedOTAUpgrade(t *testing.T) {
	firmware := []byte(strings.Repeat("firmware image ", 5000))
	md, sh := md5.Sum(firmware), sha256.Sum256(firmware)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(firmware)))
		w.Write(firmware)
	}))
	defer files.Close()

	for i, url := range brokers(t) {
		t.Run(fmt.Sprint("broker", i), func(t *testing.T) {
			product := fmt.Sprintf("simtest%d%d", i, time.Now().UnixNano()%100000)
			srv := newServer(t, url, product)
			sim := New(Options{Broker: url, Firmware: "1.0.0", Devices: []Credentials{
				{Product: product, Name: "good", Secret: "s"}, {Product: product, Name: "tagged", Secret: "s", Tags: []string{"beta"}},
			}})
			if err := sim.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer sim.Stop(context.Background())
			waitSim(t, "both devices' command subscriptions", func() bool { return sim.Stats().Subscribed == 2 })

			cmd := map[string]any{"url": files.URL + "/fw.bin", "version": "2.0.0", "size": len(firmware),
				"md5": hex.EncodeToString(md[:]), "sha256": hex.EncodeToString(sh[:]), "type": "firmware", "requestId": "req1"}
			exp := time.Now().Add(time.Hour).Unix()
			srv.publish(t, fmt.Sprintf("cmd/%s/good/ota_upgrade/plain/req1/%d", product, exp), cmd)
			states := srv.waitFinal(t, "good")
			want := "accepted downloading downloading downloading downloading downloaded verified installing succeeded"
			if strings.Join(states, " ") != want {
				t.Fatalf("states %v", states)
			}
			srv.mu.Lock()
			var progress []string
			for _, r := range srv.reports["good"] {
				if r["state"] == "downloading" {
					progress = append(progress, fmt.Sprint(r["progress"]))
				}
			}
			srv.mu.Unlock()
			if strings.Join(progress, ",") != "0,25,50,75" {
				t.Fatalf("download progress %v", progress)
			}
			if sim.Firmware(0) != "2.0.0" || sim.Firmware(1) != "1.0.0" {
				t.Fatalf("firmware %s %s", sim.Firmware(0), sim.Firmware(1))
			}
			srv.mu.Lock()
			last := srv.reports["good"][len(srv.reports["good"])-1]
			srv.mu.Unlock()
			if last["currentVersion"] != "2.0.0" || last["requestId"] != "req1" {
				t.Fatalf("last report %v", last)
			}

			// A tag command reaches the tagged device; a corrupt size fails verification.
			bad := map[string]any{"url": files.URL + "/fw.bin", "version": "2.1.0", "size": len(firmware) + 1, "requestId": "req2"}
			srv.publish(t, fmt.Sprintf("tags/%s/beta/cmd/ota_upgrade/plain/req2", product), bad)
			states = srv.waitFinal(t, "tagged")
			srv.mu.Lock()
			last = srv.reports["tagged"][len(srv.reports["tagged"])-1]
			srv.mu.Unlock()
			if states[len(states)-1] != "failed" || !strings.Contains(fmt.Sprint(last["error"]), "verification failed") {
				t.Fatalf("tagged: %v %v", states, last)
			}

			// An expired command is ignored; a plain command is answered.
			srv.publish(t, fmt.Sprintf("cmd/%s/good/ota_upgrade/plain/req3/%d", product, time.Now().Add(-time.Minute).Unix()), cmd)
			srv.publish(t, fmt.Sprintf("cmd/%s/good/lock/plain/req4", product), map[string]any{"door": 1})
			deadline := time.Now().Add(10 * time.Second)
			for {
				srv.mu.Lock()
				n := len(srv.replies)
				srv.mu.Unlock()
				if n == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no command reply")
				}
				time.Sleep(20 * time.Millisecond) // poll interval of a condition wait
			}
			// The device counts the expired command as it drops it: once
			// counted, it can no longer start an upgrade.
			waitSim(t, "the expired command to be dropped", func() bool { return sim.Stats().Expired == 1 })
			if st := sim.Stats(); st.Upgrades != 2 || st.Succeeded != 1 || st.Failed != 1 || st.Connected != 2 {
				t.Fatalf("stats %+v (the expired command must not start an upgrade)", st)
			}
			if !strings.HasPrefix(srv.replies[0], "cmd_resp/"+product+"/good/lock/req4/") {
				t.Fatalf("reply %s", srv.replies[0])
			}
		})
	}
}

// waitSim polls cond for up to 10 s.
func waitSim(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond) // poll interval of a condition wait
	}
}
