package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/event"
)

// Body is the generic JSON body of a delivery (format json).
type Body struct {
	// ID is the delivery's id: the same on every attempt of it.
	ID      string `json:"id"`
	Event   string `json:"event"`
	Project string `json:"project"`
	// ProjectName is the project's name when it was sent.
	ProjectName string          `json:"projectName"`
	At          time.Time       `json:"at"`
	Data        json.RawMessage `json:"data"`
}

// body returns the generic body of c.
func body(c Claim) Body {
	d := c.Delivery
	data := d.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	return Body{ID: d.ID, Event: d.Event, Project: d.ProjectID, ProjectName: c.ProjectName, At: d.EventTime.UTC(), Data: data}
}

// render returns where to POST c and the body, in c's webhook's format,
// at now (the chat services that sign with the secret get their signature
// too: DingTalk when the secret is its "SEC…" one, Feishu always).
func render(c Claim, now time.Time) (string, []byte, error) {
	b := body(c)
	w := c.Webhook
	if w.Format == FormatJSON || w.Format == "" {
		out, err := json.Marshal(b)
		return w.URL, out, err
	}
	title, line := summary(b)
	head := "Hoist · " + b.ProjectName
	if b.ProjectName == "" {
		head = "Hoist · " + b.Project
	}
	foot := b.Event + " · " + b.At.Format(time.RFC3339)
	var v any
	target := w.URL
	switch w.Format {
	case FormatDingTalk:
		v = map[string]any{"msgtype": "markdown", "markdown": map[string]string{
			"title": title,
			"text":  "#### " + head + "\n\n" + line + "\n\n> " + foot,
		}}
		if strings.HasPrefix(w.Secret, "SEC") {
			target = dingTalkSigned(target, w.Secret, now)
		}
	case FormatFeishu:
		ts := strconv.FormatInt(now.Unix(), 10)
		v = map[string]any{"msg_type": "text", "content": map[string]string{"text": head + "\n" + line + "\n" + foot},
			"timestamp": ts, "sign": feishuSign(w.Secret, ts)}
	case FormatWeCom:
		v = map[string]any{"msgtype": "markdown", "markdown": map[string]string{
			"content": "**" + head + "**\n" + line + "\n><font color=\"comment\">" + foot + "</font>",
		}}
	case FormatSlack:
		v = map[string]string{"text": "*" + slackEscape(head) + "*\n" + slackEscape(line) + "\n_" + slackEscape(foot) + "_"}
	default:
		return "", nil, fmt.Errorf("unknown format %q", w.Format)
	}
	out, err := json.Marshal(v)
	return target, out, err
}

// dingTalkSigned adds DingTalk's "加签" parameters to target: the time in
// milliseconds and base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).
func dingTalkSigned(target, secret string, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "\n" + secret))
	q := "timestamp=" + ts + "&sign=" + url.QueryEscape(base64.StdEncoding.EncodeToString(m.Sum(nil)))
	if strings.Contains(target, "?") {
		return target + "&" + q
	}
	return target + "?" + q
}

// feishuSign is Feishu's signature: base64(HMAC-SHA256 keyed with
// timestamp + "\n" + secret, of nothing).
func feishuSign(secret, ts string) string {
	m := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// summary returns a short title and a human-readable line for an event,
// from the fields of its data the emitters document (README "Webhooks");
// missing fields are left out.
func summary(b Body) (title, line string) {
	var d map[string]any
	_ = json.Unmarshal(b.Data, &d) // not an object: no fields
	str := func(k string) string {
		switch v := d[k].(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			return strconv.FormatBool(v)
		}
		return ""
	}
	release := strings.TrimSpace(str("typeLabel") + " " + str("version"))
	if c := str("versionCode"); c != "" {
		release += " (" + c + ")"
	}
	if release == "" {
		release = str("resourceId")
	}
	in := ""
	if ch := str("channel"); ch != "" {
		in = " in " + ch
	}
	percent := func(k string) string {
		if p := str(k); p != "" {
			return " at " + p + "%"
		}
		return ""
	}
	because := ""
	if r := str("reason"); r != "" {
		because = ": " + r
	}
	campaign := strings.TrimSpace("campaign " + firstOf(str("campaignName"), str("campaignId")))
	switch b.Event {
	case event.ReleasePublished:
		state := ""
		if str("enabled") == "false" {
			state = " (disabled)"
		}
		return "Release published", release + " published" + in + percent("rolloutPercent") + state
	case event.RolloutAdvanced:
		return "Rollout advanced", "Rollout of " + release + in + " advanced" + percent("rolloutPercent") + because
	case event.RolloutHalted:
		return "Rollout halted", "Rollout of " + release + in + " halted" + percent("rolloutPercent") + because
	case event.RolloutCompleted:
		return "Rollout completed", "Rollout of " + release + in + " completed"
	case event.WaveStarted:
		wave := ""
		if n := str("wave"); n != "" {
			wave = " " + n
		}
		return "Campaign wave started", "Wave" + wave + " of " + campaign + " started"
	case event.CampaignPaused:
		return "Campaign paused", strings.ToUpper(campaign[:1]) + campaign[1:] + " paused" + because
	case event.CampaignFinished:
		return "Campaign finished", strings.ToUpper(campaign[:1]) + campaign[1:] + " finished"
	case event.WebhookTest:
		return "Test delivery", "Test delivery from Hoist: this webhook works."
	}
	return b.Event, "Event " + b.Event
}

func firstOf(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
