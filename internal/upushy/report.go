package upushy

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
}

// Report lists every record read, in the order they were handled: users,
// then projects, then resources.
type Report struct {
	Entries []Entry `json:"entries"`
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
