package store

import (
	"fmt"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hoist-ota/hoist/internal/page"
)

// listing describes one paged list of the admin API.
type listing struct {
	what string            // for errors: "users"
	sort map[string]string // whitelisted sort keys → columns (raw in ORDER BY)
	tie  string            // the key column breaking ties ("" means "id")
	// sel, when set, is the SELECT of the page (joins, computed columns);
	// the rows are then scanned rather than found.
	sel string
	// total, when set, counts the list instead of COUNT(*) over q (a
	// count kept elsewhere, such as a campaign's per-state counts).
	total func() (int64, error)
	// late: the tie column is a string key of the rows q selects, and a
	// page far from both ends is found by its keys alone (read from an
	// index) before its rows are read: skipping 50 000 index entries is
	// cheap, skipping 50 000 rows is not.
	late bool
}

// lateAfter is the offset from which a late listing finds its page by key.
var lateAfter = 1_000 // a variable for tests

// listPage counts what q matches and reads page pg of it, ordered by the
// requested sort key (else the "createdTime" column) and the tie column,
// so that pages never overlap.
//
// A page past the middle of the list is read from its other end, in the
// opposite order, and turned round: the database then skips at most half
// of the list (the last page of 100 000 devices skips none), with the same
// rows as the forward read.
func listPage[R any](q *gorm.DB, pg page.Request, l listing) ([]R, int64, error) {
	var total int64
	var err error
	if l.total != nil {
		total, err = l.total()
	} else {
		err = q.Session(&gorm.Session{}).Count(&total).Error
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", l.what, err)
	}
	offset, limit := int64(pg.Offset()), int64(pg.Size)
	if offset >= total {
		return []R{}, total, nil
	}
	backward := offset+limit/2 > total/2
	if backward {
		// The page's rows, counted from the end.
		end := min(offset+limit, total)
		offset, limit = total-end, end-offset
		pg.Desc = !pg.Desc
	}
	var rows []R
	switch {
	case l.sel != "":
		err = paged(q.Select(l.sel), pg, l.sort, l.tie, int(offset), int(limit)).Scan(&rows).Error
	case l.late && offset > int64(lateAfter):
		var ids []string
		err = paged(q.Session(&gorm.Session{}), pg, l.sort, l.tie, int(offset), int(limit)).Pluck(l.tie, &ids).Error
		if err == nil && len(ids) > 0 {
			err = paged(q.Where(clause.IN{Column: clause.Column{Name: l.tie}, Values: anys(ids)}), pg, l.sort, l.tie, 0, len(ids)).Find(&rows).Error
		}
	default:
		err = paged(q, pg, l.sort, l.tie, int(offset), int(limit)).Find(&rows).Error
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", l.what, err)
	}
	if backward {
		slices.Reverse(rows)
	}
	if rows == nil {
		rows = []R{}
	}
	return rows, total, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// mapRows converts rows to domain values.
func mapRows[R, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// paged orders q by pg's sort key and reads limit rows after offset;
// columns maps whitelisted sort keys to columns, and the key column
// (default "id") breaks ties so pages never overlap.
func paged(q *gorm.DB, pg page.Request, columns map[string]string, key string, offset, limit int) *gorm.DB {
	col, ok := columns[pg.Sort]
	if !ok {
		col = columns["createdTime"]
	}
	if key == "" {
		key = "id"
	}
	return q.Order(clause.OrderBy{Columns: []clause.OrderByColumn{
		{Column: clause.Column{Name: col, Raw: true}, Desc: pg.Desc},
		{Column: clause.Column{Name: key, Raw: true}, Desc: pg.Desc},
	}}).Offset(offset).Limit(limit)
}
