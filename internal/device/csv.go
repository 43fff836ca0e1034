package device

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// ParseCSV reads a device batch in CSV: a header row naming the columns
// "name" (required) and "tags" (optional), in any order and case, then one
// device per row. Tags are separated by ";" or "|" within their cell;
// spaces around names and tags are ignored, as are blank lines and a UTF-8
// byte order mark. It stops after MaxBatch+1 devices, so the caller sees
// that the batch is too large without reading it all. Malformed CSV is
// Invalid naming the line; names and tags are checked later, by
// CreateDevices.
func ParseCSV(r io.Reader) ([]NewDevice, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.New(apperr.Invalid, "the CSV is empty: its first line must be the header name,tags")
	}
	if err != nil {
		return nil, csvError(err)
	}
	nameCol, tagsCol := -1, -1
	for i, h := range header {
		switch col := strings.ToLower(strings.TrimSpace(h)); {
		case col == "name" && nameCol < 0:
			nameCol = i
		case col == "tags" && tagsCol < 0:
			tagsCol = i
		default:
			return nil, apperr.New(apperr.Invalid, "CSV line 1: unknown or repeated column %q; the header is name,tags", h)
		}
	}
	if nameCol < 0 {
		return nil, apperr.New(apperr.Invalid, "CSV line 1: the header must name a name column (name,tags)")
	}
	var out []NewDevice
	for len(out) <= MaxBatch {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		n := NewDevice{Name: strings.TrimSpace(rec[nameCol])}
		if tagsCol >= 0 {
			n.Tags = splitTags(rec[tagsCol])
		}
		out = append(out, n)
	}
	return out, nil
}

// splitTags splits a tags cell on ";" and "|", dropping empty parts.
func splitTags(cell string) []string {
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == '|' })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Wrap(err, apperr.Invalid, "malformed CSV at line %d: %v", pe.StartLine, pe.Err)
	}
	return apperr.Wrap(err, apperr.Invalid, "could not read the CSV")
}
