package device

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/page"
)

// Store keeps products, devices and their tags. Not found is apperr
// NotFound; a taken name is apperr Conflict. Devices come back with their
// tags sorted (never nil) and LastStatus nil when there is none.
type Store interface {
	CreateProduct(ctx context.Context, p Product) error
	// Product returns a product without its counts.
	Product(ctx context.Context, name string) (Product, error)
	// CountDevices counts a product's devices and the online ones.
	CountDevices(ctx context.Context, product string) (total, online int64, err error)
	// ListProducts lists products with their counts.
	ListProducts(ctx context.Context, f ProductFilter, pg page.Request) ([]Product, int64, error)
	// UpdateProduct loads the product, calls fn and saves its description
	// and updated time, in one transaction. The result has no counts.
	UpdateProduct(ctx context.Context, name string, fn func(*Product) error) (Product, error)
	// DeleteProduct deletes the product with its devices and their tags
	// once check approves given its device count, in one transaction that
	// keeps new devices out meanwhile.
	DeleteProduct(ctx context.Context, name string, check func(devices int64) error) error

	// CreateDevices inserts devices of one product with their tags, all or
	// none, in one transaction: check gets the names of ds that already
	// exist (in ds's order) and may refuse. A product that does not exist
	// (any more) is a Conflict.
	CreateDevices(ctx context.Context, product string, ds []Device, check func(existing []string) error) error
	// Device returns a device with its tags in one indexed query.
	Device(ctx context.Context, product, name string) (Device, error)
	ListDevices(ctx context.Context, product string, f DeviceFilter, pg page.Request) ([]Device, int64, error)
	// DeviceVersions returns every device of a product, or those with tag
	// unless tag is "", by name, never nil.
	DeviceVersions(ctx context.Context, product, tag string) ([]Version, error)
	// UpdateDevice loads the device, calls fn and saves its tags, secret
	// hash and updated time, in one transaction.
	UpdateDevice(ctx context.Context, product, name string, fn func(*Device) error) (Device, error)
	DeleteDevice(ctx context.Context, product, name string) error

	// MarkOnline sets the device online, seen at at from ip.
	MarkOnline(ctx context.Context, product, name, ip string, at time.Time) error
	// MarkOffline sets the device offline, seen at at, unless it was seen
	// after at (a stale event; then nothing changes and the error is nil).
	MarkOffline(ctx context.Context, product, name string, at time.Time) error
	// SetStatus stores a status report (compact JSON) and, when version is
	// not nil, the firmware version; last seen becomes at unless later.
	SetStatus(ctx context.Context, product, name string, status []byte, version *string, at time.Time) error
	// SetFirmwareVersion sets a device's firmware version; an unknown
	// device is not an error (nothing changes).
	SetFirmwareVersion(ctx context.Context, product, name, version string) error
}
