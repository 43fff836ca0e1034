// Package apperr defines the one error type every Hoist layer uses to say what
// went wrong in terms a client can act on. The HTTP layer maps its Code to a
// status in exactly one place; other layers decide with CodeOf or errors.As,
// never by comparing messages.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a stable, machine-readable error class (PROTOCOLS §1).
type Code string

// The error codes of PROTOCOLS §1.
const (
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	TooLarge     Code = "too_large"
	RateLimited  Code = "rate_limited"
	Unavailable  Code = "unavailable"
	Internal     Code = "internal"
)

// FieldError names one invalid input field. Field uses the JSON (camelCase)
// name the client sent.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an error with a Code, a human message and, for Invalid, the
// offending fields. Err, when set, is the cause; it is logged, never shown.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

// Error implements error. It includes the cause for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error with the given code and message.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an *Error with the given code and message whose cause is err.
func Wrap(err error, code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// Fields returns an Invalid error listing every field problem. Its message
// joins them ("versionCode must be greater than 12; name is required") so a
// client that shows only the message still shows all of them.
func Fields(fields ...FieldError) *Error {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + " " + f.Message
	}
	return &Error{Code: Invalid, Message: strings.Join(parts, "; "), Fields: fields}
}

// CodeOf returns the Code of the first *Error in err's chain, Internal for any
// other non-nil error, and "" for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return err != nil && CodeOf(err) == code }
