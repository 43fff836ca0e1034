package release

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// axmlDoc builds a compiled AndroidManifest.xml as aapt does: a string
// pool (UTF-8 or UTF-16), the resource-id map of the attribute names, and
// a <manifest> start element with versionCode (an int) and versionName (a
// string). With obfuscated names the attribute names are empty and only
// the resource map tells them.
func axmlDoc(utf8Pool, obfuscated bool, versionName string, versionCode uint32) []byte {
	le := binary.LittleEndian
	strs := []string{"versionCode", "versionName", "android", "http://schemas.android.com/apk/res/android", "manifest", versionName}
	if obfuscated {
		strs[0], strs[1] = "", ""
	}
	var data, offs []byte
	for _, s := range strs {
		offs = le.AppendUint32(offs, uint32(len(data)))
		if utf8Pool {
			data = append(data, byte(len([]rune(s))), byte(len(s)))
			data = append(data, s...)
			data = append(data, 0)
		} else {
			u := utf16.Encode([]rune(s))
			data = le.AppendUint16(data, uint16(len(u)))
			for _, c := range u {
				data = le.AppendUint16(data, c)
			}
			data = le.AppendUint16(data, 0)
		}
	}
	for len(data)%4 != 0 {
		data = append(data, 0)
	}
	var flags uint32
	if utf8Pool {
		flags = utf8Flag
	}
	pool := le.AppendUint16(nil, chunkStringPool)
	pool = le.AppendUint16(pool, 28)
	pool = le.AppendUint32(pool, uint32(28+len(offs)+len(data)))
	pool = le.AppendUint32(pool, uint32(len(strs)))
	pool = le.AppendUint32(pool, 0)
	pool = le.AppendUint32(pool, flags)
	pool = le.AppendUint32(pool, uint32(28+len(offs)))
	pool = le.AppendUint32(pool, 0)
	pool = append(append(pool, offs...), data...)

	resMap := le.AppendUint16(nil, chunkResourceMap)
	resMap = le.AppendUint16(resMap, 8)
	resMap = le.AppendUint32(resMap, 16)
	resMap = le.AppendUint32(resMap, attrVersionCode)
	resMap = le.AppendUint32(resMap, attrVersionName)

	attr := func(name, raw uint32, typ byte, val uint32) []byte {
		a := le.AppendUint32(nil, 3) // namespace uri
		a = le.AppendUint32(a, name)
		a = le.AppendUint32(a, raw)
		a = le.AppendUint16(a, 8)
		a = append(a, 0, typ)
		return le.AppendUint32(a, val)
	}
	attrs := append(attr(0, 0xffffffff, typeIntDec, versionCode), attr(1, 5, typeString, 5)...)
	el := le.AppendUint16(nil, chunkStartElement)
	el = le.AppendUint16(el, 16)
	el = le.AppendUint32(el, uint32(16+20+len(attrs)))
	el = le.AppendUint32(el, 1)          // line
	el = le.AppendUint32(el, 0xffffffff) // comment
	el = le.AppendUint32(el, 0xffffffff) // ns
	el = le.AppendUint32(el, 4)          // name: manifest
	el = le.AppendUint16(el, 20)         // attributeStart
	el = le.AppendUint16(el, 20)         // attributeSize
	el = le.AppendUint16(el, 2)          // attributeCount
	el = append(el, 0, 0, 0, 0, 0, 0)    // id, class, style
	el = append(el, attrs...)

	body := append(append(pool, resMap...), el...)
	doc := le.AppendUint16(nil, chunkXML)
	doc = le.AppendUint16(doc, 8)
	doc = le.AppendUint32(doc, uint32(8+len(body)))
	return append(doc, body...)
}

func TestAPKVersion(t *testing.T) {
	for _, tc := range []struct {
		utf8, obfuscated bool
	}{{false, false}, {true, false}, {false, true}, {true, true}} {
		name, code := apkVersion(axmlDoc(tc.utf8, tc.obfuscated, "2.4.1-β", 241))
		if name != "2.4.1-β" || code != 241 {
			t.Errorf("utf8=%v obfuscated=%v: %q %d", tc.utf8, tc.obfuscated, name, code)
		}
	}
	if name, code := apkVersion([]byte("<manifest/>")); name != "" || code != 0 {
		t.Fatalf("text xml: %q %d", name, code)
	}
}

func FuzzAPKVersion(f *testing.F) {
	f.Add(axmlDoc(false, false, "1.0", 1))
	f.Add(axmlDoc(true, true, "1.0.0", 100))
	f.Add([]byte{3, 0, 8, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		apkVersion(b) // must not panic or run away on any input
	})
}
