//go:build chaos

package main

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/hoist-ota/hoist/internal/devicesim"
)

// The fault suite (issue 11): Hoist in production shape — MariaDB, Redis,
// and either its embedded broker (one node) or Mosquitto (two nodes) —
// or RabbitMQ (two nodes consuming one quorum queue) — runs a
// whole-product OTA campaign to simulated devices while one fault
// is injected, then checks that every report a device got a PUBACK for is
// in the history exactly once, that the campaign completes, and how long
// after the fault it did. `make chaos` runs every fault at full size,
// `make chaos-short` (CI) a few at a smaller one (HOIST_CHAOS=full|short).

type chaosScale struct {
	devices int
	step    time.Duration // between a device's reports: 9 reports each
	faultAt time.Duration // after the campaign starts
	faults  map[string]bool
	// recoveryLimit is the longest a campaign may take to complete after
	// the fault ended (30 s unless set).
	recoveryLimit time.Duration
	// profile: the first node serves its profiler, and the heap at its
	// largest during the campaign is shown by allocation site.
	profile bool
}

func scaleFromEnv() chaosScale {
	if os.Getenv("HOIST_CHAOS") == "fleet" { // make bench-fleet: no fault, a fleet upgrading at once
		n := 10_000
		fmt.Sscan(os.Getenv("HOIST_FLEET_DEVICES"), &n)
		return chaosScale{devices: n, step: time.Second, faultAt: 0, faults: map[string]bool{"embedded/none": true},
			recoveryLimit: 5 * time.Minute, profile: true}
	}
	if os.Getenv("HOIST_CHAOS") == "full" {
		return chaosScale{devices: 200, step: 800 * time.Millisecond, faultAt: 3 * time.Second}
	}
	return chaosScale{devices: 50, step: 600 * time.Millisecond, faultAt: 2 * time.Second,
		faults: map[string]bool{"embedded/kill -9 node": true, "external/database restart 10s": true, "external/kill -9 node": true,
			"external/broker restart": true, "rabbitmq/kill -9 node": true}}
}

// chaosWorld is one case's running system.
type chaosWorld struct {
	t      *testing.T
	mode   string // embedded, external or rabbitmq
	db     *service
	redis  *service
	broker *service    // external only
	rabbit *rabbitNode // rabbitmq only
	nodes  []*chaosNode
}

type chaosNode struct {
	name  string
	env   []string
	http  string
	mqtt  string // embedded broker address
	pprof string // its profiler's address, when it serves one
	p     *proc
}

func (n *chaosNode) start(t *testing.T) { n.p = startServe(t, n.env) }

func (n *chaosNode) kill() {
	n.p.cmd.Process.Kill()
	<-n.p.done
	n.p.cmd.Wait()
}

type chaosFault struct {
	name   string
	full   bool // only in the full run
	inject func(w *chaosWorld)
}

func pause(d time.Duration) { time.Sleep(d) } // fault schedules, not assertions

var chaosFaults = []chaosFault{
	{name: "none", inject: func(*chaosWorld) {}},
	{name: "broker restart", inject: func(w *chaosWorld) {
		if w.mode == "embedded" { // the broker is the node
			w.nodes[0].p.stop(w.t)
			pause(2 * time.Second)
			w.nodes[0].start(w.t)
			return
		}
		if w.mode == "rabbitmq" {
			w.rabbit.stop(w.t)
			pause(3 * time.Second)
			w.rabbit.start(w.t)
			return
		}
		w.broker.stop(syscall.SIGTERM)
		pause(3 * time.Second)
		w.broker.start(w.t)
	}},
	{name: "database restart 10s", inject: func(w *chaosWorld) {
		w.db.stop(syscall.SIGTERM)
		pause(10 * time.Second)
		w.db.start(w.t)
	}},
	{name: "database restart 2m", full: true, inject: func(w *chaosWorld) {
		w.db.stop(syscall.SIGTERM)
		pause(2 * time.Minute)
		w.db.start(w.t)
	}},
	{name: "redis restart", inject: func(w *chaosWorld) {
		w.redis.stop(syscall.SIGKILL)
		pause(9 * time.Second)
		w.redis.start(w.t)
	}},
	{name: "kill -9 node", inject: func(w *chaosWorld) {
		n := w.nodes[len(w.nodes)-1]
		n.kill()
		if w.mode == "embedded" { // the only node: it comes back
			pause(2 * time.Second)
			n.start(w.t)
		}
	}},
	{name: "SIGTERM node", inject: func(w *chaosWorld) {
		n := w.nodes[len(w.nodes)-1]
		n.p.stop(w.t)
		if w.mode == "embedded" {
			pause(2 * time.Second)
			n.start(w.t)
		}
	}},
}

type chaosResult struct {
	name                         string
	acked, recorded, lost, dups  int
	succeeded, total             int64
	completed                    bool
	recovery                     time.Duration
	spooled, replayed, takeovers float64
	// the nodes' peak open descriptors and resident memory (MiB), and their
	// 5xx answers
	peakFDs, peakRSS, errors5xx, errors500 float64
	took                                   time.Duration // from the campaign's start to its completion
}

func TestChaos(t *testing.T) {
	sc := scaleFromEnv()
	db := privateMariaDB(t)
	var results []chaosResult
	n := 0
	for _, mode := range []string{"embedded", "external", "rabbitmq"} {
		for _, f := range chaosFaults {
			name := mode + "/" + f.name
			if (sc.faults != nil && !sc.faults[name]) || (f.full && os.Getenv("HOIST_CHAOS") != "full") {
				continue
			}
			if only := os.Getenv("HOIST_CHAOS_ONLY"); only != "" && !strings.Contains(name, only) {
				continue
			}
			n++
			t.Run(name, func(t *testing.T) {
				r := runChaosCase(t, mode, f, sc, db, n)
				r.name = name
				results = append(results, r)
				switch {
				case r.lost > 0:
					t.Errorf("%d acknowledged reports are not in the history", r.lost)
				case r.dups > 0:
					t.Errorf("%d reports are in the history more than once", r.dups)
				case !r.completed || r.succeeded != r.total:
					t.Errorf("the campaign did not complete: %d of %d succeeded", r.succeeded, r.total)
				case r.recovery > cmp.Or(sc.recoveryLimit, 30*time.Second):
					t.Errorf("recovered %s after the fault ended (over %s)", r.recovery, cmp.Or(sc.recoveryLimit, 30*time.Second))
				case r.errors500 > 0:
					t.Errorf("%.0f answers were 500 (an overload or an outage is a 503)", r.errors500)
				}
			})
		}
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "case\tacked\trecorded\tlost\tduplicates\tcampaign\ttook\trecovery\tspooled\treplayed\ttakeovers\t5xx\tpeak fds\tpeak RSS MiB\n")
	for _, r := range results {
		outcome := fmt.Sprintf("%d/%d succeeded", r.succeeded, r.total)
		if !r.completed {
			outcome += " (incomplete)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\t%.0f\n", r.name, r.acked, r.recorded, r.lost, r.dups,
			outcome, r.took.Round(100*time.Millisecond), r.recovery.Round(100*time.Millisecond), r.spooled, r.replayed, r.takeovers,
			r.errors5xx, r.peakFDs, r.peakRSS)
	}
	tw.Flush()
	fmt.Printf("\nfault suite (%d devices x 9 reports):\n%s\n", sc.devices, buf.String())
}

func runChaosCase(t *testing.T, mode string, f chaosFault, sc chaosScale, db *service, n int) chaosResult {
	dbName := fmt.Sprintf("chaos_%d_%d", time.Now().Unix(), n)
	admin, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/", db.port))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + dbName + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	w := &chaosWorld{t: t, mode: mode, db: db, redis: privateRedis(t)}
	if mode == "external" {
		w.broker = privateMosquitto(t)
	}
	files := t.TempDir()
	firstHTTP := fmt.Sprintf("127.0.0.1:%d", loopbackPort(t))
	if mode == "rabbitmq" {
		// RabbitMQ asks node1's hooks who may connect.
		w.rabbit = newRabbitNode(t, 0, "http://"+firstHTTP, rabbitHookSecret)
		w.rabbit.start(t)
	}
	names := []string{"node1"}
	if mode != "embedded" {
		names = append(names, "node2")
	}
	for i, name := range names {
		node := &chaosNode{name: name, http: firstHTTP}
		if i > 0 {
			node.http = fmt.Sprintf("127.0.0.1:%d", loopbackPort(t))
		}
		env := []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "HOIST_LOG_FORMAT=json",
			"HOIST_DATA_DIR=" + filepath.Join(t.TempDir(), name), "HOIST_HTTP_ADDR=" + node.http,
			"HOIST_DB_DRIVER=mysql", fmt.Sprintf("HOIST_DB_DSN=root@tcp(127.0.0.1:%d)/%s", db.port, dbName),
			"HOIST_JWT_SECRET=chaos-suite-secret-0123456789abcdef", "HOIST_STARTUP_TIMEOUT=3m",
			fmt.Sprintf("HOIST_REDIS_ADDR=127.0.0.1:%d", w.redis.port), "HOIST_REDIS_PREFIX=" + dbName + ":",
			"HOIST_STORAGE_LOCAL_DIR=" + files, "HOIST_PUBLIC_BASE_URL=http://" + firstHTTP,
			"HOIST_AUTH_CAPTCHA=off", "HOIST_AUTH_REGISTRATION=open",
			// Every simulated device connects from 127.0.0.1.
			"HOIST_MQTT_CONNECT_RATE_PER_IP=0",
		}
		switch mode {
		case "embedded":
			node.mqtt = fmt.Sprintf("127.0.0.1:%d", loopbackPort(t))
			env = append(env, "HOIST_MQTT_TCP_ADDR="+node.mqtt, "HOIST_MQTT_WS_ADDR=")
			if sc.profile {
				node.pprof = fmt.Sprintf("127.0.0.1:%d", loopbackPort(t))
				env = append(env, "HOIST_METRICS_PPROF_ADDR="+node.pprof)
			}
		case "rabbitmq":
			env = append(env, "HOIST_MQTT_MODE=rabbitmq", fmt.Sprintf("HOIST_MQTT_URL=amqp://127.0.0.1:%d/", w.rabbit.amqp),
				"HOIST_MQTT_USERNAME=hoist", "HOIST_MQTT_PASSWORD=hoist-amqp-password", "HOIST_MQTT_CLIENT_ID="+dbName+"-"+name,
				"HOIST_MQTT_HOOK_SECRET="+rabbitHookSecret)
		default:
			// Mosquitto does not restore shared subscriptions from its
			// persistence: with Mosquitto every node subscribes to every
			// device message (README, "What each broker needs").
			env = append(env, "HOIST_MQTT_MODE=external", fmt.Sprintf("HOIST_MQTT_URL=tcp://127.0.0.1:%d", w.broker.port),
				"HOIST_MQTT_CLIENT_ID="+dbName+"-"+name, "HOIST_MQTT_SHARED_SUBSCRIPTION=false")
		}
		node.env = env
		node.start(t)
		w.nodes = append(w.nodes, node)
	}
	if mode == "rabbitmq" { // the queue exists once a node consumes
		waitReady(t, "http://"+firstHTTP, w.nodes[0].p)
	}
	t.Cleanup(func() {
		for _, n := range w.nodes {
			if n.p != nil && n.p.cmd.ProcessState == nil {
				n.p.stop(t)
			}
		}
	})
	base := "http://" + firstHTTP

	// An admin, a project, a product, its devices and a firmware.
	owner := mustFleetOwner(t, base)
	tok := struct{ Token string }{owner.Token}
	ctx := context.Background()
	creds, err := createSimDevices(ctx, base, tok.Token, "meter", "", sc.devices)
	if err != nil {
		t.Fatal(err)
	}
	res := struct{ ID string }{owner.mustFirmware(t, base)}

	brokerURL := "tcp://" + w.nodes[0].mqtt
	switch mode {
	case "external":
		brokerURL = fmt.Sprintf("tcp://127.0.0.1:%d", w.broker.port)
	case "rabbitmq":
		brokerURL = fmt.Sprintf("tcp://127.0.0.1:%d", w.rabbit.mqtt)
	}
	var sim fleetSim
	if len(creds) > simPerProcess {
		// One process cannot hold 10,000 devices' connections and
		// downloads under this machine's open-file limit: run them in
		// processes of their own, as the devices would be.
		sim = startSimProcs(t, brokerURL, creds, sc.step)
	} else {
		inproc := devicesim.New(devicesim.Options{Broker: brokerURL, Devices: creds, Firmware: "1.0.0", StepDelay: sc.step})
		if err := inproc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		sim = inprocSim{inproc}
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		sim.Stop(sctx)
	}()
	var camp struct{ ID string }
	if code := apiCall(t, base, "POST", "/api/v1/ota/campaigns", tok.Token, map[string]any{"resourceId": res.ID, "product": "meter",
		"target": map[string]any{"all": true}, "ttlSeconds": 3600}, &camp); code != 201 {
		t.Fatalf("campaign: HTTP %d", code)
	}
	started := time.Now()
	peakFDs := sampleFDs(w)
	pause(sc.faultAt)
	f.inject(w)
	faultEnd := time.Now()

	// Wait for the campaign to complete, asking whichever node answers.
	var counts map[string]int64
	completed := false
	var doneAt time.Time
	wait := 2*time.Minute + time.Duration(sc.devices)*10*time.Millisecond // 10,000 devices: 3 min 40 s
	heap := &heapWatch{node: w.nodes[0]}
	for deadline := faultEnd.Add(wait); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		heap.sample(t)
		for _, n := range w.nodes {
			if n.p.cmd.ProcessState != nil {
				continue
			}
			var c struct {
				Counts map[string]int64
				Status string
			}
			if apiCall(t, "http://"+n.http, "GET", "/api/v1/ota/campaigns/"+camp.ID, tok.Token, nil, &c) == 200 {
				counts = c.Counts
				completed = c.Status == "completed"
				break
			}
		}
		if completed {
			doneAt = time.Now()
			break
		}
	}
	heap.report(t)
	r := chaosResult{completed: completed, succeeded: counts["succeeded"]}
	for _, v := range counts {
		r.total += v
	}
	t.Logf("campaign of %d devices: %v after %s (fault ended %s after the start)", sc.devices, counts,
		time.Since(started).Round(time.Second), faultEnd.Sub(started).Round(time.Second))

	// Every report acknowledged to a device is in the history, once. A
	// report held by a dead node's session arrives when a live node takes
	// the session over: wait for that (and count it in the recovery).
	hist, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s", db.port, dbName))
	if err != nil {
		t.Fatal(err)
	}
	defer hist.Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(500 * time.Millisecond) {
		r.acked, r.recorded, r.lost, r.dups = auditHistory(t, hist, camp.ID, sim.Acked())
		if r.lost == 0 || time.Now().After(deadline) {
			break
		}
	}
	if d := auditCounts(t, hist, camp.ID); d != "" {
		t.Errorf("the campaign's kept counts differ from its devices counted: %s", d)
	}
	r.peakFDs = peakFDs()
	if completed {
		r.took = doneAt.Sub(started)
	}
	if completed {
		settled := doneAt
		if now := time.Now(); r.lost == 0 && now.Sub(doneAt) > time.Second { // the history caught up later
			settled = now
		}
		r.recovery = max(settled.Sub(faultEnd), 0)
	}
	for _, n := range w.nodes {
		if n.p.cmd.ProcessState == nil {
			m := scrapeMetrics(t, "http://"+n.http)
			r.spooled += m[`hoist_ingest_messages_total{outcome="spooled"}`]
			r.replayed += m[`hoist_ingest_messages_total{outcome="replayed"}`]
			r.takeovers += m["hoist_mqtt_session_takeovers_total"]
			for k, v := range m {
				if strings.HasPrefix(k, "hoist_http_requests_total{") && strings.Contains(k, `status="5`) {
					r.errors5xx += v
					if strings.Contains(k, `status="500"`) {
						r.errors500 += v
					}
				}
			}
			r.peakRSS = max(r.peakRSS, peakRSSMiB(n.p.cmd.Process.Pid))
		}
	}
	return r
}

// fleetSim is the simulated devices: in this process, or in several.
type fleetSim interface {
	// Acked returns the topics of the reports the broker acknowledged (of
	// the processes: as they wrote them when stopped).
	Acked() []string
	Stop(ctx context.Context)
}

type inprocSim struct{ *devicesim.Sim }

// simPerProcess is the most devices simulated in one process.
const simPerProcess = 2500

// simProcs runs `hoist device-sim` processes of simPerProcess devices.
type simProcs struct {
	t      *testing.T
	cmds   []*exec.Cmd
	acked  []string // the files they write their acknowledged topics to
	waited bool
}

func startSimProcs(t *testing.T, broker string, creds []devicesim.Credentials, step time.Duration) *simProcs {
	sp := &simProcs{t: t}
	dir := t.TempDir()
	var outs []string // each process's output file
	for i, part := 0, creds; len(part) > 0; i++ {
		n := min(simPerProcess, len(part))
		b, err := json.Marshal(part[:n])
		if err != nil {
			t.Fatal(err)
		}
		part = part[n:]
		devs, acked := filepath.Join(dir, fmt.Sprintf("devices-%d.json", i)), filepath.Join(dir, fmt.Sprintf("acked-%d.txt", i))
		if err := os.WriteFile(devs, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(hoistBin, "device-sim", "-broker", broker, "-devices", devs, "-step", step.String(), "-acked", acked)
		out := filepath.Join(dir, fmt.Sprintf("out-%d.txt", i))
		f, err := os.Create(out)
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = f, f
		err = cmd.Start()
		f.Close() // the process has its own copy
		if err != nil {
			t.Fatal(err)
		}
		sp.cmds, sp.acked, outs = append(sp.cmds, cmd), append(sp.acked, acked), append(outs, out)
	}
	t.Cleanup(func() { sp.Stop(context.Background()) })
	for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		ready := 0
		for _, out := range outs {
			if b, _ := os.ReadFile(out); strings.Contains(string(b), "devices connected") {
				ready++
			}
		}
		if ready == len(outs) {
			return sp
		}
		if time.Now().After(deadline) {
			for _, out := range outs {
				b, _ := os.ReadFile(out)
				t.Log(string(b))
			}
			t.Fatalf("%d of %d simulator processes connected their devices", ready, len(outs))
		}
	}
}

// Stop interrupts the processes and waits for them (they write their
// acknowledged topics on the way out).
func (sp *simProcs) Stop(context.Context) {
	if sp.waited {
		return
	}
	sp.waited = true
	for _, cmd := range sp.cmds {
		cmd.Process.Signal(os.Interrupt)
	}
	for _, cmd := range sp.cmds {
		cmd.Wait()
	}
}

func (sp *simProcs) Acked() []string {
	sp.Stop(context.Background())
	var out []string
	for _, f := range sp.acked {
		b, err := os.ReadFile(f)
		if err != nil {
			sp.t.Fatalf("a simulator wrote no acknowledged topics: %v", err)
		}
		if len(b) > 0 {
			out = append(out, strings.Split(string(b), "\n")...)
		}
	}
	return out
}

// heapWatch keeps a node's heap profile at its largest (HeapInuse), read
// from its profiler every few seconds.
type heapWatch struct {
	node    *chaosNode
	last    time.Time
	inuse   float64
	stats   string // the runtime.MemStats lines of that moment
	profile []byte
}

func (h *heapWatch) sample(t *testing.T) {
	if h.node.pprof == "" || time.Since(h.last) < 3*time.Second {
		return
	}
	h.last = time.Now()
	code, text := getText(t, "http://"+h.node.pprof+"/debug/pprof/heap?debug=1")
	if code != 200 {
		return
	}
	var inuse float64
	var stats []string
	for _, line := range strings.Split(text, "\n") {
		for _, name := range []string{"HeapInuse", "HeapAlloc", "Sys", "StackInuse", "NumGC"} {
			if rest, ok := strings.CutPrefix(line, "# "+name+" = "); ok {
				stats = append(stats, name+" "+rest)
				if name == "HeapInuse" {
					fmt.Sscan(rest, &inuse)
				}
			}
		}
	}
	if inuse <= h.inuse {
		return
	}
	code, prof := getText(t, "http://"+h.node.pprof+"/debug/pprof/heap")
	if code == 200 {
		h.inuse, h.stats, h.profile = inuse, strings.Join(stats, ", "), []byte(prof)
	}
	_, g := getText(t, "http://"+h.node.pprof+"/debug/pprof/goroutine?debug=1")
	if first, _, _ := strings.Cut(g, "\n"); first != "" {
		h.stats += ", " + first
	}
}

// report logs the largest heap seen, by allocation site (go tool pprof).
func (h *heapWatch) report(t *testing.T) {
	if h.profile == nil {
		return
	}
	f := filepath.Join(t.TempDir(), "heap.pb.gz")
	if err := os.WriteFile(f, h.profile, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "pprof", "-top", "-sample_index=inuse_space", "-nodecount=25", f).CombinedOutput()
	if err != nil {
		t.Logf("go tool pprof: %v", err)
	}
	t.Logf("largest heap during the campaign: %s\n%s", h.stats, out)
}

// sampleFDs counts the open descriptors of the running nodes every 200 ms
// until the returned func is called, which returns the highest count.
func sampleFDs(w *chaosWorld) func() float64 {
	stop := make(chan struct{})
	done := make(chan float64)
	go func() {
		var peak float64
		for {
			for _, n := range w.nodes {
				if n.p != nil && n.p.cmd.ProcessState == nil {
					if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", n.p.cmd.Process.Pid)); err == nil {
						peak = max(peak, float64(len(fds)))
					}
				}
			}
			select {
			case <-stop:
				done <- peak
				return
			case <-time.After(200 * time.Millisecond): // a sampling period
			}
		}
	}()
	return func() float64 { close(stop); return <-done }
}

// peakRSSMiB reads a process's peak resident memory (VmHWM) in MiB.
func peakRSSMiB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}

// scrapeMetrics reads /metrics into series → value.
func scrapeMetrics(t *testing.T, base string) map[string]float64 {
	out := map[string]float64{}
	code, body := getText(t, base+"/metrics")
	if code != 200 {
		return out
	}
	for _, line := range strings.Split(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		var v float64
		fmt.Sscan(line[i+1:], &v)
		out[line[:i]] = v
	}
	return out
}

func getText(t *testing.T, url string) (int, string) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// auditCounts compares a campaign's kept counts (ota_campaign_counts,
// what every read shows) with its devices counted one by one: "" when they
// agree, else the differences.
func auditCounts(t *testing.T, db *sql.DB, campaignID string) string {
	read := func(q string) map[string]int64 {
		rows, err := db.Query(q, campaignID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int64{}
		for rows.Next() {
			var wave, n int64
			var state string
			if err := rows.Scan(&wave, &state, &n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				out[fmt.Sprint(wave, "/", state)] = n
			}
		}
		return out
	}
	kept := read("SELECT wave, state, n FROM ota_campaign_counts WHERE campaign_id = ?")
	counted := read("SELECT wave, state, COUNT(*) FROM ota_campaign_devices WHERE campaign_id = ? GROUP BY wave, state")
	var diffs []string
	for k, n := range counted {
		if kept[k] != n {
			diffs = append(diffs, fmt.Sprintf("%s kept %d, counted %d", k, kept[k], n))
		}
	}
	for k, n := range kept {
		if _, ok := counted[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s kept %d, counted 0", k, n))
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs, "; ")
}

// auditHistory compares the acknowledged reports (topics) with the
// campaign's history: how many were acknowledged, how many rows there are,
// how many acknowledged ones are missing, how many rows repeat a message.
func auditHistory(t *testing.T, db *sql.DB, campaignID string, ackedTopics []string) (acked, recorded, lost, dups int) {
	want := map[string]bool{}
	for _, topic := range ackedTopics {
		parts := strings.Split(topic, "/") // update_ota_status/{product}/{device}/{messageId}
		want[parts[2]+"/"+parts[3]] = true
	}
	rows, err := db.Query("SELECT device, message_id, COUNT(*) FROM ota_history WHERE campaign_id = ? GROUP BY device, message_id", campaignID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var dev, mid string
		var k int
		if err := rows.Scan(&dev, &mid, &k); err != nil {
			t.Fatal(err)
		}
		have[dev+"/"+mid] = true
		recorded += k
		dups += k - 1
	}
	for k := range want {
		if !have[k] {
			lost++
		}
	}
	return len(want), recorded, lost, dups
}
