// Package ota holds the rules of device OTA updates (PROTOCOLS §3): the
// states a device's update goes through, how its progress reports are
// normalised, and how a report moves the state. Everything here is pure.
package ota

import "strings"

// State is where one device is in one OTA request. The zero value "" means
// unknown (no command sent, or a report that says nothing about the state).
type State string

// The states of PROTOCOLS §3. Waiting, Sent, Skipped, Expired and Cancelled
// are set by the server only; the rest are reported by devices.
const (
	// StateWaiting is a device of a wave not started yet: it has been sent
	// nothing, and reports do not move it.
	StateWaiting     State = "waiting"
	StateSent        State = "sent" // the command went out, no report yet
	StateAccepted    State = "accepted"
	StateDownloading State = "downloading"
	StateDownloaded  State = "downloaded"
	StateVerified    State = "verified"
	StateInstalling  State = "installing"
	StateRebooting   State = "rebooting"
	StateSucceeded   State = "succeeded"
	StateFailed      State = "failed"
	StateRejected    State = "rejected"
	StateSkipped     State = "skipped"   // the device needed no update
	StateExpired     State = "expired"   // no final report before the deadline
	StateCancelled   State = "cancelled" // an operator withdrew the request
)

// AllStates returns every State in lifecycle order: waiting, sent, the
// device-reported progress states, then the final states. The caller owns
// the slice.
func AllStates() []State {
	return []State{
		StateWaiting, StateSent, StateAccepted, StateDownloading, StateDownloaded, StateVerified,
		StateInstalling, StateRebooting, StateSucceeded, StateFailed, StateRejected,
		StateSkipped, StateExpired, StateCancelled,
	}
}

// Valid reports whether s is one of AllStates.
func (s State) Valid() bool { return s == StateWaiting || s.Final() || s.rank() >= 0 }

// Final reports whether s is final: succeeded, failed, rejected, skipped,
// expired or cancelled. Nothing moves a request out of a final state.
func (s State) Final() bool {
	switch s {
	case StateSucceeded, StateFailed, StateRejected, StateSkipped, StateExpired, StateCancelled:
		return true
	}
	return false
}

// rank orders the non-final states; it is -1 for "", waiting and anything
// that is not a non-final State, so that any known state moves forward
// from them.
func (s State) rank() int {
	switch s {
	case StateSent:
		return 0
	case StateAccepted:
		return 1
	case StateDownloading:
		return 2
	case StateDownloaded:
		return 3
	case StateVerified:
		return 4
	case StateInstalling:
		return 5
	case StateRebooting:
		return 6
	}
	return -1
}

// parseReportedState maps a device's "state" field to a State: trimmed,
// case-insensitive, with the aliases updated/success → succeeded and
// error → failed. Server-side states (sent, skipped, expired, cancelled) and
// anything else are not reportable: ok is false.
func parseReportedState(s string) (State, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "accepted":
		return StateAccepted, true
	case "downloading":
		return StateDownloading, true
	case "downloaded":
		return StateDownloaded, true
	case "verified":
		return StateVerified, true
	case "installing":
		return StateInstalling, true
	case "rebooting":
		return StateRebooting, true
	case "succeeded", "updated", "success":
		return StateSucceeded, true
	case "failed", "error":
		return StateFailed, true
	case "rejected":
		return StateRejected, true
	}
	return "", false
}

// Next applies report p to a request in state current whose campaign targets
// targetVersion, and returns the new state and whether it differs from
// current. The rules, in order:
//
//  1. A final current state never changes: later reports for the same
//     request do not move it back (PROTOCOLS §3).
//  2. A report whose CurrentVersion equals a non-empty targetVersion confirms
//     the update: succeeded, whatever the report's State says.
//  3. A report with State "" (status only) or a State that is not Valid
//     changes nothing.
//  4. A final reported State is taken from any non-final state.
//  5. Otherwise the reported state is taken only if it moves forward in
//     sent < accepted < downloading < downloaded < verified < installing <
//     rebooting; a repeated or backwards report (say downloading after
//     installing, a late or reordered message) is ignored. "" and unknown
//     current states count as before sent.
//
// Progress within one state (downloading 40% → 60%) is not a state change;
// callers keep the latest Progress themselves.
func Next(current State, p Progress, targetVersion string) (State, bool) {
	switch {
	case current.Final():
		return current, false
	case targetVersion != "" && p.CurrentVersion == targetVersion:
		return StateSucceeded, true
	case !p.State.Valid():
		return current, false
	case p.State.Final(), p.State.rank() > current.rank():
		return p.State, true
	}
	return current, false
}
