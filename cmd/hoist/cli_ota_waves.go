package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/client"
)

// waveFlags are the wave options of hoist ota start.
type waveFlags struct {
	plan             *string
	success, failure *int
	timeout          *time.Duration
}

func addWaveFlags(fs *flag.FlagSet) waveFlags {
	return waveFlags{
		plan: fs.String("waves", "", "send in waves, comma-separated: a tag name (its devices), N (that many devices) or N% (of the target); "+
			"the devices left make a last wave (a final \"rest\" may say so), e.g. canary,10%,50%,rest"),
		success: fs.Int("success-threshold", -1, "with --waves: percent of a wave's devices that must succeed before the next starts (default 95)"),
		failure: fs.Int("error-threshold", -1, "with --waves: percent of the started devices failed, rejected or expired above which the campaign pauses (default 10)"),
		timeout: fs.Duration("wave-timeout", 0, "with --waves: devices of a started wave that have not finished this long after it started count as expired"),
	}
}

// apply puts the wave options into a new campaign.
func (w waveFlags) apply(n *client.NewCampaign) error {
	if *w.plan == "" {
		if *w.success >= 0 || *w.failure >= 0 || *w.timeout != 0 {
			return usageError{"ota start: --success-threshold, --error-threshold and --wave-timeout need --waves"}
		}
		return nil
	}
	waves, err := parseWaves(*w.plan)
	if err != nil {
		return err
	}
	n.Waves = waves
	if *w.success >= 0 {
		n.SuccessThreshold = w.success
	}
	if *w.failure >= 0 {
		n.ErrorThreshold = w.failure
	}
	n.WaveTimeoutSeconds = int64(w.timeout.Seconds())
	return nil
}

// parseWaves reads a --waves plan: comma-separated tag names, counts (N)
// and percents (N%); a last "rest" names the wave the plan leaves, which
// is always there.
func parseWaves(s string) ([]client.WaveSpec, error) {
	parts := strings.Split(s, ",")
	if strings.EqualFold(strings.TrimSpace(parts[len(parts)-1]), "rest") {
		parts = parts[:len(parts)-1]
	}
	var out []client.WaveSpec
	for i, p := range parts {
		p = strings.TrimSpace(p)
		bad := usageError{fmt.Sprintf("ota start: --waves: wave %d %q: want a tag, a count N or a percent N%%", i+1, p)}
		switch {
		case p == "" || strings.EqualFold(p, "rest"):
			return nil, bad
		case strings.HasSuffix(p, "%"):
			n, err := strconv.Atoi(strings.TrimSuffix(p, "%"))
			if err != nil || n < 1 {
				return nil, bad
			}
			out = append(out, client.WaveSpec{Percent: n})
		case p[0] >= '0' && p[0] <= '9':
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 {
				return nil, bad
			}
			out = append(out, client.WaveSpec{Count: n})
		default:
			out = append(out, client.WaveSpec{Tag: p})
		}
	}
	if len(out) == 0 {
		return nil, usageError{"ota start: --waves: name at least one wave before the rest"}
	}
	return out, nil
}

// waveNote is ", wave 2 of 3" for a campaign in waves, "" otherwise.
func (c cliCampaign) waveNote() string {
	if c.Waves == nil {
		return ""
	}
	return fmt.Sprintf(", wave %d of %d", c.Waves.Current, len(c.Waves.List))
}

// otaWaveAction runs hoist ota pause|advance|abort CAMPAIGN_ID.
func otaWaveAction(ctx context.Context, action string, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("ota "+action, otaUsage, stderr)
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"ota " + action + ": give the campaign id"}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	do := map[string]func(context.Context, string) (client.Campaign, error){
		"pause": api.PauseCampaign, "advance": api.AdvanceCampaign, "abort": api.AbortCampaign}[action]
	got, err := do(ctx, pos[0])
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, got)
	}
	cp := cliCampaign{got}
	fmt.Fprintf(stdout, "Campaign %s is %s%s: %s\n", cp.ID, cp.Status, cp.waveNote(), cp.countsLine())
	if cp.Waves != nil && cp.Waves.PauseReason != "" {
		fmt.Fprintf(stdout, "Paused: %s\n", cp.Waves.PauseReason)
	}
	return nil
}
