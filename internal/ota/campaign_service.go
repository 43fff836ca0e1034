package ota

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
	"github.com/hoist-ota/hoist/internal/release"
)

// upgradePayload is the ota_upgrade command (PROTOCOLS §3).
type upgradePayload struct {
	URL       string `json:"url"`
	Version   string `json:"version"`
	Size      int64  `json:"size"`
	MD5       string `json:"md5"`
	SHA256    string `json:"sha256"`
	Type      string `json:"type"`
	RequestID string `json:"requestId"`
	ExpiresAt int64  `json:"expiresAt"`
}

// urlMargin keeps a download URL valid a little past its campaign, so that
// a download started just before the expiry can finish.
const urlMargin = time.Hour

// CreateCampaign sends a firmware resource to a product's devices
// (maintainers and owners of the product's project). The device list is
// fixed now: one device, the devices with a tag, or all of the product's.
// Devices whose reported firmware version already equals the resource's
// are skipped; the others are recorded as sent and get ota_upgrade with a
// download URL signed for the campaign's lifetime: one send to the tag for
// a tag, one per device otherwise. With waves, the devices are split into
// waves now (see splitWaves) and only the first wave's are sent the
// command, one per device; the others wait for their wave.
//
// Errors: Invalid for bad input, a resource that is not an enabled
// firmware (type 5) of the product and project, or a tag no device has;
// NotFound for an unknown product, device or resource; Unavailable when
// nothing could be published (the campaign is then deleted). When some
// per-device publishes fail after others succeeded, the campaign stands
// and those devices are failed with an error saying so.
func (s *Service) CreateCampaign(ctx context.Context, p account.Principal, n NewCampaign) (Campaign, error) {
	if err := n.validate(); err != nil {
		return Campaign{}, err
	}
	pr, err := s.devices.Authorize(ctx, p, n.Product, project.Publish)
	if err != nil {
		return Campaign{}, err
	}
	r, err := s.firmware(ctx, p, n.ResourceID, pr)
	if err != nil {
		return Campaign{}, err
	}
	targets, err := s.targets(ctx, n.Product, n.Target)
	if err != nil {
		return Campaign{}, err
	}
	now := s.stamp()
	kind, value := n.Target.Kind()
	c := Campaign{ID: ids.New(), ProjectID: pr.ProjectID, Product: n.Product, ResourceID: r.ID, Version: r.Version,
		TargetKind: kind, TargetValue: value, RequestID: ids.New(), ExpiresAt: expiry(now, n.TTL),
		CreatedBy: p.UserID, CreatedTime: now, UpdatedTime: now}
	url, err := s.downloadURL(ctx, r, c.ExpiresAt.Sub(now)+urlMargin, n.BaseURL)
	if err != nil {
		return Campaign{}, err
	}
	body, err := json.Marshal(upgradePayload{URL: url, Version: r.Version, Size: r.Size, MD5: r.MD5, SHA256: r.SHA256,
		Type: "firmware", RequestID: c.RequestID, ExpiresAt: c.ExpiresAt.Unix()})
	if err != nil {
		return Campaign{}, err
	}
	c.Payload = body
	var waveOf map[string]int
	if len(n.Waves) > 0 {
		if waveOf, err = s.planWaves(ctx, n, &c, targets); err != nil {
			return Campaign{}, err
		}
	}
	entries := make([]Entry, len(targets))
	var send []string
	for i, t := range targets {
		state := StateSent
		switch {
		case t.FirmwareVersion == r.Version:
			state = StateSkipped
		case waveOf[t.Name] > 1:
			state = StateWaiting
		default:
			send = append(send, t.Name)
		}
		entries[i] = Entry{CampaignID: c.ID, Product: c.Product, Device: t.Name, Wave: waveOf[t.Name], State: state, UpdatedTime: now}
	}
	if err := s.store.CreateCampaign(ctx, c, entries); err != nil {
		return Campaign{}, fmt.Errorf("ota: create campaign: %w", err)
	}
	if err := s.publishCampaign(ctx, c, send, body); err != nil {
		return Campaign{}, err
	}
	if len(c.Waves) > 0 {
		s.firstWaveStarted(ctx, c, p.UserID)
		return s.reload(ctx, c.ID)
	}
	return s.withCounts(ctx, c)
}

// firmware returns the campaign's resource once it is an enabled firmware
// of the product's project made for the product.
func (s *Service) firmware(ctx context.Context, p account.Principal, id string, pr device.Product) (release.Resource, error) {
	if len(id) != 32 {
		return release.Resource{}, apperr.New(apperr.NotFound, "resource not found")
	}
	r, err := s.releases.Get(ctx, p, id)
	if err != nil {
		return release.Resource{}, err
	}
	bad := func(field, msg string) error { return apperr.Fields(apperr.FieldError{Field: field, Message: msg}) }
	switch {
	case r.Type != release.TypeFirmware:
		return r, bad("resourceId", "must name a firmware resource (type 5)")
	case r.Status != release.StatusEnabled:
		return r, bad("resourceId", "names a disabled resource; enable it first")
	case r.Product != pr.Name:
		return r, bad("product", fmt.Sprintf("must be the resource's product %q", r.Product))
	case r.ProjectID != pr.ProjectID:
		return r, bad("resourceId", "must name a resource of the product's project")
	case r.StorageKey == "":
		return r, bad("resourceId", "names a resource without a file")
	}
	return r, nil
}

// targets returns the campaign's devices.
func (s *Service) targets(ctx context.Context, product string, t Target) ([]device.Version, error) {
	if t.Device != "" {
		d, err := s.devices.Lookup(ctx, product, t.Device)
		if err != nil {
			return nil, err
		}
		return []device.Version{{Name: d.Name, FirmwareVersion: d.FirmwareVersion}}, nil
	}
	vs, err := s.devices.Versions(ctx, product, t.Tag)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		if t.Tag != "" {
			return nil, apperr.Fields(apperr.FieldError{Field: "target.tag", Message: "no device of the product has this tag"})
		}
		return nil, apperr.Fields(apperr.FieldError{Field: "target", Message: "the product has no devices"})
	}
	return vs, nil
}

// downloadURL signs the resource's file for ttl and makes it absolute.
func (s *Service) downloadURL(ctx context.Context, r release.Resource, ttl time.Duration, baseURL string) (string, error) {
	u, err := s.blob.URL(ctx, r.StorageKey, ttl)
	if err != nil {
		return "", fmt.Errorf("ota: download url of %s: %w", r.ID, err)
	}
	return s.absolute(u, baseURL), nil
}

// absolute makes a storage path ("/files/...") absolute.
func (s *Service) absolute(u, baseURL string) string {
	if !strings.HasPrefix(u, "/") {
		return u
	}
	if s.opts.PublicBaseURL != "" {
		baseURL = s.opts.PublicBaseURL
	}
	return strings.TrimRight(baseURL, "/") + u
}

// publishCampaign sends ota_upgrade to the devices of send (to the tag,
// once, for a tag campaign). Nothing published: the campaign is deleted and
// the error returned. Some published: the others are failed.
func (s *Service) publishCampaign(ctx context.Context, c Campaign, send []string, body []byte) error {
	if len(send) == 0 {
		return nil
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PublishTimeout)
	defer cancel()
	c.Payload = body
	ok, sent, err := s.publishEach(pctx, c.upgrades(send))
	if err == nil {
		return nil
	}
	cctx, ccancel := cleanupContext(ctx)
	defer ccancel()
	if sent == 0 {
		if derr := s.store.DeleteCampaign(cctx, c.ID); derr != nil {
			s.log.Error("unpublished campaign left behind", "campaign", c.ID, "error", derr)
		}
		return publishError(err, "nothing was sent and no campaign was created")
	}
	failed := make([]string, 0, len(send))
	for i, d := range send { // sent > 0: a per-device campaign, msgs[i] is send[i]'s
		if !ok[i] {
			failed = append(failed, d)
		}
	}
	s.log.Warn("campaign partly published", "campaign", c.ID, "published", sent, "failed", len(failed), "error", err)
	if _, err := s.store.SetOpenEntries(cctx, c.ID, failed, StateFailed, "the command could not be published to the MQTT broker", s.stamp()); err != nil {
		return fmt.Errorf("ota: campaign %s: record unpublished devices: %w", c.ID, err)
	}
	return nil
}

// Campaign returns a campaign with its counts per state (anyone who can
// read its project).
func (s *Service) Campaign(ctx context.Context, p account.Principal, id string) (Campaign, error) {
	c, err := s.campaign(ctx, p, id, project.Read)
	if err != nil {
		return Campaign{}, err
	}
	return s.withCounts(ctx, c)
}

// ListCampaigns lists the campaigns p can read (all for administrators),
// newest first, optionally of one project or product (NotFound when p
// cannot read it).
func (s *Service) ListCampaigns(ctx context.Context, p account.Principal, f CampaignFilter, pg page.Request) ([]Campaign, int64, error) {
	if p.ProjectID != "" { // a project-scoped token sees its project only
		if f.ProjectID != "" && f.ProjectID != p.ProjectID {
			return nil, 0, apperr.New(apperr.NotFound, "project not found")
		}
		f.ProjectID = p.ProjectID
	}
	f.MemberID = ""
	if f.Product != "" {
		pr, err := s.devices.Authorize(ctx, p, f.Product, project.Read)
		if err != nil {
			return nil, 0, err
		}
		if f.ProjectID != "" && f.ProjectID != pr.ProjectID {
			return []Campaign{}, 0, nil
		}
		f.ProjectID = pr.ProjectID
	} else if f.ProjectID != "" {
		if _, _, err := s.projects.Access(ctx, p, f.ProjectID, project.Read); err != nil {
			return nil, 0, err
		}
	} else if !p.IsAdmin() {
		f.MemberID = p.UserID
	}
	cs, total, err := s.store.ListCampaigns(ctx, f, pg)
	if err != nil {
		return nil, 0, err
	}
	return cs, total, s.fillCounts(ctx, cs)
}

// CampaignDevices lists a campaign's devices, of one state unless state is
// "" (Invalid when it is not a State).
func (s *Service) CampaignDevices(ctx context.Context, p account.Principal, id string, state State, pg page.Request) ([]Entry, int64, error) {
	if state != "" && !state.Valid() {
		return nil, 0, apperr.Fields(apperr.FieldError{Field: "state", Message: "must be one of " + joinStates(AllStates())})
	}
	c, err := s.campaign(ctx, p, id, project.Read)
	if err != nil {
		return nil, 0, err
	}
	if _, err := s.withCounts(ctx, c); err != nil { // expires it when due
		return nil, 0, err
	}
	return s.store.ListEntries(ctx, c.ID, state, pg)
}

// CampaignHistory lists the progress reports of a campaign, newest first,
// of one device unless device is "". Reports reach the history in batches,
// a few seconds after they arrive.
func (s *Service) CampaignHistory(ctx context.Context, p account.Principal, id, device string, pg page.Request) ([]HistoryEntry, int64, error) {
	c, err := s.campaign(ctx, p, id, project.Read)
	if err != nil {
		return nil, 0, err
	}
	return s.store.History(ctx, c.ID, device, pg)
}

func joinStates(ss []State) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}
