package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// apiResource is a resource as the API shows it.
type apiResource struct {
	ID                string    `json:"id"`
	ProjectID         string    `json:"projectId"`
	Type              int       `json:"type"`
	Version           string    `json:"version"`
	VersionCode       int64     `json:"versionCode"`
	NativeVersionCode int64     `json:"nativeVersionCode"`
	URL               string    `json:"url"`
	UpdateType        int       `json:"updateType"`
	Status            int       `json:"status"`
	RolloutPercent    int       `json:"rolloutPercent"`
	Size              int64     `json:"size"`
	Product           string    `json:"product"`
	CreatedTime       time.Time `json:"createdTime"`
}

// cliProject is a project as the API shows it.
type cliProject struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	MyRole      string    `json:"myRole"`
	UpdateURL   string    `json:"updateUrl"`
	CreatedTime time.Time `json:"createdTime"`
}

// resourceTypes are the --type names, by wire value.
var resourceTypes = []string{1: "wgt-android", 2: "wgt-ios", 3: "android", 4: "ios", 5: "firmware"}

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

// listAll fetches every page of a list endpoint (PROTOCOLS §1 lists).
func listAll(ctx context.Context, c *apiClient, path string, q url.Values) ([]json.RawMessage, error) {
	all := []json.RawMessage{} // an empty list prints as [], not null
	for num := 1; ; num++ {
		q.Set("pageNum", strconv.Itoa(num))
		q.Set("pageSize", "100")
		var pg struct {
			Total   int64             `json:"total"`
			Records []json.RawMessage `json:"records"`
		}
		if err := c.call(ctx, "GET", path+"?"+q.Encode(), nil, &pg); err != nil {
			return nil, err
		}
		all = append(all, pg.Records...)
		if len(pg.Records) == 0 || int64(len(all)) >= pg.Total {
			return all, nil
		}
	}
}

func decodeAll[T any](raw []json.RawMessage) ([]T, error) {
	out := make([]T, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("unexpected record from the server: %w", err)
		}
	}
	return out, nil
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
	raw, err := listAll(ctx, api, "/api/v1/projects", url.Values{})
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, raw)
	}
	ps, err := decodeAll[cliProject](raw)
	if err != nil {
		return err
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
	typ := fs.String("type", "", "only this type: wgt-android, wgt-ios, android, ios or firmware")
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
	q := url.Values{"sortKey": {"createdTime"}, "order": {"DESC"}}
	if *typ != "" {
		t, ok := parseType(*typ)
		if !ok {
			return usageError{fmt.Sprintf("resources: --type %q: use wgt-android, wgt-ios, android, ios or firmware", *typ)}
		}
		q.Set("type", strconv.Itoa(t))
	}
	switch *status {
	case "":
	case "enabled", "1":
		q.Set("status", "1")
	case "disabled", "0":
		q.Set("status", "0")
	default:
		return usageError{fmt.Sprintf("resources: --status %q: use enabled or disabled", *status)}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	raw, err := listAll(ctx, api, "/api/v1/projects/"+url.PathEscape(*projectID)+"/resources", q)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, raw)
	}
	rs, err := decodeAll[apiResource](raw)
	if err != nil {
		return err
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

const resourceUsage = `hoist resource enable ID | disable ID | rollout ID PERCENT | show ID  [--json]`

// cliResource runs `hoist resource enable|disable|rollout|show ID [PERCENT]`.
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
	if action == "rollout" {
		want = 2
	}
	if len(pos) != want {
		return usageError{"resource: usage: " + resourceUsage}
	}
	var patch map[string]any
	switch action {
	case "enable":
		patch = map[string]any{"status": 1}
	case "disable":
		patch = map[string]any{"status": 0}
	case "rollout":
		p, err := strconv.Atoi(strings.TrimSuffix(pos[1], "%"))
		if err != nil || p < 1 || p > 100 {
			return usageError{fmt.Sprintf("resource rollout: PERCENT %q: give a whole number from 1 to 100", pos[1])}
		}
		patch = map[string]any{"rolloutPercent": p}
	case "show":
	default:
		return usageError{fmt.Sprintf("resource: unknown action %q; usage: %s", action, resourceUsage)}
	}
	api, err := c.client()
	if err != nil {
		return err
	}
	var raw json.RawMessage
	path := "/api/v1/resources/" + url.PathEscape(pos[0])
	if patch == nil {
		err = api.call(ctx, "GET", path, nil, &raw)
	} else {
		err = api.call(ctx, "PATCH", path, patch, &raw)
	}
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, raw)
	}
	var r apiResource
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("unexpected resource from the server: %w", err)
	}
	if action == "show" {
		return describeResource(stdout, r)
	}
	fmt.Fprintf(stdout, "%s %s %s (versionCode %d): %s, rollout %d%%\n",
		r.ID, typeName(r.Type), r.Version, r.VersionCode, statusName(r.Status), r.RolloutPercent)
	return nil
}

// describeResource prints one resource as aligned key: value lines.
func describeResource(w io.Writer, r apiResource) error {
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
	rows = append(rows,
		[]string{"status:", statusName(r.Status)}, []string{"rollout:", strconv.Itoa(r.RolloutPercent) + "%"},
		[]string{"updateType:", updateTypes[r.UpdateType]}, []string{"size:", humanSize(r.Size)},
		[]string{"url:", r.URL}, []string{"created:", day(r.CreatedTime)})
	return table(w, nil, rows)
}
