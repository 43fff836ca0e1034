package device

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strings"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// ParseCSV reads a device batch in CSV: with header, a first row naming
// the columns "name" (required) and "tags" (optional), in any order and
// case; without (RFC 4180's header=absent), the columns are name and an
// optional tags. Then one device per row, its Line set to where the row
// starts. Tags are separated by ";" or "|" within their cell; spaces
// around names and tags are ignored, as are blank lines and a UTF-8 byte
// order mark. It stops after MaxBatch+1 devices, so the caller sees that
// the batch is too large without reading it all. Malformed CSV is Invalid
// naming the line; names and tags are checked later, by CreateDevices.
func ParseCSV(r io.Reader, header bool) ([]NewDevice, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	nameCol, tagsCol := 0, 1
	if header {
		var err error
		if nameCol, tagsCol, err = readHeader(cr); err != nil {
			return nil, err
		}
	} else {
		// Rows of one or two cells: the first row does not fix the count.
		cr.FieldsPerRecord = -1
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
		line, _ := cr.FieldPos(0)
		if !header && len(rec) > 2 {
			return nil, apperr.New(apperr.Invalid,
				"CSV line %d has %d cells; a row is name,tags (separate the tags with ; or |)", line, len(rec))
		}
		n := NewDevice{Name: strings.TrimSpace(rec[nameCol]), Line: line}
		if tagsCol >= 0 && tagsCol < len(rec) {
			n.Tags = splitTags(rec[tagsCol])
		}
		out = append(out, n)
	}
	if len(out) == 0 && !header {
		return nil, apperr.New(apperr.Invalid, "the CSV is empty: list one device per line (name,tags)")
	}
	return out, nil
}

// readHeader reads the header row and returns the columns of name and tags
// (-1: no tags column).
func readHeader(cr *csv.Reader) (nameCol, tagsCol int, err error) {
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return 0, 0, apperr.New(apperr.Invalid, "the CSV is empty: its first line must be the header name,tags")
	}
	if err != nil {
		return 0, 0, csvError(err)
	}
	line, _ := cr.FieldPos(0)
	nameCol, tagsCol = -1, -1
	for i, h := range header {
		switch col := strings.ToLower(strings.TrimSpace(h)); {
		case col == "name" && nameCol < 0:
			nameCol = i
		case col == "tags" && tagsCol < 0:
			tagsCol = i
		default:
			return 0, 0, apperr.New(apperr.Invalid, "CSV line %d: unknown or repeated column %q; the header is name,tags (or send Content-Type text/csv; header=absent)", line, h)
		}
	}
	if nameCol < 0 {
		return 0, 0, apperr.New(apperr.Invalid, "CSV line %d: the header must name a name column (name,tags)", line)
	}
	return nameCol, tagsCol, nil
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
