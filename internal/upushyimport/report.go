package upushyimport

import (
	"encoding/json"
	"slices"
	"time"
)

// Outcome is what happened to one upushy record.
type Outcome string

// Outcomes.
const (
	Imported Outcome = "imported" // copied into Hoist now
	Present  Outcome = "present"  // already in Hoist (an earlier import): left as it is
	Skipped  Outcome = "skipped"  // not copied; Reason says why
)

// Kinds of record.
const (
	KindUser     = "user"
	KindProject  = "project"
	KindResource = "resource"
)

// Entry reports one record.
type Entry struct {
	Kind    string  `json:"kind"`
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Outcome Outcome `json:"outcome"`
	// Reason says why a record was skipped or, for an imported one, what
	// was changed on the way (a dropped email, a shortened name).
	Reason string `json:"reason,omitempty"`
	// NewName is, for a user, the Hoist username when it is not the
	// upushy one (a name Hoist does not allow, or one already taken).
	NewName string `json:"newName,omitempty"`
	// Owner is, for a project whose upushy owner is not in Hoist, the
	// username of the administrator who owns it instead (--owner).
	Owner string `json:"owner,omitempty"`
}

// Report lists every record read, in the order they were handled: users,
// then projects, then resources.
type Report struct {
	// Time is when the import ran and DryRun whether it was a dry run
	// (nothing written); both are set by the caller.
	Time   time.Time `json:"time"`
	DryRun bool      `json:"dryRun"`
	// Source names the upushy database (host and name, no credentials);
	// set by the caller.
	Source string `json:"source,omitempty"`
	// URLBase is what was put before upushy's OSS object keys; Times says
	// how upushy's time columns were read; Owner is the --owner.
	URLBase string `json:"urlBase,omitempty"`
	Times   string `json:"times,omitempty"`
	Owner   string `json:"owner,omitempty"`
	// Totals count the records of each kind by outcome; set by Stored.
	Totals []Total `json:"totals,omitempty"`
	// EntriesOmitted counts the entries Stored left out (imported or
	// present ones with nothing to say) to keep the report small.
	EntriesOmitted int     `json:"entriesOmitted,omitempty"`
	Entries        []Entry `json:"entries"`
	// Projects are the ids of projects that gained resources or were
	// created, whose cached update-check answers are stale.
	Projects []string `json:"changedProjects"`
}

// Count returns how many records of kind had outcome o.
func (r Report) Count(kind string, o Outcome) int {
	n := 0
	for _, e := range r.Entries {
		if e.Kind == kind && e.Outcome == o {
			n++
		}
	}
	return n
}

func (r *Report) add(e Entry) { r.Entries = append(r.Entries, e) }

// Total counts the records of one kind by outcome.
type Total struct {
	Kind     string `json:"kind"`
	Imported int    `json:"imported"`
	Present  int    `json:"present"`
	Skipped  int    `json:"skipped"`
}

// notable reports whether an entry says more than "copied as it was" or
// "already there".
func (e Entry) notable() bool {
	return e.Outcome == Skipped || e.NewName != "" || e.Owner != "" || (e.Outcome == Imported && e.Reason != "")
}

// Stored returns the report as JSON to keep, with its Totals, in at most
// max bytes when it can: past that, the entries that are not notable are
// left out (counted in EntriesOmitted), and then, still too long, the
// last notable ones too.
func (r Report) Stored(max int) ([]byte, error) {
	r.Totals = nil
	for _, k := range []string{KindUser, KindProject, KindResource} {
		r.Totals = append(r.Totals, Total{Kind: k, Imported: r.Count(k, Imported), Present: r.Count(k, Present), Skipped: r.Count(k, Skipped)})
	}
	b, err := json.Marshal(r)
	if err != nil || len(b) <= max {
		return b, err
	}
	all := len(r.Entries)
	r.Entries = slices.DeleteFunc(slices.Clone(r.Entries), func(e Entry) bool { return !e.notable() })
	for {
		r.EntriesOmitted = all - len(r.Entries)
		if b, err = json.Marshal(r); err != nil || len(b) <= max || len(r.Entries) == 0 {
			return b, err
		}
		r.Entries = r.Entries[:len(r.Entries)*9/10]
	}
}

// LastReportSetting is the name of the Hoist setting that keeps the JSON of
// the last (not dry) import's Report, for the admin panel.
const LastReportSetting = "import.upushy.lastReport"
