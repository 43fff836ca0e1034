// Package page describes one page of a sorted list, the paging every list
// endpoint shares (PROTOCOLS §1: 1-based pageNum, pageSize 20 by default and
// at most 100, sortKey from a per-list whitelist, order ASC or DESC).
package page

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Limits of PROTOCOLS §1.
const (
	DefaultSize = 20
	MaxSize     = 100
)

// Request is a validated page request.
type Request struct {
	Num  int    // 1-based
	Size int    // 1..MaxSize
	Sort string // a whitelisted sort key
	Desc bool
}

// Offset is the number of records before this page.
func (r Request) Offset() int { return (r.Num - 1) * r.Size }

// Result is one page of records.
type Result[T any] struct {
	Total   int64 `json:"total"`
	Records []T   `json:"records"`
	Num     int   `json:"pageNum"`
	Size    int   `json:"pageSize"`
}

// Parse validates raw query values. Empty values take the defaults:
// page 1, DefaultSize, the first allowed sort key, descending. Every invalid
// value is reported as an apperr Invalid field error.
func Parse(num, size, sortKey, order string, allowed []string) (Request, error) {
	r := Request{Num: 1, Size: DefaultSize, Desc: true}
	if len(allowed) > 0 {
		r.Sort = allowed[0]
	}
	var fields []apperr.FieldError
	if num != "" {
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > 1_000_000 {
			fields = append(fields, apperr.FieldError{Field: "pageNum", Message: "must be a whole number from 1"})
		}
		r.Num = n
	}
	if size != "" {
		n, err := strconv.Atoi(size)
		if err != nil || n < 1 {
			fields = append(fields, apperr.FieldError{Field: "pageSize", Message: "must be a whole number from 1 to 100"})
		}
		r.Size = min(n, MaxSize)
	}
	if sortKey != "" {
		if !slices.Contains(allowed, sortKey) {
			fields = append(fields, apperr.FieldError{Field: "sortKey", Message: "must be one of " + strings.Join(allowed, ", ")})
		}
		r.Sort = sortKey
	}
	switch strings.ToUpper(order) {
	case "", "DESC":
	case "ASC":
		r.Desc = false
	default:
		fields = append(fields, apperr.FieldError{Field: "order", Message: "must be ASC or DESC"})
	}
	if len(fields) > 0 {
		return Request{}, apperr.Fields(fields...)
	}
	return r, nil
}
