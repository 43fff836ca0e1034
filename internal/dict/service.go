package dict

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/ids"
)

// Service reads and edits dictionaries. Any signed-in principal may read;
// only administrators (not through a project-scoped or read-only token) may
// write.
type Service struct {
	store Store
	now   func() time.Time
	log   *slog.Logger
}

// NewService returns the dictionary service.
func NewService(store Store, now func() time.Time, log *slog.Logger) *Service {
	return &Service{store: store, now: now, log: log}
}

// List returns every type with its enabled items, for dropdowns and labels.
func (s *Service) List(ctx context.Context, _ account.Principal) ([]Type, error) {
	return s.store.Types(ctx)
}

// Get returns one type (NotFound when none): with all its items for
// administrators, who edit them, and only the enabled ones for everyone else.
func (s *Service) Get(ctx context.Context, p account.Principal, code string) (Type, error) {
	return s.store.Type(ctx, code, isAdmin(p))
}

// Create makes a custom (non-built-in) type without items. A taken code is
// a Conflict naming the code field.
func (s *Service) Create(ctx context.Context, p account.Principal, f TypeFields) (Type, error) {
	if err := requireAdmin(p); err != nil {
		return Type{}, err
	}
	if err := f.validate(true); err != nil {
		return Type{}, err
	}
	now := s.stamp()
	t := Type{Code: *f.Code, Items: []Item{}, CreatedTime: now, UpdatedTime: now}
	f.apply(&t)
	if err := s.store.CreateType(ctx, t); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Type{}, taken("code", "a dictionary with this code already exists")
		}
		return Type{}, fmt.Errorf("dict: create %s: %w", t.Code, err)
	}
	return t, nil
}

// Update changes a type's name or description; built-in types too.
func (s *Service) Update(ctx context.Context, p account.Principal, code string, f TypeFields) (Type, error) {
	if err := requireAdmin(p); err != nil {
		return Type{}, err
	}
	f.Code = nil
	if err := f.validate(false); err != nil {
		return Type{}, err
	}
	return s.store.UpdateType(ctx, code, func(t *Type) error {
		f.apply(t)
		t.UpdatedTime = s.stamp()
		return nil
	})
}

// Delete removes a custom type and its items. Built-in types are a Conflict.
func (s *Service) Delete(ctx context.Context, p account.Principal, code string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return s.store.DeleteType(ctx, code, func(t Type) error {
		if t.Builtin {
			return errBuiltinType
		}
		return nil
	})
}

// CreateItem adds an item to a custom type; it is enabled unless f says
// otherwise. Built-in types get no new values (Conflict); a value the type
// already has is a Conflict naming the value field.
func (s *Service) CreateItem(ctx context.Context, p account.Principal, code string, f ItemFields) (Item, error) {
	if err := requireAdmin(p); err != nil {
		return Item{}, err
	}
	if err := f.validate(true); err != nil {
		return Item{}, err
	}
	now := s.stamp()
	it := Item{ID: ids.New(), TypeCode: code, Enabled: true, CreatedTime: now, UpdatedTime: now}
	f.apply(&it)
	err := s.store.CreateItem(ctx, it, func(t Type) error {
		if t.Builtin {
			return errBuiltinAdd
		}
		return nil
	})
	if err != nil {
		return Item{}, valueTaken(err)
	}
	return it, nil
}

// UpdateItem changes an item. Items of built-in types keep their value
// (Conflict); a value the type already has is a Conflict naming the value
// field.
func (s *Service) UpdateItem(ctx context.Context, p account.Principal, code, id string, f ItemFields) (Item, error) {
	if err := requireAdmin(p); err != nil {
		return Item{}, err
	}
	if err := f.validate(false); err != nil {
		return Item{}, err
	}
	it, err := s.store.UpdateItem(ctx, code, id, func(t Type, it *Item) error {
		old := it.Value
		f.apply(it)
		if t.Builtin && it.Value != old {
			return errBuiltinValue
		}
		it.UpdatedTime = s.stamp()
		return nil
	})
	if err != nil {
		return Item{}, valueTaken(err)
	}
	return it, nil
}

// DeleteItem removes an item of a custom type. Items of built-in types can
// only be disabled (Conflict).
func (s *Service) DeleteItem(ctx context.Context, p account.Principal, code, id string) error {
	if err := requireAdmin(p); err != nil {
		return err
	}
	return s.store.DeleteItem(ctx, code, id, func(t Type, _ Item) error {
		if t.Builtin {
			return errBuiltinDelete
		}
		return nil
	})
}

// stamp is now at the database's precision (milliseconds), so that what a
// write returns equals what a later read returns.
func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// isAdmin reports whether p acts as an instance administrator.
func isAdmin(p account.Principal) bool { return p.IsAdmin() && p.ProjectID == "" }

func requireAdmin(p account.Principal) error {
	switch {
	case !isAdmin(p):
		return apperr.New(apperr.Forbidden, "only administrators can change dictionaries")
	case p.ReadOnly:
		return apperr.New(apperr.Forbidden, "this token is read-only")
	}
	return nil
}

// The rules of built-in types. They are Conflicts: the request is valid,
// the dictionary's state forbids it.
var (
	errBuiltinType   = apperr.New(apperr.Conflict, "built-in dictionaries cannot be deleted")
	errBuiltinAdd    = apperr.New(apperr.Conflict, "built-in dictionaries mirror values of the code; new values cannot be added")
	errBuiltinValue  = apperr.New(apperr.Conflict, "the values of built-in dictionaries cannot change; edit the label or colour, or disable the item")
	errBuiltinDelete = apperr.New(apperr.Conflict, "items of built-in dictionaries cannot be deleted; disable them instead")
)

// valueTaken turns the store's duplicate-value Conflict into one naming the
// value field. The service's own Conflicts pass through.
func valueTaken(err error) error {
	if apperr.Is(err, apperr.Conflict) && !errors.Is(err, errBuiltinAdd) && !errors.Is(err, errBuiltinValue) {
		return taken("value", "this dictionary already has an item with this value")
	}
	return err
}

func taken(field, msg string) error {
	return &apperr.Error{Code: apperr.Conflict, Message: msg,
		Fields: []apperr.FieldError{{Field: field, Message: "is already taken"}}}
}
