package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/devicesim"
)

// deviceSim runs `hoist device-sim`: simulated devices that connect to the
// broker, answer commands and perform OTA upgrades, reporting progress.
func deviceSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("device-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	broker := fs.String("broker", "tcp://127.0.0.1:1883", "MQTT broker URL (tcp://host:port or ws://host:port/mqtt)")
	file := fs.String("devices", "", "JSON file of devices with secrets: the answer of POST .../devices:batch")
	server := fs.String("server", "", "with -create: Hoist's URL")
	token := fs.String("token", os.Getenv("HOIST_TOKEN"), "with -create: an API token (env HOIST_TOKEN)")
	product := fs.String("product", "", "with -create: the product")
	create := fs.Int("create", 0, "create this many devices through the API first (names sim-0001...)")
	tag := fs.String("tag", "", "with -create: tag every created device")
	firmware := fs.String("firmware", "1.0.0", "firmware version the devices start on")
	failRate := fs.Float64("fail-rate", 0, "probability (0..1) that an installation fails")
	corrupt := fs.Bool("corrupt", false, "every download fails verification")
	duration := fs.Duration("duration", 0, "stop after this long (0: until interrupted)")
	step := fs.Duration("step", 0, "delay between a device's progress reports")
	acked := fs.String("acked", "", "at the end, write the topics of the reports the broker acknowledged to this file, one per line")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	var devs []devicesim.Credentials
	var err error
	switch {
	case *file != "" && *create == 0:
		devs, err = readSimDevices(*file)
	case *create > 0 && *file == "" && *server != "" && *token != "" && *product != "":
		devs, err = createSimDevices(ctx, *server, *token, *product, *tag, *create)
	default:
		return usageError{"device-sim: give -devices FILE, or -create N with -server, -token and -product"}
	}
	if err != nil {
		return err
	}
	sim := devicesim.New(devicesim.Options{Broker: *broker, Devices: devs, Firmware: *firmware,
		FailRate: *failRate, Corrupt: *corrupt, StepDelay: *step, Log: newLogger(defaultLog(), stderr)})
	if err := sim.Start(ctx); err != nil {
		return fmt.Errorf("device-sim: %w", err)
	}
	fmt.Fprintf(stdout, "%d devices connected to %s\n", len(devs), *broker)
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			printSimStats(stdout, sim.Stats())
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sim.Stop(stopCtx)
	printSimStats(stdout, sim.Stats())
	if *acked != "" {
		topics := sim.Acked()
		if err := os.WriteFile(*acked, []byte(strings.Join(topics, "\n")), 0o600); err != nil {
			return fmt.Errorf("device-sim: %w", err)
		}
	}
	return nil
}

func printSimStats(w io.Writer, s devicesim.Stats) {
	fmt.Fprintf(w, "connected %d  commands %d  upgrades %d  succeeded %d  failed %d  reports %d\n",
		s.Connected, s.Commands, s.Upgrades, s.Succeeded, s.Failed, s.Reports)
}

// readSimDevices reads the batch answer: the envelope, its data, or a bare
// list of devices.
func readSimDevices(path string) ([]devicesim.Credentials, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var env struct {
		Data    *struct{ Devices []devicesim.Credentials } `json:"data"`
		Devices []devicesim.Credentials                    `json:"devices"`
	}
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("[")) {
		var list []devicesim.Credentials
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return list, nil
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if env.Data != nil {
		return env.Data.Devices, nil
	}
	return env.Devices, nil
}

// createSimDevices creates devices through the batch API and returns their
// credentials.
func createSimDevices(ctx context.Context, server, token, product, tag string, n int) ([]devicesim.Credentials, error) {
	type nd struct {
		Name string   `json:"name"`
		Tags []string `json:"tags,omitempty"`
	}
	req := struct {
		Devices []nd `json:"devices"`
	}{}
	stamp := time.Now().Format("150405")
	for i := 1; i <= n; i++ {
		d := nd{Name: fmt.Sprintf("sim-%s-%04d", stamp, i)}
		if tag != "" {
			d.Tags = []string{tag}
		}
		req.Devices = append(req.Devices, d)
	}
	body, _ := json.Marshal(req)
	hr, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(server, "/")+"/api/v1/products/"+product+"/devices/batch", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hr.Header.Set("Authorization", "Bearer "+token)
	hr.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var env struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
		Data    struct {
			Devices []devicesim.Credentials `json:"devices"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || !env.Success {
		return nil, fmt.Errorf("create devices: HTTP %d %s", resp.StatusCode, env.Message)
	}
	return env.Data.Devices, nil
}
