package release

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
)

// DefaultChannel is the channel every project has, which devices get unless
// their update URL names another or they are pinned to one. It is not
// stored and cannot be deleted.
const DefaultChannel = "production"

// MaxDeviceKey bounds a pinned device key (systemInfo.uuid or deviceId).
const MaxDeviceKey = 128

// ValidChannel reports whether name can name a channel:
// ^[a-z0-9][a-z0-9_-]{0,31}$.
func ValidChannel(name string) bool {
	if len(name) < 1 || len(name) > 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '_' || c == '-') {
			continue
		}
		return false
	}
	return true
}

// Channel is a release channel of a project.
type Channel struct {
	Name string
	// Resources counts the channel's resources; Pins its pinned devices.
	Resources int64
	Pins      int64
	// CreatedTime is zero for DefaultChannel.
	CreatedTime time.Time
}

// Pin puts a device in a channel whatever update URL it uses.
type Pin struct {
	// DeviceKey is the device's systemInfo.uuid or deviceId.
	DeviceKey   string
	Channel     string
	Note        string
	CreatedBy   string
	CreatedTime time.Time
}

// ChannelStore keeps channels and pins. The default channel is implicit:
// the store holds the others.
type ChannelStore interface {
	// Channels returns the stored channels of a project with their
	// resource and pin counts, and the counts of DefaultChannel.
	Channels(ctx context.Context, projectID string) ([]Channel, error)
	// CreateChannel adds a channel; Conflict when it exists.
	CreateChannel(ctx context.Context, projectID string, c Channel, createdBy string) error
	// DeleteChannel deletes a channel and its pins after check approves
	// it given the channel's resource count; NotFound when it does not
	// exist.
	DeleteChannel(ctx context.Context, projectID, name string, check func(resources int64) error) error
	// Pins lists a project's pinned devices, of one channel when channel
	// is not "".
	Pins(ctx context.Context, projectID, channel string) ([]Pin, error)
	// PutPin pins a device (moving it when it was pinned elsewhere).
	PutPin(ctx context.Context, projectID string, p Pin) error
	// DeletePin unpins a device; NotFound when it was not pinned.
	DeletePin(ctx context.Context, projectID, deviceKey string) error
}

// Channels lists a project's channels, DefaultChannel first (members).
func (s *Service) Channels(ctx context.Context, p account.Principal, projectID string) ([]Channel, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return nil, err
	}
	return s.store.Channels(ctx, projectID)
}

// CreateChannel adds a channel (maintainers and owners). Names are never
// changed afterwards.
func (s *Service) CreateChannel(ctx context.Context, p account.Principal, projectID, name string) (Channel, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return Channel{}, err
	}
	if !ValidChannel(name) {
		return Channel{}, apperr.Fields(apperr.FieldError{Field: "name",
			Message: "must be 1 to 32 of a-z 0-9 _ - starting with a letter or digit"})
	}
	if name == DefaultChannel {
		return Channel{}, apperr.New(apperr.Conflict, "every project has the channel %s already", DefaultChannel)
	}
	c := Channel{Name: name, CreatedTime: s.now().UTC().Truncate(time.Millisecond)}
	if err := s.store.CreateChannel(ctx, projectID, c, p.UserID); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Channel{}, apperr.New(apperr.Conflict, "the channel %s exists already", name)
		}
		return Channel{}, err
	}
	s.changed(projectID)
	return c, nil
}

// DeleteChannel deletes an empty channel (maintainers and owners) with its
// pins; a channel with resources is a Conflict, DefaultChannel cannot go.
func (s *Service) DeleteChannel(ctx context.Context, p account.Principal, projectID, name string) error {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return err
	}
	if name == DefaultChannel {
		return apperr.New(apperr.Invalid, "the channel %s cannot be deleted", DefaultChannel)
	}
	err := s.store.DeleteChannel(ctx, projectID, name, func(n int64) error {
		if n > 0 {
			return apperr.New(apperr.Conflict, "the channel %s still has %d resources; delete them first", name, n)
		}
		return nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "channel %s not found", name)
	}
	if err != nil {
		return err
	}
	s.changed(projectID)
	return nil
}

// Pins lists pinned devices, of one channel when channel is not "".
func (s *Service) Pins(ctx context.Context, p account.Principal, projectID, channel string) ([]Pin, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return nil, err
	}
	if channel != "" {
		if err := s.channelExists(ctx, projectID, channel); err != nil {
			return nil, err
		}
	}
	return s.store.Pins(ctx, projectID, channel)
}

// PinDevice pins a device to a channel (maintainers and owners); a device
// pinned elsewhere moves.
func (s *Service) PinDevice(ctx context.Context, p account.Principal, projectID string, pin Pin) (Pin, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return Pin{}, err
	}
	pin.DeviceKey = strings.TrimSpace(pin.DeviceKey)
	var fs fieldErrs
	if n := len(pin.DeviceKey); n == 0 || n > MaxDeviceKey {
		fs.add("deviceKey", "must be the device's systemInfo.uuid or deviceId, 1 to %d characters", MaxDeviceKey)
	}
	if utf8.RuneCountInString(pin.Note) > 255 {
		fs.add("note", "must be at most 255 characters")
	}
	if err := fs.err(); err != nil {
		return Pin{}, err
	}
	if err := s.channelExists(ctx, projectID, pin.Channel); err != nil {
		return Pin{}, err
	}
	pin.CreatedBy, pin.CreatedTime = p.UserID, s.now().UTC().Truncate(time.Millisecond)
	if err := s.store.PutPin(ctx, projectID, pin); err != nil {
		return Pin{}, err
	}
	s.changed(projectID)
	return pin, nil
}

// UnpinDevice removes a device's pin (maintainers and owners).
func (s *Service) UnpinDevice(ctx context.Context, p account.Principal, projectID, deviceKey string) error {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Publish); err != nil {
		return err
	}
	if err := s.store.DeletePin(ctx, projectID, deviceKey); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.NotFound, "the device %q is not pinned", deviceKey)
		}
		return err
	}
	s.changed(projectID)
	return nil
}

// channelExists is nil for DefaultChannel and stored channels, NotFound
// otherwise.
func (s *Service) channelExists(ctx context.Context, projectID, name string) error {
	if name == DefaultChannel {
		return nil
	}
	cs, err := s.store.Channels(ctx, projectID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.Name == name {
			return nil
		}
	}
	return apperr.New(apperr.NotFound, "channel %s not found", name)
}
