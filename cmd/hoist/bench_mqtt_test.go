package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/devicesim"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/store"
	"github.com/hoist-ota/hoist/internal/store/storetest"
)

const (
	benchDevices = 1000
	benchReports = 10 // per device and iteration
)

// BenchmarkOTAReports sends 10 progress reports from each of 1 000
// simulated devices per iteration, through the embedded broker or
// (external) a Mosquitto configured as docs/deploy/mosquitto prescribes
// for Hoist, into the real services on SQLite and (with
// HOIST_TEST_MYSQL_DSN) MariaDB, and waits until every report is in the
// OTA history. Each device waits for its PUBACK — given only after the
// report's transaction committed — before it sends the next. It reports
// reports/s.
func BenchmarkOTAReports(b *testing.B) {
	for _, mode := range []string{config.MQTTEmbedded, config.MQTTExternal} {
		for _, driver := range storetest.Drivers() {
			b.Run(mode+"/"+driver, func(b *testing.B) {
				url := ""
				if mode == config.MQTTExternal {
					url = startMosquitto(b)
				}
				benchReportsThrough(b, mode, driver, url)
			})
		}
	}
}

// startMosquitto runs a Mosquitto on a free loopback port with the queue
// settings a Hoist bridge needs (anonymous devices: this measures
// throughput, not the auth plugin).
func startMosquitto(b *testing.B) string {
	bin, err := exec.LookPath("mosquitto")
	if err != nil {
		b.Skip("mosquitto: skipped (not installed)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	conf := filepath.Join(b.TempDir(), "mosquitto.conf")
	os.WriteFile(conf, []byte("listener "+port+" 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 1000\npersistence false\n"), 0o644)
	cmd := exec.Command(bin, "-c", conf)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "tcp://" + addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("mosquitto did not start")
	return ""
}

func benchReportsThrough(b *testing.B, mode, driver, url string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := config.Default()
	cfg.DataDir = b.TempDir()
	cfg.DB = storetest.DB(b, driver)
	cfg.JWT.Secret = strings.Repeat("j", 40)
	cfg.Storage.Local.Dir = cfg.DataDir + "/files"
	cfg.HTTP.Addr, cfg.MQTT.TCPAddr, cfg.MQTT.WSAddr = "127.0.0.1:0", "127.0.0.1:0", ""
	cfg.MQTT.Mode = mode
	cfg.MQTT.ConnectRatePerIP = 0 // every simulated device connects from 127.0.0.1
	if mode == config.MQTTExternal {
		cfg.MQTT.URL, cfg.MQTT.ClientID = url, fmt.Sprintf("hoist-bench-%d", time.Now().UnixNano())
	}
	st, err := store.Open(ctx, cfg.DB, storetest.Logger())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	ls, err := bindAll(cfg, storetest.Logger())
	if err != nil {
		b.Fatal(err)
	}
	defer ls.close()
	sv, err := newServices(ctx, cfg, st, storetest.Logger())
	if err != nil {
		b.Fatal(err)
	}
	defer sv.close()
	ms, err := newMQTT(cfg, ls, sv, storetest.Logger())
	if err != nil {
		b.Fatal(err)
	}
	sv.newOTA(cfg, st, ms.sender(), storetest.Logger())
	if ms.broker != nil {
		if err := ms.broker.Start(func(product, device string) { resendPending(sv.ota, storetest.Logger(), product, device) }); err != nil {
			b.Fatal(err)
		}
		defer ms.broker.Close()
		url = "tcp://" + ls.mqttTCP.Addr().String()
	}
	go ms.ingest.Run(ctx, sv.ota.Ingest)
	go ms.bridge.Run(ctx)
	go sv.ota.Run(ctx)

	// A product of 1 000 devices owned by an admin.
	admin, err := sv.accounts.CreateUser(ctx, account.NewUser{Username: "bench", Password: "bench password"}, account.RoleAdmin)
	if err != nil {
		b.Fatal(err)
	}
	p := account.Principal{UserID: admin.ID, Username: admin.Username, Role: admin.Role}
	name := "bench"
	pr, err := sv.projects.Create(ctx, p, project.Fields{Name: &name})
	if err != nil {
		b.Fatal(err)
	}
	product := fmt.Sprintf("bench%d", time.Now().UnixNano()%1e9)
	if _, err := sv.devices.CreateProduct(ctx, p, device.ProductFields{Name: product, ProjectID: pr.ID}); err != nil {
		b.Fatal(err)
	}
	ns := make([]device.NewDevice, benchDevices)
	for i := range ns {
		ns[i] = device.NewDevice{Name: fmt.Sprintf("d%04d", i)}
	}
	issued, err := sv.devices.CreateDevices(ctx, p, product, ns)
	if err != nil {
		b.Fatal(err)
	}
	creds := make([]devicesim.Credentials, len(issued))
	for i, d := range issued {
		creds[i] = devicesim.Credentials{Product: product, Name: d.Name, Secret: d.Secret}
	}
	sim := devicesim.New(devicesim.Options{Broker: url, Devices: creds})
	if err := sim.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer sim.Stop(context.Background())
	db := st.Pools()
	count := func() int64 {
		var n int64
		for _, pool := range db {
			if err := pool.QueryRow("SELECT COUNT(*) FROM ota_history WHERE product = ?", product).Scan(&n); err == nil {
				return n
			}
		}
		return -1
	}

	b.ResetTimer()
	var sent int64
	start := time.Now()
	for it := 0; it < b.N; it++ {
		errs := make(chan error, benchDevices)
		for i := range creds {
			go func() {
				var err error
				for k := 0; k < benchReports && err == nil; k++ {
					err = sim.Report(i, map[string]any{"state": "downloading", "progress": k * 10})
				}
				errs <- err
			}()
		}
		for range creds {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		sent += benchDevices * benchReports
		deadline := time.Now().Add(60 * time.Second)
		for count() < sent {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d reports recorded after 60 s (bridge %+v)", count(), sent, ms.bridge.Stats())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := count(); got != sent {
		b.Fatalf("%d reports recorded, %d sent", got, sent)
	}
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "reports/s")
}
