package device

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
)

var errDeviceNotFound = apperr.New(apperr.NotFound, "device not found")

// CreateDevice adds a device to a product (maintainers and owners) and
// returns it with its secret, which is not stored and never shown again. A
// taken name is a Conflict naming the name field.
func (s *Service) CreateDevice(ctx context.Context, p account.Principal, product string, n NewDevice) (Issued, error) {
	if _, err := s.access(ctx, p, product, project.Publish); err != nil {
		return Issued{}, err
	}
	var fs fieldErrs
	n.validate(&fs, "")
	if err := fs.err(); err != nil {
		return Issued{}, err
	}
	out, err := s.create(ctx, product, []NewDevice{n}, func(existing []string) error {
		if len(existing) > 0 {
			return taken("name", "a device with this name already exists in this product")
		}
		return nil
	})
	if err != nil {
		return Issued{}, err
	}
	return out[0], nil
}

// CreateDevices adds up to MaxBatch devices to a product at once
// (maintainers and owners), all or none, and returns them with their
// secrets in the given order. An empty batch or an invalid device is
// Invalid (fields devices[i].name, devices[i].tags, i from 0; for a device
// read from CSV lines[n].name, lines[n].tags, n its line); more than
// MaxBatch is TooLarge; names repeated in the batch or already taken are a
// Conflict naming (the first 20 of) them.
func (s *Service) CreateDevices(ctx context.Context, p account.Principal, product string, ns []NewDevice) ([]Issued, error) {
	if _, err := s.access(ctx, p, product, project.Publish); err != nil {
		return nil, err
	}
	switch {
	case len(ns) == 0:
		return nil, apperr.Fields(apperr.FieldError{Field: "devices", Message: "must list at least one device"})
	case len(ns) > MaxBatch:
		return nil, apperr.New(apperr.TooLarge, "a batch creates at most %d devices; this one has %d, split it", MaxBatch, len(ns))
	}
	var fs fieldErrs
	for i, n := range ns {
		prefix := fmt.Sprintf("devices[%d].", i)
		if n.Line > 0 {
			prefix = fmt.Sprintf("lines[%d].", n.Line)
		}
		n.validate(&fs, prefix)
	}
	if err := fs.err(); err != nil {
		return nil, err
	}
	if dups := repeated(ns); len(dups) > 0 {
		return nil, apperr.New(apperr.Conflict, "device names repeated in the batch: %s", firstNames(dups))
	}
	return s.create(ctx, product, ns, func(existing []string) error {
		if len(existing) > 0 {
			return apperr.New(apperr.Conflict, "%d devices already exist in product %s: %s; nothing was created",
				len(existing), product, firstNames(existing))
		}
		return nil
	})
}

// repeated returns the names that occur more than once, each once, in
// first-occurrence order.
func repeated(ns []NewDevice) []string {
	seen := make(map[string]int, len(ns))
	var out []string
	for _, n := range ns {
		seen[n.Name]++
		if seen[n.Name] == 2 {
			out = append(out, n.Name)
		}
	}
	return out
}

// create makes secrets and hashes and stores the devices.
func (s *Service) create(ctx context.Context, product string, ns []NewDevice, check func([]string) error) ([]Issued, error) {
	now := s.stamp()
	out := make([]Issued, len(ns))
	ds := make([]Device, len(ns))
	for i, n := range ns {
		sec := newSecret()
		ds[i] = Device{Product: product, Name: n.Name, Tags: normTags(n.Tags), SecretHash: hashSecret(s.key, product, n.Name, sec),
			CreatedTime: now, UpdatedTime: now}
		out[i] = Issued{Device: public(ds[i]), Secret: sec}
	}
	if err := s.store.CreateDevices(ctx, product, ds, check); err != nil {
		if apperr.Is(err, apperr.Conflict) && !isOurs(err) {
			// Lost a race to the primary key, or the product went away.
			return nil, apperr.Wrap(err, apperr.Conflict, "a device of this batch was created, or the product deleted, meanwhile; retry")
		}
		return nil, err
	}
	return out, nil
}

// isOurs reports whether err is a Conflict the service itself made (with
// a message for the client) rather than one translated from the database.
func isOurs(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Err == nil
}

// Device returns a device (anyone who can read its product's project).
func (s *Service) Device(ctx context.Context, p account.Principal, product, name string) (Device, error) {
	if _, err := s.access(ctx, p, product, project.Read); err != nil {
		return Device{}, err
	}
	return s.lookup(ctx, product, name)
}

func (s *Service) lookup(ctx context.Context, product, name string) (Device, error) {
	if !ValidName(name) {
		return Device{}, errDeviceNotFound
	}
	d, err := s.store.Device(ctx, product, name)
	if apperr.Is(err, apperr.NotFound) {
		return Device{}, errDeviceNotFound
	}
	return public(d), err
}

// public returns d without its secret hash, which stays in this package.
func public(d Device) Device {
	d.SecretHash = ""
	return d
}

// ListDevices lists a product's devices.
func (s *Service) ListDevices(ctx context.Context, p account.Principal, product string, f DeviceFilter, pg page.Request) ([]Device, int64, error) {
	if _, err := s.access(ctx, p, product, project.Read); err != nil {
		return nil, 0, err
	}
	ds, total, err := s.store.ListDevices(ctx, product, f, pg)
	for i := range ds {
		ds[i] = public(ds[i])
	}
	return ds, total, err
}

// UpdateDevice changes a device's tags (maintainers and owners).
func (s *Service) UpdateDevice(ctx context.Context, p account.Principal, product, name string, patch DevicePatch) (Device, error) {
	if _, err := s.access(ctx, p, product, project.Publish); err != nil {
		return Device{}, err
	}
	var fs fieldErrs
	if patch.Tags != nil {
		checkTags(&fs, "tags", *patch.Tags)
	}
	if err := fs.err(); err != nil {
		return Device{}, err
	}
	lostTag := false
	d, err := s.update(ctx, product, name, func(d *Device) {
		if patch.Tags != nil {
			next := normTags(*patch.Tags)
			for _, old := range d.Tags {
				lostTag = lostTag || !slices.Contains(next, old)
			}
			d.Tags = next
		}
	})
	if err == nil && lostTag {
		// Its subscriptions to a removed tag's commands must end: the
		// device reconnects and may subscribe to its current tags only.
		s.revoked(product, name)
	}
	return d, err
}

func (s *Service) update(ctx context.Context, product, name string, fn func(*Device)) (Device, error) {
	if !ValidName(name) {
		return Device{}, errDeviceNotFound
	}
	d, err := s.store.UpdateDevice(ctx, product, name, func(d *Device) error {
		fn(d)
		d.UpdatedTime = s.stamp()
		return nil
	})
	if apperr.Is(err, apperr.NotFound) {
		return Device{}, errDeviceNotFound
	}
	return public(d), err
}

// RotateSecret gives a device a new secret (maintainers and owners) and
// returns it; the old one stops working at once: a connection made with it
// is closed (Revoked listeners).
func (s *Service) RotateSecret(ctx context.Context, p account.Principal, product, name string) (Issued, error) {
	if _, err := s.access(ctx, p, product, project.Publish); err != nil {
		return Issued{}, err
	}
	sec := newSecret()
	d, err := s.update(ctx, product, name, func(d *Device) { d.SecretHash = hashSecret(s.key, product, name, sec) })
	if err != nil {
		return Issued{}, err
	}
	s.revoked(product, name)
	return Issued{Device: d, Secret: sec}, nil
}

// DeleteDevice deletes a device and its tags (maintainers and owners).
func (s *Service) DeleteDevice(ctx context.Context, p account.Principal, product, name string) error {
	if _, err := s.access(ctx, p, product, project.Publish); err != nil {
		return err
	}
	if !ValidName(name) {
		return errDeviceNotFound
	}
	err := s.store.DeleteDevice(ctx, product, name)
	if apperr.Is(err, apperr.NotFound) {
		return errDeviceNotFound
	}
	if err == nil {
		s.revoked(product, name)
	}
	return err
}
