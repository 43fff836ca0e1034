package printable

import "testing"

func TestLine(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "Fleet A": true, "固件 1.2.0": true, "v1.0.0-beta+7": true, "emoji 🚀": true,
		"a\x00b": false, "a\nb": false, "tab\there": false, "\x7f": false, "\u0085": false,
		"evil\u202Egnp.exe": false, "\u202A": false, "\u202D": false, "\u2066x": false, "\u2069": false,
		"bad utf8 \xff": false,
	} {
		if got := Line(s); got != want {
			t.Errorf("Line(%q) = %v, want %v", s, got, want)
		}
	}
}
