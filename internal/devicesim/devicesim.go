// Package devicesim simulates devices speaking Hoist's MQTT protocol
// (PROTOCOLS §3): each connects with its product/device and secret,
// subscribes to its command and tag topics, answers commands, and performs
// OTA upgrades for real — download, size/md5/sha256 check, progress
// reports — with optional injected faults. It serves tests, benchmarks and
// demos (hoist device-sim).
package devicesim

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/hoist-ota/hoist/internal/mqtt/topic"
)

// Credentials identify one device.
type Credentials struct {
	Product string   `json:"product"`
	Name    string   `json:"name"`
	Secret  string   `json:"secret"`
	Tags    []string `json:"tags"`
}

// Options configure a simulation.
type Options struct {
	// Broker is the MQTT URL: tcp://host:port or ws://host:port/mqtt.
	Broker  string
	Devices []Credentials
	// Firmware is the version every device starts on.
	Firmware string
	// FailRate is the probability (0..1) that an installation fails.
	FailRate float64
	// Corrupt makes every download fail verification.
	Corrupt bool
	// StepDelay spaces a device's progress reports (default none).
	StepDelay time.Duration
	HTTP      *http.Client
	Log       *slog.Logger
}

// Stats counts what the simulated devices did. Reports counts OTA progress
// reports the broker acknowledged (PUBACK), Sent those published.
// Subscribed counts command subscriptions the broker granted (SUBACK, once
// per connection), Expired the commands ignored because they had expired
// (they are not in Commands).
type Stats struct {
	Connected, Subscribed, Commands, Expired, Upgrades, Succeeded, Failed, Reports, Sent int64
}

// Sim runs the devices of Options.
type Sim struct {
	opts    Options
	clients []*simDevice
	stats   struct{ connected, subscribed, commands, expired, upgrades, succeeded, failed, reports, sent atomic.Int64 }
	msgSeq  atomic.Uint64
	wg      sync.WaitGroup

	ackMu sync.Mutex
	acked []string // topics of acknowledged OTA progress reports
}

type simDevice struct {
	sim      *Sim
	cred     Credentials
	client   paho.Client
	mu       sync.Mutex
	firmware string
	busy     bool // an upgrade is in progress
}

// New prepares a simulation; Start connects it.
func New(opts Options) *Sim {
	if opts.HTTP == nil {
		opts.HTTP = &http.Client{Timeout: 5 * time.Minute}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Firmware == "" {
		opts.Firmware = "0.0.0"
	}
	return &Sim{opts: opts}
}

// Start connects every device (at most 64 connecting at once) and
// subscribes it to its topics; it returns the first connection error.
func (s *Sim) Start(ctx context.Context) error {
	sem := make(chan struct{}, 64)
	errs := make(chan error, len(s.opts.Devices))
	s.clients = make([]*simDevice, len(s.opts.Devices))
	var wg sync.WaitGroup
	for i, c := range s.opts.Devices {
		d := &simDevice{sim: s, cred: c, firmware: s.opts.Firmware}
		s.clients[i] = d
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := d.connect(ctx); err != nil {
				errs <- fmt.Errorf("%s/%s: %w", c.Product, c.Name, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Stop waits for upgrades in progress to end (or ctx) and disconnects.
func (s *Sim) Stop(ctx context.Context) {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	for _, d := range s.clients {
		if d != nil && d.client != nil {
			d.client.Disconnect(250)
		}
	}
}

// Stats returns the counts so far.
func (s *Sim) Stats() Stats {
	return Stats{Connected: s.stats.connected.Load(), Subscribed: s.stats.subscribed.Load(), Commands: s.stats.commands.Load(),
		Expired: s.stats.expired.Load(), Upgrades: s.stats.upgrades.Load(),
		Succeeded: s.stats.succeeded.Load(), Failed: s.stats.failed.Load(), Reports: s.stats.reports.Load(),
		Sent: s.stats.sent.Load()}
}

// Acked returns the topics of the OTA progress reports the broker has
// acknowledged so far: what Hoist promised to keep.
func (s *Sim) Acked() []string {
	s.ackMu.Lock()
	defer s.ackMu.Unlock()
	return append([]string(nil), s.acked...)
}

func (s *Sim) onAck(topic string) {
	if !strings.HasPrefix(topic, "update_ota_status/") {
		return
	}
	s.stats.reports.Add(1)
	s.ackMu.Lock()
	s.acked = append(s.acked, topic)
	s.ackMu.Unlock()
}

// Firmware returns the version a device runs now.
func (s *Sim) Firmware(i int) string {
	d := s.clients[i]
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.firmware
}

func (d *simDevice) id() string { return d.cred.Product + "/" + d.cred.Name }

// connect connects with a persistent session (clean session off), as a
// device that must not lose a report would: paho keeps every report until
// the broker acknowledges it, and sends it again after a reconnect.
func (d *simDevice) connect(ctx context.Context) error {
	opts := paho.NewClientOptions().AddBroker(d.sim.opts.Broker).
		SetClientID(d.id() + "/sim").SetUsername(d.id()).SetPassword(d.cred.Secret).
		SetProtocolVersion(4).SetOrderMatters(false).SetCleanSession(false).
		SetStore(newAckStore(d.sim.onAck)).
		SetAutoReconnect(true).SetMaxReconnectInterval(2 * time.Second).SetConnectRetry(false).
		SetConnectTimeout(15 * time.Second).
		SetOnConnectHandler(func(c paho.Client) { d.subscribe(c) })
	d.client = paho.NewClient(opts)
	tok := d.client.Connect()
	select {
	case <-tok.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := tok.Error(); err != nil {
		return err
	}
	d.sim.stats.connected.Add(1)
	return d.publish("update_status", "", map[string]any{"version": d.firmware, "online": true})
}

// subscribe (re)subscribes after every connect: the broker may have lost
// the session (the embedded broker keeps none across a restart).
func (d *simDevice) subscribe(c paho.Client) {
	filters := map[string]byte{topic.DeviceCommandFilter(d.cred.Product, d.cred.Name): 1}
	for _, t := range d.cred.Tags {
		filters[topic.TagCommandFilter(d.cred.Product, t)] = 1
	}
	tok := c.SubscribeMultiple(filters, d.onCommand)
	go func() {
		if !tok.WaitTimeout(15 * time.Second) {
			return
		}
		err := tok.Error()
		for f, qos := range tok.(*paho.SubscribeToken).Result() {
			if err == nil && qos == 0x80 {
				err = fmt.Errorf("%s refused", f)
			}
		}
		if err != nil {
			d.sim.opts.Log.Warn("subscribe failed", "device", d.id(), "error", err)
			return
		}
		d.sim.stats.subscribed.Add(1)
	}()
}

// publish sends a device→server message: update_status or
// update_ota_status with a fresh message id, or cmd_resp (suffix
// "{command}/{requestId}").
func (d *simDevice) publish(kind, suffix string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	mid := strconv.FormatUint(d.sim.msgSeq.Add(1), 36) + "-" + strconv.FormatUint(rand.Uint64()&0xffffff, 36)
	t := kind + "/" + d.id() + "/"
	if suffix != "" {
		t += suffix + "/"
	}
	tok := d.client.Publish(t+mid, 1, false, b)
	d.sim.stats.sent.Add(1)
	// paho keeps the message until the broker acknowledges it (see
	// ackStore); waiting here only paces the device.
	if !tok.WaitTimeout(30 * time.Second) {
		return errors.New("publish timed out")
	}
	return tok.Error()
}

// Report publishes one OTA progress report (used by load benchmarks).
func (s *Sim) Report(i int, body map[string]any) error {
	return s.clients[i].publish("update_ota_status", "", body)
}

// onCommand handles cmd/{p}/{d}/{command}/{encoding}/{requestId}[/{exp}]
// and tags/{p}/{tag}/cmd/{command}/{encoding}/{requestId}[/{exp}]. It must
// not block paho: work runs in its own goroutine.
func (d *simDevice) onCommand(_ paho.Client, m paho.Message) {
	parts := strings.Split(m.Topic(), "/")
	var rest []string
	switch {
	case len(parts) >= 6 && parts[0] == "cmd":
		rest = parts[3:]
	case len(parts) >= 7 && parts[0] == "tags" && parts[3] == "cmd":
		rest = parts[4:]
	default:
		return
	}
	command, encoding, requestID := rest[0], rest[1], rest[2]
	if len(rest) >= 4 {
		if exp, err := strconv.ParseInt(rest[3], 10, 64); err == nil && time.Now().Unix() > exp {
			d.sim.stats.expired.Add(1)
			return // expired: devices must ignore it
		}
	}
	payload := m.Payload()
	d.sim.stats.commands.Add(1)
	d.sim.wg.Add(1)
	go func() {
		defer d.sim.wg.Done()
		if command == "ota_upgrade" {
			d.upgrade(payload)
			return
		}
		d.publish("cmd_resp", command+"/"+requestID, map[string]any{"ok": true, "encoding": encoding, "received": string(payload)})
	}()
}

type otaCommand struct {
	URL       string `json:"url"`
	Version   string `json:"version"`
	Size      int64  `json:"size"`
	MD5       string `json:"md5"`
	SHA256    string `json:"sha256"`
	RequestID string `json:"requestId"`
	ExpiresAt int64  `json:"expiresAt"`
}

// upgrade performs one OTA upgrade and reports each step.
func (d *simDevice) upgrade(payload []byte) {
	var c otaCommand
	report := func(state string, progress int, errText string) {
		body := map[string]any{"requestId": c.RequestID, "version": c.Version, "state": state, "ts": time.Now().Unix()}
		if progress >= 0 {
			body["progress"] = progress
		}
		if errText != "" {
			body["error"] = errText
		}
		if state == "succeeded" {
			body["currentVersion"] = c.Version
		}
		if err := d.publish("update_ota_status", "", body); err != nil {
			d.sim.opts.Log.Warn("report failed", "device", d.id(), "error", err)
		}
		time.Sleep(d.sim.opts.StepDelay)
	}
	fail := func(errText string) {
		d.sim.stats.failed.Add(1)
		report("failed", -1, errText)
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.URL == "" {
		d.sim.stats.failed.Add(1)
		return // nothing to report against
	}
	d.mu.Lock()
	if d.busy || d.firmware == c.Version {
		d.mu.Unlock()
		return
	}
	d.busy = true
	d.mu.Unlock()
	defer func() { d.mu.Lock(); d.busy = false; d.mu.Unlock() }()
	d.sim.stats.upgrades.Add(1)

	report("accepted", -1, "")
	report("downloading", 0, "")
	size, sumMD5, sumSHA, err := d.download(c.URL, func(p int) { report("downloading", p, "") })
	if err != nil {
		fail("download failed: " + err.Error())
		return
	}
	report("downloaded", 100, "")
	if d.sim.opts.Corrupt {
		sumSHA = strings.Repeat("0", 64)
	}
	switch {
	case c.Size > 0 && size != c.Size:
		fail(fmt.Sprintf("verification failed: size %d, expected %d", size, c.Size))
		return
	case c.MD5 != "" && !strings.EqualFold(sumMD5, c.MD5):
		fail("verification failed: md5 mismatch")
		return
	case c.SHA256 != "" && !strings.EqualFold(sumSHA, c.SHA256):
		fail("verification failed: sha256 mismatch")
		return
	}
	report("verified", -1, "")
	report("installing", -1, "")
	if rand.Float64() < d.sim.opts.FailRate {
		fail("install failed: injected fault")
		return
	}
	d.mu.Lock()
	d.firmware = c.Version
	d.mu.Unlock()
	d.sim.stats.succeeded.Add(1)
	report("succeeded", -1, "")
}

// download fetches url, hashing it on the way, and reports progress at
// every quarter.
func (d *simDevice) download(url string, progress func(int)) (int64, string, string, error) {
	resp, err := d.sim.opts.HTTP.Get(url)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, "", "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	hm, hs := md5.New(), sha256.New()
	total := resp.ContentLength
	var n int64
	next := 25
	buf := make([]byte, 32<<10)
	for {
		k, err := resp.Body.Read(buf)
		hm.Write(buf[:k])
		hs.Write(buf[:k])
		n += int64(k)
		if total > 0 && next < 100 && n*100/total >= int64(next) {
			progress(next)
			next += 25
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, "", "", err
		}
	}
	return n, hex.EncodeToString(hm.Sum(nil)), hex.EncodeToString(hs.Sum(nil)), nil
}
