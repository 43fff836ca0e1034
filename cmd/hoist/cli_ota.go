package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/client"
)

const otaUsage = `hoist ota start --resource ID --product P (--tag T | --device D | --all) [--ttl 24h]
                 [--waves canary,10%,50%,rest [--success-threshold 95] [--error-threshold 10] [--wave-timeout 1h]] [--json]
       hoist ota watch CAMPAIGN_ID [--interval 2s] [--json]
       hoist ota resume CAMPAIGN_ID [--json]
       hoist ota pause|advance|abort CAMPAIGN_ID [--json]`

// cliCampaign is a campaign with the CLI's views of its counts.
type cliCampaign struct{ client.Campaign }

// otaStates orders the per-device states of PROTOCOLS §3 for display;
// states the server adds are shown after them.
var otaStates = []string{"waiting", "sent", "accepted", "downloading", "downloaded", "verified", "installing",
	"rebooting", "succeeded", "failed", "rejected", "skipped", "expired", "cancelled"}

// finalOTAStates are the states a device does not leave.
var finalOTAStates = []string{"succeeded", "failed", "rejected", "skipped", "expired", "cancelled"}

// done reports whether no device of the campaign can still move.
func (c cliCampaign) done() bool {
	switch strings.ToLower(c.Status) {
	case "completed", "cancelled", "expired":
		return true
	}
	var final, all int64
	for s, n := range c.Counts {
		all += n
		if slices.Contains(finalOTAStates, strings.ToLower(s)) {
			final += n
		}
	}
	total := max(c.Total, all)
	return total > 0 && final >= total
}

// countsLine renders the counts in state order, skipping zeros.
func (c cliCampaign) countsLine() string {
	parts := []string{fmt.Sprintf("total %d", max(c.Total, sum(c.Counts)))}
	seen := map[string]bool{}
	for _, s := range otaStates {
		seen[s] = true
		if n := c.Counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, n))
		}
	}
	var rest []string
	for s := range c.Counts {
		if !seen[s] && c.Counts[s] > 0 {
			rest = append(rest, s)
		}
	}
	slices.Sort(rest)
	for _, s := range rest {
		parts = append(parts, fmt.Sprintf("%s %d", s, c.Counts[s]))
	}
	return strings.Join(parts, "  ")
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// cliOTA runs `hoist ota start|watch`.
func cliOTA(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"ota: usage: " + otaUsage}
	}
	switch args[0] {
	case "start":
		return otaStart(ctx, args[1:], stdout, stderr)
	case "watch":
		return otaWatch(ctx, args[1:], stdout, stderr)
	case "resume":
		return otaResume(ctx, args[1:], stdout, stderr)
	case "pause", "advance", "abort":
		return otaWaveAction(ctx, args[0], args[1:], stdout, stderr)
	}
	return usageError{fmt.Sprintf("ota: unknown action %q; usage: %s", args[0], otaUsage)}
}

// otaStart creates a campaign: the resource (a firmware) to one device, the
// devices with a tag, or every device of the product.
func otaStart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("ota start", otaUsage, stderr)
	resource := fs.String("resource", "", "firmware resource id (required)")
	product := fs.String("product", "", "device product (required)")
	tag := fs.String("tag", "", "target the devices with this tag")
	device := fs.String("device", "", "target this one device")
	all := fs.Bool("all", false, "target every device of the product")
	ttl := fs.Duration("ttl", 0, "campaign lifetime, 1m to 720h: devices that have not finished by then count as expired (default 24h)")
	w := addWaveFlags(fs)
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"ota start: unexpected argument " + pos[0]}
	}
	targets := 0
	for _, set := range []bool{*tag != "", *device != "", *all} {
		if set {
			targets++
		}
	}
	switch {
	case *resource == "" || *product == "":
		return usageError{"ota start: --resource and --product are required"}
	case targets != 1:
		return usageError{"ota start: give exactly one target: --tag T, --device D or --all"}
	case *ttl != 0 && (*ttl < time.Minute || *ttl > 720*time.Hour):
		return usageError{"ota start: --ttl must be from 1m to 720h"}
	}
	body := client.NewCampaign{ResourceID: *resource, Product: *product,
		Target: client.CampaignTarget{Tag: *tag, Device: *device, All: *all}, TTLSeconds: int64(ttl.Seconds())}
	if err := w.apply(&body); err != nil {
		return err
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	created, err := api.CreateCampaign(ctx, body)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, created)
	}
	cp := cliCampaign{created}
	fmt.Fprintf(stdout, "Started campaign %s: %s\nFollow it with: hoist ota watch %s\n", cp.ID, cp.countsLine(), cp.ID)
	return nil
}

// otaResume sends a stuck campaign's command again to its open devices.
func otaResume(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("ota resume", otaUsage, stderr)
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"ota resume: give the campaign id"}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	res, err := api.ResumeCampaign(ctx, pos[0])
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "Sent the command again to %d open devices of campaign %s: %s\n", res.Resent, res.Campaign.ID, cliCampaign{res.Campaign}.countsLine())
	return nil
}

// otaWatch polls a campaign and prints its counts whenever they change,
// until every device is in a final state or the user interrupts.
func otaWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("ota watch", otaUsage, stderr)
	interval := fs.Duration("interval", 2*time.Second, "how often to ask the server")
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"ota watch: give one CAMPAIGN_ID"}
	}
	if *interval < 100*time.Millisecond {
		return usageError{"ota watch: --interval must be at least 100ms"}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	last := ""
	for {
		got, err := api.Campaign(ctx, pos[0])
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted
			}
			return err
		}
		cp := cliCampaign{got}
		if line := cp.countsLine() + " " + cp.Status + cp.waveNote(); line != last {
			last = line
			if c.json {
				if err := json.NewEncoder(stdout).Encode(got); err != nil { // one JSON object per line
					return err
				}
			} else {
				status := ""
				if cp.Status != "" {
					status = "  [" + cp.Status + cp.waveNote() + "]"
				}
				fmt.Fprintf(stdout, "%s  %s%s\n", time.Now().Format("15:04:05"), cp.countsLine(), status)
			}
		}
		if cp.done() {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*interval):
		}
	}
}
