// Package dict holds the dictionaries: named, ordered lists of values with
// a Chinese and an English label and a tag colour, which the admin panel
// uses for its dropdowns and labels. A dictionary's name and description
// are in both languages too. Administrators may add their own.
//
// The built-in dictionaries (resource_type, update_type, resource_status,
// ota_state, seeded by migration) mirror enums of the code. Their items may
// be relabelled, recoloured, reordered and disabled, but no value may be
// changed, added or deleted (Conflict), and the types cannot be deleted
// (Conflict): the code, not the dictionary, decides which values exist.
package dict

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/printable"
)

// Type is a dictionary.
type Type struct {
	Code          string // ^[a-z][a-z0-9_]{1,49}$, the key clients look it up by
	Name          string // Chinese, the default language
	NameEn        string // English; "" means use Name
	Description   string // Chinese
	DescriptionEn string // English; "" means use Description
	Builtin       bool   // seeded by migration; see the package comment
	Items         []Item // ordered by Sort, then Value
	CreatedTime   time.Time
	UpdatedTime   time.Time
}

// Item is one value of a dictionary.
type Item struct {
	ID          string // 32 lowercase hex
	TypeCode    string
	Label       string // Chinese, the default language
	LabelEn     string // English; "" means use Label
	Value       string // unique within its type
	Color       string // an ant-design tag colour name, #rrggbb, or ""
	Sort        int    // ascending
	Enabled     bool   // disabled items are hidden from everyone but administrators
	CreatedTime time.Time
	UpdatedTime time.Time
}

// Limits of the editable fields.
const (
	MinSort = -100000
	MaxSort = 100000
)

// TypeFields is the editable part of a type. Nil fields are unchanged;
// Code is read only when creating.
type TypeFields struct {
	Code          *string
	Name          *string
	NameEn        *string
	Description   *string
	DescriptionEn *string
}

// validate reports every invalid field; creating requires a code and a name.
func (f TypeFields) validate(creating bool) error {
	var fs []apperr.FieldError
	if creating {
		switch {
		case f.Code == nil:
			fs = append(fs, apperr.FieldError{Field: "code", Message: "is required"})
		case !validCode(*f.Code):
			fs = append(fs, apperr.FieldError{Field: "code",
				Message: "must be 2 to 50 lowercase letters, digits or underscores, starting with a letter"})
		}
	}
	if f.Name == nil && creating {
		fs = append(fs, apperr.FieldError{Field: "name", Message: "is required"})
	}
	if f.Name != nil && !runesBetween(strings.TrimSpace(*f.Name), 1, 50) {
		fs = append(fs, apperr.FieldError{Field: "name", Message: "must be 1 to 50 characters"})
	} else if f.Name != nil && !printable.Line(*f.Name) {
		fs = append(fs, apperr.FieldError{Field: "name", Message: printable.Message})
	}
	if f.NameEn != nil && !runesBetween(strings.TrimSpace(*f.NameEn), 0, 50) {
		fs = append(fs, apperr.FieldError{Field: "nameEn", Message: "must be at most 50 characters"})
	} else if f.NameEn != nil && !printable.Line(*f.NameEn) {
		fs = append(fs, apperr.FieldError{Field: "nameEn", Message: printable.Message})
	}
	if f.Description != nil && !runesBetween(*f.Description, 0, 255) {
		fs = append(fs, apperr.FieldError{Field: "description", Message: "must be at most 255 characters"})
	}
	if f.DescriptionEn != nil && !runesBetween(*f.DescriptionEn, 0, 255) {
		fs = append(fs, apperr.FieldError{Field: "descriptionEn", Message: "must be at most 255 characters"})
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

func (f TypeFields) apply(t *Type) {
	if f.Name != nil {
		t.Name = strings.TrimSpace(*f.Name)
	}
	if f.NameEn != nil {
		t.NameEn = strings.TrimSpace(*f.NameEn)
	}
	if f.Description != nil {
		t.Description = *f.Description
	}
	if f.DescriptionEn != nil {
		t.DescriptionEn = *f.DescriptionEn
	}
}

// ItemFields is the editable part of an item. Nil fields are unchanged.
type ItemFields struct {
	Label   *string
	LabelEn *string
	Value   *string
	Color   *string
	Sort    *int
	Enabled *bool
}

// validate reports every invalid field; creating requires a label and a value.
func (f ItemFields) validate(creating bool) error {
	var fs []apperr.FieldError
	if f.Label == nil && creating {
		fs = append(fs, apperr.FieldError{Field: "label", Message: "is required"})
	}
	if f.Label != nil && !runesBetween(strings.TrimSpace(*f.Label), 1, 50) {
		fs = append(fs, apperr.FieldError{Field: "label", Message: "must be 1 to 50 characters"})
	} else if f.Label != nil && !printable.Line(*f.Label) {
		fs = append(fs, apperr.FieldError{Field: "label", Message: printable.Message})
	}
	if f.LabelEn != nil && !runesBetween(strings.TrimSpace(*f.LabelEn), 0, 50) {
		fs = append(fs, apperr.FieldError{Field: "labelEn", Message: "must be at most 50 characters"})
	} else if f.LabelEn != nil && !printable.Line(*f.LabelEn) {
		fs = append(fs, apperr.FieldError{Field: "labelEn", Message: printable.Message})
	}
	if f.Value == nil && creating {
		fs = append(fs, apperr.FieldError{Field: "value", Message: "is required"})
	}
	if f.Value != nil && !runesBetween(strings.TrimSpace(*f.Value), 1, 50) {
		fs = append(fs, apperr.FieldError{Field: "value", Message: "must be 1 to 50 characters"})
	} else if f.Value != nil && !printable.Line(*f.Value) {
		fs = append(fs, apperr.FieldError{Field: "value", Message: printable.Message})
	}
	if f.Color != nil && !validColor(normColor(*f.Color)) {
		fs = append(fs, apperr.FieldError{Field: "color", Message: "must be an ant-design tag colour (e.g. blue, success) or #rrggbb"})
	}
	if f.Sort != nil && (*f.Sort < MinSort || *f.Sort > MaxSort) {
		fs = append(fs, apperr.FieldError{Field: "sort", Message: "must be between -100000 and 100000"})
	}
	if len(fs) > 0 {
		return apperr.Fields(fs...)
	}
	return nil
}

func (f ItemFields) apply(it *Item) {
	if f.Label != nil {
		it.Label = strings.TrimSpace(*f.Label)
	}
	if f.LabelEn != nil {
		it.LabelEn = strings.TrimSpace(*f.LabelEn)
	}
	if f.Value != nil {
		it.Value = strings.TrimSpace(*f.Value)
	}
	if f.Color != nil {
		it.Color = normColor(*f.Color)
	}
	if f.Sort != nil {
		it.Sort = *f.Sort
	}
	if f.Enabled != nil {
		it.Enabled = *f.Enabled
	}
}

func runesBetween(s string, lo, hi int) bool {
	n := utf8.RuneCountInString(s)
	return n >= lo && n <= hi
}

// validCode reports whether s matches ^[a-z][a-z0-9_]{1,49}$.
func validCode(s string) bool {
	if len(s) < 2 || len(s) > 50 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// normColor trims and lower-cases a colour, so that "#FF0000" and
// " Red" are stored the way the panel compares them.
func normColor(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// validColor reports whether a normalised colour is empty, an ant-design
// Tag preset or status colour, or #rrggbb.
func validColor(s string) bool {
	switch s {
	case "",
		"magenta", "red", "volcano", "orange", "gold", "yellow", "lime", "green", "cyan", "blue", "geekblue", "purple", "pink",
		"success", "processing", "error", "warning", "default":
		return true
	}
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
