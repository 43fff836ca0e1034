package release

import (
	"encoding/binary"
	"unicode/utf16"
)

// Android binary XML (the compiled AndroidManifest.xml of an apk): a chunk
// stream of a string pool, a resource-id map and element chunks. apkVersion
// reads only the <manifest> element's versionName and versionCode, checking
// every offset against the buffer, so any input is safe (FuzzAPKVersion).
const (
	chunkStringPool   = 0x0001
	chunkXML          = 0x0003
	chunkResourceMap  = 0x0180
	chunkStartElement = 0x0102

	attrVersionCode = 0x0101021b // android:versionCode
	attrVersionName = 0x0101021c // android:versionName

	typeString = 0x03
	typeIntDec = 0x10
	typeIntHex = 0x11

	utf8Flag = 1 << 8
)

// apkVersion returns the versionName and versionCode of a binary
// AndroidManifest.xml ("" and 0 when absent or unreadable).
func apkVersion(b []byte) (name string, code int64) {
	if len(b) < 8 || binary.LittleEndian.Uint16(b) != chunkXML {
		return "", 0
	}
	var pool stringPool
	var resIDs []uint32
	off := int(binary.LittleEndian.Uint16(b[2:]))
	for off+8 <= len(b) {
		typ := binary.LittleEndian.Uint16(b[off:])
		hsz := int(binary.LittleEndian.Uint16(b[off+2:]))
		csz := int(binary.LittleEndian.Uint32(b[off+4:]))
		if csz < 8 || hsz < 8 || hsz > csz || csz > len(b)-off {
			return "", 0
		}
		c := b[off : off+csz]
		switch typ {
		case chunkStringPool:
			pool = parsePool(c, hsz)
		case chunkResourceMap:
			for i := hsz; i+4 <= len(c); i += 4 {
				resIDs = append(resIDs, binary.LittleEndian.Uint32(c[i:]))
			}
		case chunkStartElement:
			if len(c) < 36 || pool.get(binary.LittleEndian.Uint32(c[20:])) != "manifest" {
				break
			}
			return manifestVersion(c, hsz, pool, resIDs)
		}
		off += csz
	}
	return "", 0
}

func manifestVersion(c []byte, hsz int, pool stringPool, resIDs []uint32) (name string, code int64) {
	ext := c[hsz:]
	if len(ext) < 20 {
		return "", 0
	}
	start := int(binary.LittleEndian.Uint16(ext[8:]))
	size := int(binary.LittleEndian.Uint16(ext[10:]))
	count := int(binary.LittleEndian.Uint16(ext[12:]))
	if size < 20 {
		return "", 0
	}
	for i := 0; i < count; i++ {
		a := start + i*size
		if a < 0 || a+20 > len(ext) {
			break
		}
		at := ext[a : a+20]
		nameIdx := binary.LittleEndian.Uint32(at[4:])
		raw := binary.LittleEndian.Uint32(at[8:])
		dataType := at[15]
		data := binary.LittleEndian.Uint32(at[16:])
		attr := pool.get(nameIdx)
		if int(nameIdx) < len(resIDs) {
			switch resIDs[nameIdx] {
			case attrVersionCode:
				attr = "versionCode"
			case attrVersionName:
				attr = "versionName"
			}
		}
		switch attr {
		case "versionCode":
			if dataType == typeIntDec || dataType == typeIntHex {
				code = int64(data)
			}
		case "versionName":
			if dataType == typeString {
				name = pool.get(data)
			} else if raw != 0xffffffff {
				name = pool.get(raw)
			}
		}
	}
	return name, code
}

// stringPool is a parsed string pool chunk; strings decode on demand.
type stringPool struct {
	data    []byte // from stringsStart
	offsets []byte // 4 bytes per string
	utf8    bool
}

func parsePool(c []byte, hsz int) stringPool {
	if hsz < 28 || len(c) < 28 {
		return stringPool{}
	}
	count := int(binary.LittleEndian.Uint32(c[8:]))
	flags := binary.LittleEndian.Uint32(c[16:])
	strStart := int(binary.LittleEndian.Uint32(c[20:]))
	if count < 0 || count > (len(c)-hsz)/4 || strStart < hsz || strStart > len(c) {
		return stringPool{}
	}
	return stringPool{data: c[strStart:], offsets: c[hsz : hsz+4*count], utf8: flags&utf8Flag != 0}
}

// get returns string i, "" when out of range or malformed.
func (p stringPool) get(i uint32) string {
	if uint64(i) >= uint64(len(p.offsets)/4) {
		return ""
	}
	o := int(binary.LittleEndian.Uint32(p.offsets[4*i:]))
	if o < 0 || o >= len(p.data) {
		return ""
	}
	s := p.data[o:]
	if p.utf8 {
		_, n := utf8Len(s) // length in UTF-16 units, then in bytes
		if n < 0 {
			return ""
		}
		s = s[n:]
		l, n := utf8Len(s)
		if n < 0 || n+l > len(s) {
			return ""
		}
		return string(s[n : n+l])
	}
	if len(s) < 2 {
		return ""
	}
	l := int(binary.LittleEndian.Uint16(s))
	s = s[2:]
	if l&0x8000 != 0 {
		if len(s) < 2 {
			return ""
		}
		l = (l&0x7fff)<<16 | int(binary.LittleEndian.Uint16(s))
		s = s[2:]
	}
	if l > len(s)/2 || l > 4096 {
		return ""
	}
	u := make([]uint16, l)
	for k := range u {
		u[k] = binary.LittleEndian.Uint16(s[2*k:])
	}
	return string(utf16.Decode(u))
}

// utf8Len reads a string pool length (one byte, or two when the high bit is
// set), returning it and the bytes it took (-1 when truncated).
func utf8Len(s []byte) (int, int) {
	if len(s) < 1 {
		return 0, -1
	}
	if s[0]&0x80 == 0 {
		return int(s[0]), 1
	}
	if len(s) < 2 {
		return 0, -1
	}
	return int(s[0]&0x7f)<<8 | int(s[1]), 2
}
