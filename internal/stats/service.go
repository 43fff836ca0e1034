package stats

import (
	"context"
	"time"

	"github.com/hoist-ota/hoist/internal/account"
	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/project"
)

// maxReportDays bounds a report's range.
const maxReportDays = 366

// Service answers statistics reports.
type Service struct {
	store    Store
	projects *project.Service
	now      func() time.Time
}

// NewService returns the report service.
func NewService(store Store, projects *project.Service, now func() time.Time) *Service {
	return &Service{store: store, projects: projects, now: now}
}

// Report returns a project's statistics between two days (YYYY-MM-DD, UTC,
// inclusive) to anyone who can read the project. Empty bounds default to
// the 30 days ending today.
func (s *Service) Report(ctx context.Context, p account.Principal, projectID, from, to, channel string) (Report, error) {
	if _, _, err := s.projects.Access(ctx, p, projectID, project.Read); err != nil {
		return Report{}, err
	}
	f, t, err := DayRange(from, to, s.now(), func(t time.Time) time.Time { return t.AddDate(0, 0, -29) })
	if err != nil {
		return Report{}, err
	}
	return s.store.Report(ctx, projectID, f.Format(time.DateOnly), t.Format(time.DateOnly), channel)
}

// DayRange reads a range of days (YYYY-MM-DD, UTC, inclusive, at most 366
// days): to defaults to the day of now, from to defFrom(to). Invalid with
// field errors otherwise.
func DayRange(from, to string, now time.Time, defFrom func(to time.Time) time.Time) (time.Time, time.Time, error) {
	var fs []apperr.FieldError
	parse := func(field, v string, def time.Time) time.Time {
		if v == "" {
			return def
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			fs = append(fs, apperr.FieldError{Field: field, Message: "must be a date YYYY-MM-DD"})
		}
		return d
	}
	t := parse("to", to, now.UTC().Truncate(24*time.Hour))
	f := parse("from", from, defFrom(t))
	if len(fs) == 0 && f.After(t) {
		fs = append(fs, apperr.FieldError{Field: "from", Message: "must not be after to"})
	}
	if len(fs) == 0 && t.Sub(f) > maxReportDays*24*time.Hour {
		fs = append(fs, apperr.FieldError{Field: "from", Message: "the range must be at most 366 days"})
	}
	if len(fs) > 0 {
		return time.Time{}, time.Time{}, apperr.Fields(fs...)
	}
	return f, t, nil
}
