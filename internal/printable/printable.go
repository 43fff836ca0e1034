// Package printable tells whether text is safe to show as one line in the
// panel, a terminal or a log: names, titles and versions.
package printable

import (
	"unicode"
	"unicode/utf8"
)

// Line reports whether s is valid UTF-8 without control characters (NUL,
// newlines, tabs, DEL, C1) and without the bidirectional embedding,
// override and isolate controls U+202A–U+202E and U+2066–U+2069, which
// make text display differently from what it is ("gnp.exe" shown as
// "exe.png").
func Line(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return false
		}
	}
	return true
}

// Message is the field message for text Line refuses.
const Message = "must not contain control or bidirectional override characters"
