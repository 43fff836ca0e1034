package ota

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/ids"
	"github.com/hoist-ota/hoist/internal/project"
)

var errCommandNotFound = apperr.New(apperr.NotFound, "command not found")

// SendCommand publishes a command to one device or to every device with a
// tag (maintainers and owners of the product's project) with a new
// request id and an expiry, and records it so that replies can be matched.
// Invalid for bad input; NotFound for an unknown product or device (tags
// are not checked: a tag nobody has reaches nobody); Unavailable when the
// broker did not take it (nothing is recorded then).
func (s *Service) SendCommand(ctx context.Context, p account.Principal, n NewCommand) (Command, error) {
	data, err := n.validate()
	if err != nil {
		return Command{}, err
	}
	if err := checkTarget(n.Device, n.Tag); err != nil {
		return Command{}, err
	}
	if _, err := s.devices.Authorize(ctx, p, n.Product, project.Publish); err != nil {
		return Command{}, err
	}
	if n.Device != "" {
		if _, err := s.devices.Lookup(ctx, n.Product, n.Device); err != nil {
			return Command{}, err
		}
	}
	now := s.stamp()
	c := Command{RequestID: ids.New(), Product: n.Product, Device: n.Device, Tag: n.Tag, Name: n.Name, Encoding: n.Encoding,
		Data: data, ExpiresAt: expiry(now, n.TTL), CreatedBy: p.UserID, CreatedTime: now}
	return c, s.send(ctx, c)
}

// checkTarget requires exactly one valid device or tag name.
func checkTarget(dev, tag string) error {
	switch {
	case dev != "" && tag != "", dev == "" && tag == "":
		return apperr.New(apperr.Invalid, "a command goes to one device or to one tag")
	case dev != "" && !device.ValidName(dev):
		return apperr.New(apperr.NotFound, "device not found")
	case tag != "" && !device.ValidName(tag):
		return apperr.Fields(apperr.FieldError{Field: "tag", Message: nameRule})
	}
	return nil
}

// send records c and publishes it; when the publish fails the record is
// deleted again.
func (s *Service) send(ctx context.Context, c Command) error {
	if err := s.store.CreateCommand(ctx, c); err != nil {
		return fmt.Errorf("ota: create command: %w", err)
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.PublishTimeout)
	defer cancel()
	if err := s.sender.Send(pctx, c.Outbound()); err != nil {
		cctx, ccancel := cleanupContext(ctx)
		defer ccancel()
		if derr := s.store.DeleteCommand(cctx, c.RequestID); derr != nil {
			s.log.Error("unpublished command left behind", "requestId", c.RequestID, "error", derr)
		}
		return publishError(err, "the command was not sent")
	}
	return nil
}

// Command returns a command with up to MaxRepliesShown replies (by device
// name) and their total count, to anyone who can read the product's
// project. device or tag (exactly one) must be the command's, else
// NotFound.
func (s *Service) Command(ctx context.Context, p account.Principal, product, device, tag, requestID string) (Command, []Reply, int64, error) {
	if err := checkTarget(device, tag); err != nil || len(requestID) != 32 {
		return Command{}, nil, 0, errCommandNotFound
	}
	if _, err := s.devices.Authorize(ctx, p, product, project.Read); err != nil {
		return Command{}, nil, 0, err
	}
	c, err := s.store.Command(ctx, requestID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && (c.Product != product || c.Device != device || c.Tag != tag)) {
		return Command{}, nil, 0, errCommandNotFound
	}
	if err != nil {
		return Command{}, nil, 0, err
	}
	rs, total, err := s.store.Replies(ctx, requestID, MaxRepliesShown)
	if err != nil {
		return Command{}, nil, 0, err
	}
	return c, rs, total, nil
}

// HandleCommandReply stores a device's reply (cmd_resp) to a command,
// received at at, replacing the device's earlier reply to it. The bridge
// calls it after deduplicating by message id. Permanent errors, which a
// redelivery would not cure: Invalid for a malformed name or a reply that
// does not match its command (another product, another device of a device
// command, another command name, a device without the tag of a tag
// command), TooLarge above MaxReplySize, NotFound for an unknown request
// id (say an ota_upgrade reply: campaigns track update_ota_status
// instead). Other errors are transient.
func (s *Service) HandleCommandReply(ctx context.Context, product, device, command, requestID string, payload []byte, at time.Time) error {
	return s.ingestOne(ctx, Message{Kind: KindReply, Product: product, Device: device, Command: command, RequestID: requestID,
		Payload: payload, At: at})
}

// checkReply checks what can be checked of a command reply without the
// database.
func checkReply(product, dev, command, requestID string, payload []byte) error {
	if !device.ValidName(product) || !device.ValidName(dev) || !device.ValidName(command) || !device.ValidName(requestID) {
		return apperr.New(apperr.Invalid, "invalid command reply topic")
	}
	if len(payload) > MaxReplySize {
		return apperr.New(apperr.TooLarge, "a command reply is at most %d bytes", MaxReplySize)
	}
	return nil
}

// replyMatches reports (Invalid) a reply of product/device that does not
// answer command c.
func replyMatches(c Command, product, device, command string) error {
	if c.Product != product || (c.Device != "" && c.Device != device) || c.Name != command {
		return apperr.New(apperr.Invalid, "reply of %s/%s does not match command %s", product, device, c.RequestID)
	}
	return nil
}

// replyFromTagHolder reports (Invalid) a reply to tag command c from a
// device that does not have the tag: only devices holding it got the
// command. Other errors are failures of the device registry.
func (s *Service) replyFromTagHolder(ctx context.Context, c Command, product, device string) error {
	if c.Tag == "" {
		return nil
	}
	tags, err := s.devices.Tags(ctx, product, device)
	switch {
	case apperr.Is(err, apperr.NotFound):
		tags = nil
	case err != nil:
		return fmt.Errorf("ota: reply of %s/%s: %w", product, device, err)
	}
	if !slices.Contains(tags, c.Tag) {
		return apperr.New(apperr.Invalid, "reply of %s/%s to tag command %s: the device does not have tag %s", product, device, c.RequestID, c.Tag)
	}
	return nil
}

// at is a receive time at the database's precision; zero means now.
func (s *Service) at(t time.Time) time.Time {
	if t.IsZero() {
		return s.stamp()
	}
	return t.UTC().Truncate(time.Millisecond)
}

// Upgrade is seed 000's OTA request to one device: a firmware resource, or
// a file the caller describes (URL, Version, Size, MD5; SHA256 and Type
// optional).
type Upgrade struct {
	// ResourceID, when set, makes the request a one-device campaign (so
	// its progress is tracked); the other file fields are then ignored.
	ResourceID string
	URL        string
	Version    string
	Size       int64
	MD5        string
	SHA256     string
	Type       string // default "firmware"
	// TTL is the request's lifetime; 0 means DefaultCampaignTTL.
	TTL     time.Duration
	BaseURL string // as NewCampaign.BaseURL
}

// Sent is what SendUpgrade sent.
type Sent struct {
	RequestID  string
	ExpiresAt  time.Time
	CampaignID string // "" for a described file
}

var (
	md5Hex    = regexp.MustCompile(`^[0-9a-fA-F]{32}$`)
	sha256Hex = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

func (u *Upgrade) validate() error {
	var fs []apperr.FieldError
	add := func(field, msg string) { fs = append(fs, apperr.FieldError{Field: field, Message: msg}) }
	if pu, err := url.Parse(u.URL); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || len(u.URL) > 2048 {
		add("url", "must be an absolute http(s) URL of at most 2048 characters (or send resourceId)")
	}
	u.Version = strings.TrimSpace(u.Version)
	if n := utf8.RuneCountInString(u.Version); n < 1 || n > 50 {
		add("version", "must be 1 to 50 characters")
	}
	if u.Size < 0 {
		add("size", "must not be negative")
	}
	if u.MD5 != "" && !md5Hex.MatchString(u.MD5) {
		add("md5", "must be 32 hex digits")
	}
	if u.SHA256 != "" && !sha256Hex.MatchString(u.SHA256) {
		add("sha256", "must be 64 hex digits")
	}
	if u.Type == "" {
		u.Type = "firmware"
	}
	if len(u.Type) > 32 {
		add("type", "must be at most 32 characters")
	}
	if u.TTL == 0 {
		u.TTL = DefaultCampaignTTL
	}
	if u.TTL < MinCampaignTTL || u.TTL > MaxCampaignTTL {
		add("ttlSeconds", "must be from 60 to 2592000 (30 days)")
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

// SendUpgrade sends ota_upgrade to one device (seed 000's POST
// /ota/{product}/{device}; maintainers and owners). With a ResourceID it
// is CreateCampaign for that device; otherwise the described file is sent
// as an ota_upgrade command (recorded like SendCommand's), whose progress
// reports update the device's latest progress only. Errors as
// CreateCampaign and SendCommand.
func (s *Service) SendUpgrade(ctx context.Context, p account.Principal, product, device string, u Upgrade) (Sent, error) {
	if u.ResourceID != "" {
		c, err := s.CreateCampaign(ctx, p, NewCampaign{ResourceID: u.ResourceID, Product: product,
			Target: Target{Device: device}, TTL: u.TTL, BaseURL: u.BaseURL})
		if err != nil {
			return Sent{}, err
		}
		return Sent{RequestID: c.RequestID, ExpiresAt: c.ExpiresAt, CampaignID: c.ID}, nil
	}
	if err := u.validate(); err != nil {
		return Sent{}, err
	}
	if err := checkTarget(device, ""); err != nil {
		return Sent{}, err
	}
	if _, err := s.devices.Authorize(ctx, p, product, project.Publish); err != nil {
		return Sent{}, err
	}
	if _, err := s.devices.Lookup(ctx, product, device); err != nil {
		return Sent{}, err
	}
	now := s.stamp()
	c := Command{RequestID: ids.New(), Product: product, Device: device, Name: CommandUpgrade, Encoding: EncodingPlain,
		ExpiresAt: expiry(now, u.TTL), CreatedBy: p.UserID, CreatedTime: now}
	body, err := json.Marshal(upgradePayload{URL: u.URL, Version: u.Version, Size: u.Size, MD5: strings.ToLower(u.MD5),
		SHA256: strings.ToLower(u.SHA256), Type: u.Type, RequestID: c.RequestID, ExpiresAt: c.ExpiresAt.Unix()})
	if err != nil {
		return Sent{}, err
	}
	c.Data = string(body)
	if err := s.send(ctx, c); err != nil {
		return Sent{}, err
	}
	return Sent{RequestID: c.RequestID, ExpiresAt: c.ExpiresAt}, nil
}
