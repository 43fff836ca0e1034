package dict

import "context"

// Store keeps dictionaries. Not found is apperr NotFound; a taken code or
// value is apperr Conflict. Items are always ordered by Sort, then Value;
// types by Code. The Type given to the fn callbacks has no Items.
type Store interface {
	// Types returns every type, each with its enabled items.
	Types(ctx context.Context) ([]Type, error)
	// Type returns one type with all its items, or only the enabled ones.
	Type(ctx context.Context, code string, all bool) (Type, error)
	// CreateType inserts t (its Items are ignored).
	CreateType(ctx context.Context, t Type) error
	// UpdateType loads the type, calls fn and saves its name, description
	// and updated time, in one transaction. It returns the type with all
	// its items.
	UpdateType(ctx context.Context, code string, fn func(*Type) error) (Type, error)
	// DeleteType deletes the type and its items once fn approves, in one
	// transaction.
	DeleteType(ctx context.Context, code string, fn func(Type) error) error

	// CreateItem inserts it once fn approves, given the item's type, in
	// one transaction. NotFound when the type does not exist.
	CreateItem(ctx context.Context, it Item, fn func(Type) error) error
	// UpdateItem loads the item of the type code (NotFound when the item
	// belongs to another type), calls fn and saves, in one transaction.
	UpdateItem(ctx context.Context, code, id string, fn func(Type, *Item) error) (Item, error)
	// DeleteItem deletes the item of the type code once fn approves, in one
	// transaction.
	DeleteItem(ctx context.Context, code, id string, fn func(Type, Item) error) error
}
