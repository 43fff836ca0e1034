package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/client"
)

// resourceTypes are the --type names, by wire value.
var resourceTypes = []string{1: "wgt-android", 2: "wgt-ios", 3: "android", 4: "ios", 5: "firmware",
	6: "codepush-android", 7: "codepush-ios"}

// parseType accepts a type name or its number.
func parseType(s string) (int, bool) {
	for i, n := range resourceTypes {
		if n != "" && (s == n || s == strconv.Itoa(i)) {
			return i, true
		}
	}
	return 0, false
}

func typeName(t int) string {
	if t > 0 && t < len(resourceTypes) {
		return resourceTypes[t]
	}
	return strconv.Itoa(t)
}

var updateTypes = map[int]string{1: "consent", 2: "forced", 3: "silent"}

func statusName(s int) string {
	if s == 1 {
		return "enabled"
	}
	return "disabled"
}

func day(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// cliProjects runs `hoist projects`.
func cliProjects(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("projects", "hoist projects [--json]", stderr)
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"projects: unexpected argument " + pos[0]}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	ps, err := api.Projects(ctx)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, ps)
	}
	rows := make([][]string, len(ps))
	for i, p := range ps {
		rows[i] = []string{p.ID, p.Name, p.MyRole, day(p.CreatedTime)}
	}
	return table(stdout, []string{"ID", "NAME", "ROLE", "CREATED"}, rows)
}

// cliResources runs `hoist resources --project ID [--type T] [--status S]`.
func cliResources(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("resources", "hoist resources --project ID [--type T] [--status enabled|disabled] [--json]", stderr)
	projectID := fs.String("project", "", "project id (required)")
	typ := fs.String("type", "", "only this type: wgt-android, wgt-ios, android, ios, firmware, codepush-android or codepush-ios")
	status := fs.String("status", "", "only enabled or disabled resources")
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageError{"resources: unexpected argument " + pos[0]}
	}
	if *projectID == "" {
		return usageError{"resources: --project is required"}
	}
	filter := client.ResourceFilter{SortKey: "createdTime", Order: "DESC"}
	if *typ != "" {
		t, ok := parseType(*typ)
		if !ok {
			return usageError{fmt.Sprintf("resources: --type %q: use wgt-android, wgt-ios, android, ios, firmware, codepush-android or codepush-ios", *typ)}
		}
		filter.Type = t
	}
	switch *status {
	case "":
	case "enabled", "1":
		filter.Status = "1"
	case "disabled", "0":
		filter.Status = "0"
	default:
		return usageError{fmt.Sprintf("resources: --status %q: use enabled or disabled", *status)}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	rs, err := api.Resources(ctx, *projectID, filter)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, rs)
	}
	rows := make([][]string, len(rs))
	for i, r := range rs {
		native := ""
		if r.NativeVersionCode != 0 {
			native = strconv.FormatInt(r.NativeVersionCode, 10)
		}
		rows[i] = []string{r.ID, typeName(r.Type), r.Version, strconv.FormatInt(r.VersionCode, 10), native,
			statusName(r.Status), strconv.Itoa(r.RolloutPercent) + "%", updateTypes[r.UpdateType], humanSize(r.Size), day(r.CreatedTime)}
	}
	return table(stdout, []string{"ID", "TYPE", "VERSION", "CODE", "NATIVE", "STATUS", "ROLLOUT", "UPDATE", "SIZE", "CREATED"}, rows)
}

func humanSize(n int64) string {
	switch {
	case n <= 0:
		return "-"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

const resourceUsage = `hoist resource enable ID | disable ID | rollout ID PERCENT | range ID RANGE | show ID | promote ID CHANNEL | rollback ID  [--json]`

// cliResource runs `hoist resource enable|disable|rollout|range|show|promote|rollback ID [PERCENT|RANGE|CHANNEL]`;
// range sets a CodePush release's targetBinaryRange (the server checks it).
func cliResource(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newCLIFlagSet("resource", resourceUsage, stderr)
	pos, err := parseCLI(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageError{"resource: usage: " + resourceUsage}
	}
	action, pos := pos[0], pos[1:]
	want := 1
	if action == "rollout" || action == "promote" || action == "range" {
		want = 2
	}
	if len(pos) != want {
		return usageError{"resource: usage: " + resourceUsage}
	}
	switch action {
	case "promote", "rollback":
		return cliChannelAction(ctx, c, action, pos, stdout)
	}
	var patch *client.ResourcePatch
	switch action {
	case "enable":
		on := 1
		patch = &client.ResourcePatch{Status: &on}
	case "disable":
		off := 0
		patch = &client.ResourcePatch{Status: &off}
	case "rollout":
		p, err := strconv.Atoi(strings.TrimSuffix(pos[1], "%"))
		if err != nil || p < 1 || p > 100 {
			return usageError{fmt.Sprintf("resource rollout: PERCENT %q: give a whole number from 1 to 100", pos[1])}
		}
		patch = &client.ResourcePatch{RolloutPercent: &p}
	case "range":
		rng := pos[1]
		patch = &client.ResourcePatch{TargetBinaryRange: &rng}
	case "show":
	default:
		return usageError{fmt.Sprintf("resource: unknown action %q; usage: %s", action, resourceUsage)}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	var r client.Resource
	if patch == nil {
		r, err = api.Resource(ctx, pos[0])
	} else {
		r, err = api.UpdateResource(ctx, pos[0], *patch)
	}
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, r)
	}
	if action == "show" {
		return describeResource(stdout, r)
	}
	if action == "range" {
		fmt.Fprintf(stdout, "%s %s %s now for binaries %s\n", r.ID, typeName(r.Type), r.Label, r.TargetBinaryRange)
		return nil
	}
	fmt.Fprintf(stdout, "%s %s %s (versionCode %d): %s, rollout %d%%\n",
		r.ID, typeName(r.Type), r.Version, r.VersionCode, statusName(r.Status), r.RolloutPercent)
	return nil
}

// describeResource prints one resource as aligned key: value lines.
func describeResource(w io.Writer, r client.Resource) error {
	rows := [][]string{
		{"id:", r.ID}, {"project:", r.ProjectID}, {"type:", typeName(r.Type)}, {"version:", r.Version},
		{"versionCode:", strconv.FormatInt(r.VersionCode, 10)},
	}
	if r.NativeVersionCode != 0 {
		rows = append(rows, []string{"nativeVersionCode:", strconv.FormatInt(r.NativeVersionCode, 10)})
	}
	if r.Product != "" {
		rows = append(rows, []string{"product:", r.Product})
	}
	if r.Label != "" {
		rows = append(rows, []string{"label:", r.Label}, []string{"targetBinaryRange:", r.TargetBinaryRange},
			[]string{"packageHash:", r.PackageHash})
	}
	rows = append(rows,
		[]string{"status:", statusName(r.Status)}, []string{"rollout:", strconv.Itoa(r.RolloutPercent) + "%"},
		[]string{"updateType:", updateTypes[r.UpdateType]}, []string{"size:", humanSize(r.Size)},
		[]string{"url:", r.URL}, []string{"created:", day(r.CreatedTime)})
	return table(w, nil, rows)
}

// cliChannelAction runs `hoist resource promote ID CHANNEL` and
// `hoist resource rollback ID`.
func cliChannelAction(ctx context.Context, c *cliFlags, action string, pos []string, stdout io.Writer) error {
	api, err := c.client()
	if err != nil {
		return err
	}
	if action == "promote" {
		r, err := api.Promote(ctx, pos[0], pos[1], nil)
		if err != nil {
			return err
		}
		if c.json {
			return printJSON(stdout, r)
		}
		fmt.Fprintf(stdout, "%s %s %s (versionCode %d) promoted to %s\n", r.ID, typeName(r.Type), r.Version, r.VersionCode, r.Channel)
		return nil
	}
	out, err := api.Rollback(ctx, pos[0])
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, out)
	}
	w := out.Withdrawn
	fmt.Fprintf(stdout, "%s %s (versionCode %d) withdrawn\n", typeName(w.Type), w.Version, w.VersionCode)
	if r := out.Republished; r != nil {
		fmt.Fprintf(stdout, "%s %s re-published as versionCode %d (%s)\n", r.ID, r.Version, r.VersionCode, r.Channel)
	}
	return nil
}
