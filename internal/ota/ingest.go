package ota

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/device"
)

// MessageKind is the kind of a device → server message (PROTOCOLS §3).
type MessageKind string

// Message kinds, as stored with their dedupe mark.
const (
	KindStatus   MessageKind = "status" // update_status
	KindProgress MessageKind = "ota"    // update_ota_status
	KindReply    MessageKind = "reply"  // cmd_resp
)

// Message is one device → server message as the broker delivered it,
// decoded by the MQTT layer (mqtt.DeviceMessage.OTA): ota sees its fields,
// never its topic.
type Message struct {
	Kind    MessageKind
	Product string
	Device  string
	// MessageID is the device's message id, the dedupe key with Product
	// and Device; "" (or one that breaks device.ValidName) is never
	// deduplicated.
	MessageID string
	// Command and RequestID name the command a reply answers.
	Command   string
	RequestID string
	Payload   []byte
	// At is when the message was received (zero: now).
	At time.Time
}

// MessageKey names an applied message (its dedupe mark).
type MessageKey struct{ Product, Device, MessageID string }

// EntryKey names one device's entry in a campaign.
type EntryKey struct{ CampaignID, Device string }

// DeviceKey names a device.
type DeviceKey struct{ Product, Device string }

// ErrDuplicate is the outcome of a message that was applied before (within
// the dedupe retention): it is dropped.
var ErrDuplicate = errors.New("ota: duplicate device message")

// IngestTx is what applying one batch of device messages does, inside one
// database transaction: everything or nothing is committed. Not found is
// apperr NotFound.
type IngestTx interface {
	// MarkNew adds the dedupe marks of keys (distinct) that do not exist
	// yet and returns those it added: the messages this transaction
	// applies. A mark another transaction is adding meanwhile makes it wait
	// for that one (and not count when it commits).
	MarkNew(ctx context.Context, keys []MessageKey, kinds []MessageKind, at time.Time) (map[MessageKey]bool, error)
	// CampaignsByRequest returns the campaigns of the request ids that have
	// one.
	CampaignsByRequest(ctx context.Context, requestIDs []string) (map[string]Campaign, error)
	// OpenCampaigns returns, for each device that has one, the campaign of
	// its most recently updated entry in an open state whose campaign has
	// not expired at now.
	OpenCampaigns(ctx context.Context, devices []DeviceKey, now time.Time) (map[DeviceKey]Campaign, error)
	// LockEntries loads and locks the entries that exist (for update).
	LockEntries(ctx context.Context, keys []EntryKey) (map[EntryKey]Entry, error)
	// SaveEntries writes the state, progress, last report, error and
	// updated time of entries that exist.
	SaveEntries(ctx context.Context, es []Entry) error
	// AddHistory appends reports to the history.
	AddHistory(ctx context.Context, hs []HistoryEntry) error
	// SetLatestBatch replaces the devices' latest progress.
	SetLatestBatch(ctx context.Context, ls []Latest) error
	// SetFirmwareVersion records the firmware a device runs; an unknown
	// device changes nothing and is not an error.
	SetFirmwareVersion(ctx context.Context, product, device, version string) error
	// SetStatus stores a device's last status report (NotFound for an
	// unknown device).
	SetStatus(ctx context.Context, product, device string, status []byte, version *string, at time.Time) error
	// Command returns a command by request id.
	Command(ctx context.Context, requestID string) (Command, error)
	// PutReply stores a device's reply, replacing its earlier one.
	PutReply(ctx context.Context, r Reply) error
}

// IngestStore runs ingest transactions and keeps their dedupe marks.
type IngestStore interface {
	// Ingest runs fn in one transaction, committing when it returns nil.
	// It may run fn again when the database aborted the transaction to
	// break a deadlock.
	Ingest(ctx context.Context, fn func(IngestTx) error) error
	// SweepMessages deletes dedupe marks received before before and says
	// how many.
	SweepMessages(ctx context.Context, before time.Time) (int64, error)
}

// Ingest applies a batch of device messages in one transaction: status
// reports, OTA progress (campaign state, history, latest progress,
// firmware version) and command replies, each with its dedupe mark. It is
// the one way device messages reach the database; the MQTT side
// acknowledges a message only after Ingest returned nil for its batch.
//
// err is non-nil when nothing was committed (the database failed): the
// caller keeps the batch and tries again. Otherwise outcomes[i] says what
// became of msgs[i]: nil applied; ErrDuplicate already applied before or
// earlier in the batch; an apperr Invalid or NotFound error when the
// message can never be applied (malformed, unknown device or command) —
// it is dropped, with its dedupe mark. Messages of one device are applied
// in batch order.
func (s *Service) Ingest(ctx context.Context, msgs []Message) (outcomes []error, err error) {
	b := s.prepare(msgs)
	err = s.store.Ingest(ctx, func(tx IngestTx) error {
		b.reset()
		return b.apply(ctx, s, tx)
	})
	if err != nil {
		return nil, fmt.Errorf("ota: ingest %d device messages: %w", len(msgs), err)
	}
	for i, p := range b.parsed {
		if b.outcomes[i] == nil && p.kind == KindProgress {
			s.countReport(p.progress.State)
		}
	}
	s.kick(keysOf(b.settle)...)
	return b.outcomes, nil
}

// parsedMessage is a message with what could be checked before the
// transaction.
type parsedMessage struct {
	Message
	kind     MessageKind
	invalid  error // permanent: never applied
	progress Progress
	status   []byte
	version  *string
}

// batch is one Ingest call's working state.
type batch struct {
	parsed   []parsedMessage
	outcomes []error
	// settle holds the campaigns with a device that reached a final state:
	// once committed, the settle loop looks at them (next wave, pause,
	// finished).
	settle map[string]bool
}

func (s *Service) prepare(msgs []Message) *batch {
	b := &batch{parsed: make([]parsedMessage, len(msgs))}
	for i, m := range msgs {
		p := parsedMessage{Message: m, kind: m.Kind}
		p.At = s.at(m.At)
		if !device.ValidName(m.Product) || !device.ValidName(m.Device) {
			p.invalid = apperr.New(apperr.Invalid, "invalid device name in a device topic")
		}
		if p.invalid == nil {
			switch m.Kind {
			case KindProgress:
				pr, err := ParseProgress(m.Payload)
				if err != nil {
					p.invalid = fmt.Errorf("ota: progress %s of %s/%s: %w", m.MessageID, m.Product, m.Device, err)
				}
				p.progress = pr
			case KindStatus:
				p.status, p.version, p.invalid = device.ParseStatus(m.Payload)
			case KindReply:
				p.invalid = checkReply(m.Product, m.Device, m.Command, m.RequestID, m.Payload)
			default:
				p.invalid = apperr.New(apperr.Invalid, "unknown device message kind %q", m.Kind)
			}
		}
		b.parsed[i] = p
	}
	return b
}

func (b *batch) reset() {
	b.outcomes = make([]error, len(b.parsed))
	b.settle = map[string]bool{}
}

// apply is the transaction's body; it may run more than once.
func (b *batch) apply(ctx context.Context, s *Service, tx IngestTx) error {
	fresh, err := b.dedupe(ctx, tx)
	if err != nil {
		return err
	}
	if err := b.applyProgress(ctx, s, tx, fresh); err != nil {
		return err
	}
	for _, i := range fresh {
		p := &b.parsed[i]
		switch p.kind {
		case KindStatus:
			err := tx.SetStatus(ctx, p.Product, p.Device, p.status, p.version, p.At)
			if apperr.Is(err, apperr.NotFound) {
				b.outcomes[i] = apperr.New(apperr.NotFound, "status of unknown device %s/%s", p.Product, p.Device)
			} else if err != nil {
				return err
			}
		case KindReply:
			if err := b.applyReply(ctx, s, tx, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// dedupe marks the batch's new messages seen and returns their indexes;
// the others get ErrDuplicate or their permanent error. Invalid messages
// are marked too, so a redelivery is not parsed again.
func (b *batch) dedupe(ctx context.Context, tx IngestTx) ([]int, error) {
	var keys []MessageKey
	var kinds []MessageKind
	first := map[MessageKey]int{} // the first index of each key in the batch
	for i, p := range b.parsed {
		if !p.dedupable() {
			continue
		}
		k := MessageKey{p.Product, p.Device, p.MessageID}
		if _, ok := first[k]; !ok {
			first[k] = i
			keys = append(keys, k)
			kinds = append(kinds, p.kind)
		}
	}
	added := map[MessageKey]bool{}
	if len(keys) > 0 {
		var err error
		if added, err = tx.MarkNew(ctx, keys, kinds, b.newest()); err != nil {
			return nil, err
		}
	}
	var fresh []int
	for i, p := range b.parsed {
		if p.dedupable() {
			k := MessageKey{p.Product, p.Device, p.MessageID}
			if !added[k] || first[k] != i {
				b.outcomes[i] = ErrDuplicate
				continue
			}
		}
		if p.invalid != nil {
			b.outcomes[i] = p.invalid
			continue
		}
		fresh = append(fresh, i)
	}
	return fresh, nil
}

// dedupable reports whether the message has a dedupe key (a message id,
// and names, that fit device.ValidName).
func (p parsedMessage) dedupable() bool {
	return p.MessageID != "" && device.ValidName(p.MessageID) && device.ValidName(p.Product) && device.ValidName(p.Device)
}

func (b *batch) newest() time.Time {
	var t time.Time
	for _, p := range b.parsed {
		if p.At.After(t) {
			t = p.At
		}
	}
	return t
}

// applyProgress applies the fresh OTA progress reports: campaign entries
// (locked, moved in memory in batch order, saved once), the history, each
// device's latest progress and firmware version.
//
// A report without a requestId belongs to the device's most recently
// updated open entry, looked up once per batch: a second such report of
// the same device in the same batch goes to the same entry.
func (b *batch) applyProgress(ctx context.Context, s *Service, tx IngestTx, fresh []int) error {
	var idx []int
	reqSet := map[string]bool{}
	devSet := map[DeviceKey]bool{}
	for _, i := range fresh {
		p := b.parsed[i]
		if p.kind != KindProgress {
			continue
		}
		idx = append(idx, i)
		if p.progress.RequestID != "" {
			reqSet[p.progress.RequestID] = true
		} else {
			devSet[DeviceKey{p.Product, p.Device}] = true
		}
	}
	if len(idx) == 0 {
		return nil
	}
	byReq, err := tx.CampaignsByRequest(ctx, keysOf(reqSet))
	if err != nil {
		return err
	}
	byDev, err := tx.OpenCampaigns(ctx, keysOf(devSet), b.newest())
	if err != nil {
		return err
	}
	campaignOf := func(p parsedMessage) (Campaign, bool) {
		if p.progress.RequestID != "" {
			c, ok := byReq[p.progress.RequestID]
			return c, ok && c.Product == p.Product
		}
		c, ok := byDev[DeviceKey{p.Product, p.Device}]
		return c, ok
	}
	entrySet := map[EntryKey]bool{}
	for _, i := range idx {
		if c, ok := campaignOf(b.parsed[i]); ok {
			entrySet[EntryKey{c.ID, b.parsed[i].Device}] = true
		}
	}
	entries, err := tx.LockEntries(ctx, keysOf(entrySet))
	if err != nil {
		return err
	}
	changed := map[EntryKey]bool{}
	latest := map[DeviceKey]Latest{}
	firmware := map[DeviceKey]string{}
	var order []DeviceKey
	history := make([]HistoryEntry, 0, len(idx))
	for _, i := range idx {
		p := b.parsed[i]
		pr := p.progress
		dk := DeviceKey{p.Product, p.Device}
		l := Latest{Product: p.Product, Device: p.Device, RequestID: pr.RequestID, State: pr.State, Progress: pr.Percent,
			Report: pr.Raw, ReceivedAt: p.At}
		h := HistoryEntry{Product: p.Product, Device: p.Device, MessageID: p.MessageID, State: pr.State, Raw: pr.Raw, ReceivedAt: p.At}
		if !p.dedupable() {
			h.MessageID = ""
		}
		version := pr.CurrentVersion
		if c, ok := campaignOf(p); ok {
			ek := EntryKey{c.ID, p.Device}
			if e, ok := entries[ek]; ok && e.State != StateWaiting {
				wasFinal := e.State.Final()
				installed := e.move(c, pr, p.At)
				entries[ek] = e
				changed[ek] = true
				if !wasFinal && e.State.Final() {
					b.settle[c.ID] = true
				}
				l.CampaignID, l.State, h.CampaignID = c.ID, e.State, c.ID
				if version == "" {
					version = installed
				}
			}
		}
		history = append(history, h)
		if cur, ok := latest[dk]; !ok || !cur.ReceivedAt.After(l.ReceivedAt) {
			if !ok {
				order = append(order, dk)
			}
			latest[dk] = l
		}
		if v := device.CleanFirmwareVersion(version); v != "" {
			firmware[dk] = v
		}
	}
	if len(changed) > 0 {
		es := make([]Entry, 0, len(changed))
		for k := range changed {
			es = append(es, entries[k])
		}
		if err := tx.SaveEntries(ctx, es); err != nil {
			return err
		}
	}
	if err := tx.AddHistory(ctx, history); err != nil {
		return err
	}
	ls := make([]Latest, 0, len(order))
	for _, dk := range order {
		ls = append(ls, latest[dk])
	}
	if err := tx.SetLatestBatch(ctx, ls); err != nil {
		return err
	}
	for _, dk := range order {
		if v, ok := firmware[dk]; ok {
			if err := tx.SetFirmwareVersion(ctx, dk.Product, dk.Device, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// move applies report p, received at at, to e in campaign c: a waiting
// entry does not move; an entry whose campaign expired before at becomes
// expired first, then Next. It
// returns c's version when this report completed the update (succeeded),
// else "".
func (e *Entry) move(c Campaign, p Progress, at time.Time) string {
	if e.State == StateWaiting { // its wave has not started: it was sent nothing
		return ""
	}
	if !e.State.Final() && !at.Before(c.ExpiresAt) {
		e.State, e.UpdatedTime = StateExpired, at
	}
	wasFinal := e.State.Final()
	e.apply(p, c.Version, at)
	if !wasFinal && e.State == StateSucceeded {
		return c.Version
	}
	return ""
}

// applyReply stores a fresh command reply when it answers a known command
// of its device (or of a tag).
func (b *batch) applyReply(ctx context.Context, s *Service, tx IngestTx, i int) error {
	p := b.parsed[i]
	c, err := tx.Command(ctx, p.RequestID)
	if apperr.Is(err, apperr.NotFound) {
		b.outcomes[i] = apperr.New(apperr.NotFound, "reply of %s/%s to unknown command %s", p.Product, p.Device, p.RequestID)
		return nil
	}
	if err != nil {
		return err
	}
	if err := replyMatches(c, p.Product, p.Device, p.Command); err != nil {
		b.outcomes[i] = err
		return nil
	}
	if err := s.replyFromTagHolder(ctx, c, p.Product, p.Device); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			b.outcomes[i] = err
			return nil
		}
		return err
	}
	return tx.PutReply(ctx, Reply{RequestID: p.RequestID, Device: p.Device, Payload: append([]byte(nil), p.Payload...), ReceivedAt: p.At})
}

func keysOf[K comparable](set map[K]bool) []K {
	out := make([]K, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	return out
}

// SweepDedupe deletes dedupe marks older than retention; Run calls it.
func (s *Service) SweepDedupe(ctx context.Context, retention time.Duration) (int64, error) {
	return s.store.SweepMessages(ctx, s.stamp().Add(-retention))
}
