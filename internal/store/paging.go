package store

import (
	"fmt"

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
}

// listPage counts what q matches and reads page pg of it, ordered by the
// requested sort key (else the "createdTime" column) and the tie column,
// so that pages never overlap.
func listPage[R any](q *gorm.DB, pg page.Request, l listing) ([]R, int64, error) {
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", l.what, err)
	}
	var rows []R
	var err error
	if l.sel != "" {
		err = paged(q.Select(l.sel), pg, l.sort, l.tie).Scan(&rows).Error
	} else {
		err = paged(q, pg, l.sort, l.tie).Find(&rows).Error
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", l.what, err)
	}
	return rows, total, nil
}

// mapRows converts rows to domain values.
func mapRows[R, T any](rows []R, f func(R) T) []T {
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = f(r)
	}
	return out
}

// paged applies a page request; columns maps whitelisted sort keys to
// columns, and the key column (default "id") breaks ties so pages never
// overlap.
func paged(q *gorm.DB, pg page.Request, columns map[string]string, key string) *gorm.DB {
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
	}}).Offset(pg.Offset()).Limit(pg.Size)
}
