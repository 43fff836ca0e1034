package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/apperr"
	"github.com/hoist-ota/hoist/internal/upushyimport"
)

// settingReader reads a named instance setting. The store passed as
// Options.DB is one; `hoist import upushy` keeps the last import's report
// there (upushyimport.LastReportSetting).
type settingReader interface {
	Setting(ctx context.Context, name string) (string, error)
}

// importEntryView is one upushy record of an import report.
type importEntryView struct {
	Kind    string `json:"kind" enums:"user,project,resource"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Outcome string `json:"outcome" enums:"imported,present,skipped"`
	Reason  string `json:"reason,omitempty"`
	NewName string `json:"newName,omitempty"`
	Owner   string `json:"owner,omitempty"`
}

// importTotalView counts one kind of record by outcome.
type importTotalView struct {
	Kind     string `json:"kind" enums:"user,project,resource"`
	Imported int    `json:"imported"`
	Present  int    `json:"present"`
	Skipped  int    `json:"skipped"`
}

// importReportView is the report of the last `hoist import upushy`; a long
// one keeps only the entries with something to say (entriesOmitted counts
// the others), and totals count them all.
type importReportView struct {
	Time            time.Time         `json:"time"`
	DryRun          bool              `json:"dryRun"`
	Source          string            `json:"source,omitempty" example:"10.0.0.5:3306/upushy"`
	URLBase         string            `json:"urlBase,omitempty" example:"https://uni-pushy.oss-cn-hangzhou.aliyuncs.com"`
	Times           string            `json:"times,omitempty"`
	Owner           string            `json:"owner,omitempty"`
	Totals          []importTotalView `json:"totals"`
	EntriesOmitted  int               `json:"entriesOmitted"`
	Entries         []importEntryView `json:"entries"`
	ChangedProjects []string          `json:"changedProjects"`
}

// handleUpushyLastImport godoc
//
//	@Summary		The last upushy import's report (administrators)
//	@Description	What `hoist import upushy` imported, found already present, or skipped and why, the last time it ran (dry runs are not kept). data is null before the first import.
//	@Tags			users
//	@Produce		json
//	@Security		BearerAuth
//	@Success		200	{object}	okEnvelope{data=importReportView}
//	@Failure		403	{object}	errorEnvelope
//	@Router			/api/v1/imports/upushy/last [get]
func (s *Server) handleUpushyLastImport(c *gin.Context) {
	if !principal(c).IsAdmin() || principal(c).ProjectID != "" {
		s.respondError(c, apperr.New(apperr.Forbidden, "only administrators see import reports"))
		return
	}
	sr, ok := s.db.(settingReader)
	if !ok {
		respondOK(c, http.StatusOK, nil)
		return
	}
	raw, err := sr.Setting(c.Request.Context(), upushyimport.LastReportSetting)
	if apperr.Is(err, apperr.NotFound) {
		respondOK(c, http.StatusOK, nil) // none yet: not an error for the panel
		return
	}
	if err != nil {
		s.respondError(c, err)
		return
	}
	var v importReportView
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		s.respondError(c, fmt.Errorf("httpapi: stored upushy import report: %w", err))
		return
	}
	// A report keeps null for an empty list, and one of an earlier version
	// has no totals: the answer always has the lists.
	v.Totals = nonNil(v.Totals)
	v.Entries = nonNil(v.Entries)
	v.ChangedProjects = nonNil(v.ChangedProjects)
	respondOK(c, http.StatusOK, v)
}

// nonNil returns s, or an empty slice for nil (JSON [] instead of null).
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
