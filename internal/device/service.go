package device

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/page"
	"github.com/hoist-ota/hoist/internal/project"
)

// Service manages products and devices. Users reach them through their
// product's project (project.Service.Access): viewers read, maintainers and
// owners change, others see NotFound. The broker-facing methods
// (VerifySecret, Lookup, Tags, MarkOnline, MarkOffline, RecordStatus) take
// no principal.
type Service struct {
	store    Store
	projects *project.Service
	key      []byte
	now      func() time.Time
	log      *slog.Logger

	revokeMu sync.Mutex
	onRevoke []func(product, device string)
}

// NewService returns the device service. key is the server's secret key
// for device secret hashes: changing it invalidates every device secret.
func NewService(store Store, projects *project.Service, key []byte, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, projects: projects, key: key, now: now, log: log}
}

var errProductNotFound = apperr.New(apperr.NotFound, "product not found")

// access loads a product and checks that p may do a to it. Someone who may
// not see its project gets NotFound for the product.
func (s *Service) access(ctx context.Context, p account.Principal, name string, a project.Action) (Product, error) {
	if !ValidName(name) {
		return Product{}, errProductNotFound
	}
	pr, err := s.store.Product(ctx, name)
	if apperr.Is(err, apperr.NotFound) {
		return Product{}, errProductNotFound
	}
	if err != nil {
		return Product{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, pr.ProjectID, a); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Product{}, errProductNotFound
		}
		return Product{}, err
	}
	return pr, nil
}

// Authorize loads a product and checks that p may do a to it under its
// project's rule; someone who may not see the project gets NotFound. Other
// modules acting on a product's devices (commands, OTA) call it first.
func (s *Service) Authorize(ctx context.Context, p account.Principal, product string, a project.Action) (Product, error) {
	return s.access(ctx, p, product, a)
}

// CreateProduct adds a product to a project (maintainers and owners). A
// taken name (in any project) is a Conflict naming the name field.
func (s *Service) CreateProduct(ctx context.Context, p account.Principal, f ProductFields) (Product, error) {
	if err := f.validate(); err != nil {
		return Product{}, err
	}
	if _, _, err := s.projects.Access(ctx, p, f.ProjectID, project.Publish); err != nil {
		return Product{}, err
	}
	now := s.stamp()
	pr := Product{Name: f.Name, ProjectID: f.ProjectID, Description: f.Description, CreatedTime: now, UpdatedTime: now}
	if err := s.store.CreateProduct(ctx, pr); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Product{}, taken("name", "a product with this name already exists (product names are global)")
		}
		return Product{}, fmt.Errorf("device: create product %s: %w", pr.Name, err)
	}
	return pr, nil
}

// Product returns a product with its counts (anyone who can read its
// project).
func (s *Service) Product(ctx context.Context, p account.Principal, name string) (Product, error) {
	pr, err := s.access(ctx, p, name, project.Read)
	if err != nil {
		return Product{}, err
	}
	return s.withCounts(ctx, pr)
}

func (s *Service) withCounts(ctx context.Context, pr Product) (Product, error) {
	var err error
	pr.DeviceCount, pr.OnlineCount, err = s.store.CountDevices(ctx, pr.Name)
	return pr, err
}

// ListProducts lists the products of the projects p can read (all for
// administrators), optionally of one project (NotFound when p cannot read
// it).
func (s *Service) ListProducts(ctx context.Context, p account.Principal, f ProductFilter, pg page.Request) ([]Product, int64, error) {
	if p.ProjectID != "" { // a project-scoped token sees its project only
		if f.ProjectID != "" && f.ProjectID != p.ProjectID {
			return nil, 0, apperr.New(apperr.NotFound, "project not found")
		}
		f.ProjectID = p.ProjectID
	}
	f.MemberID = ""
	if f.ProjectID != "" {
		if _, _, err := s.projects.Access(ctx, p, f.ProjectID, project.Read); err != nil {
			if apperr.Is(err, apperr.NotFound) && p.ProjectID != "" { // the project is gone or the user left it
				return []Product{}, 0, nil
			}
			return nil, 0, err
		}
	} else if !p.IsAdmin() {
		f.MemberID = p.UserID
	}
	return s.store.ListProducts(ctx, f, pg)
}

// UpdateProduct changes a product's description (maintainers and owners).
func (s *Service) UpdateProduct(ctx context.Context, p account.Principal, name string, patch ProductPatch) (Product, error) {
	if _, err := s.access(ctx, p, name, project.Publish); err != nil {
		return Product{}, err
	}
	if err := patch.validate(); err != nil {
		return Product{}, err
	}
	pr, err := s.store.UpdateProduct(ctx, name, func(pr *Product) error {
		if patch.Description != nil {
			pr.Description = *patch.Description
		}
		pr.UpdatedTime = s.stamp()
		return nil
	})
	if err != nil {
		return Product{}, err
	}
	return s.withCounts(ctx, pr)
}

// DeleteProduct deletes a product (maintainers and owners). A product with
// devices is kept (Conflict) unless force is set, which only project
// owners may do; then its devices go too.
func (s *Service) DeleteProduct(ctx context.Context, p account.Principal, name string, force bool) error {
	action := project.Publish
	if force {
		action = project.Manage
	}
	if _, err := s.access(ctx, p, name, action); err != nil {
		return err
	}
	err := s.store.DeleteProduct(ctx, name, func(n int64) error {
		if n > 0 && !force {
			return apperr.New(apperr.Conflict,
				"the product still has %d devices; delete them first, or (project owners) delete with force=true to remove them too", n)
		}
		return nil
	})
	if err == nil {
		s.revoked(name, "")
	}
	return err
}

// ProductProject returns the id of the project a product belongs to;
// NotFound when there is no such product. It checks no principal: it
// serves other services' rules (a firmware resource names a product of its
// own project).
func (s *Service) ProductProject(ctx context.Context, name string) (string, error) {
	pr, err := s.store.Product(ctx, name)
	if err != nil {
		return "", err
	}
	return pr.ProjectID, nil
}

// OnRevoke registers fn to be called after a device's credentials or
// permissions were taken away (secret rotated, device or product deleted,
// a tag removed): device "" means every device of the product. The
// embedded broker closes such connections.
func (s *Service) OnRevoke(fn func(product, device string)) {
	s.revokeMu.Lock()
	defer s.revokeMu.Unlock()
	s.onRevoke = append(s.onRevoke, fn)
}

func (s *Service) revoked(product, device string) {
	s.revokeMu.Lock()
	fns := slices.Clone(s.onRevoke)
	s.revokeMu.Unlock()
	for _, fn := range fns {
		fn(product, device)
	}
}

// stamp is now at the database's precision (milliseconds), so that what a
// write returns equals what a later read returns.
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func taken(field, msg string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: msg,
		Fields: []apperr.FieldError{{Field: field, Message: "is already taken"}}}
}
