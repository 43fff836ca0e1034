package stats

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// systemInfoFields are the systemInfo fields (uni-app's uni.getSystemInfo)
// kept for a first-seen device; the rest of the free-form object is
// dropped.
var systemInfoFields = []string{
	"brand", "model", "platform", "osName", "osVersion", "system", "deviceType",
	"appVersion", "appWgtVersion", "uniRuntimeVersion",
}

// maxSystemInfoValue is the longest value kept, in characters.
const maxSystemInfoValue = 64

// boundSystemInfo keeps the known fields of a systemInfo object whose
// values are strings or numbers, as strings of at most maxSystemInfoValue
// characters. It returns nil when nothing is kept (not an object, no known
// field), so that what one device stores is small whatever it sends.
func boundSystemInfo(raw []byte) json.RawMessage {
	var obj map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil {
		return nil
	}
	kept := map[string]string{}
	for _, k := range systemInfoFields {
		v, ok := obj[k]
		if !ok {
			continue
		}
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(v, &s) == nil:
		case json.Unmarshal(v, &n) == nil:
			s = n.String()
		default:
			continue
		}
		s = strings.ToValidUTF8(s, "")
		if utf8.RuneCountInString(s) > maxSystemInfoValue {
			s = string([]rune(s)[:maxSystemInfoValue])
		}
		kept[k] = s
	}
	if len(kept) == 0 {
		return nil
	}
	out, err := json.Marshal(kept)
	if err != nil {
		return nil
	}
	return out
}
