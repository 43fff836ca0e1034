package release

import "strconv"

// DeviceHash is a device key's 64-bit hash (FNV-1a, then splitmix64's
// finalizer so that every bit is mixed, as distinct counting needs). It is
// what the adoption funnel knows of a device, and 0 for "" (no device).
func DeviceHash(key string) uint64 {
	if key == "" {
		return 0
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	if h == 0 {
		h = 1
	}
	return h
}

// AppendDeviceToken appends h as the download link's device segment: 16
// lowercase hex digits.
func AppendDeviceToken(b []byte, h uint64) []byte {
	const digits = "0123456789abcdef"
	for i := 60; i >= 0; i -= 4 {
		b = append(b, digits[h>>uint(i)&0xf])
	}
	return b
}

// ParseDeviceToken reads a device segment (0, false when it is not one).
func ParseDeviceToken(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	h, err := strconv.ParseUint(s, 16, 64)
	return h, err == nil && h != 0
}
