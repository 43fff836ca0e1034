package webhook

import (
	"net"
	"net/url"
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://hooks.example.com/x?key=1":                  true,
		"https://oapi.dingtalk.com/robot/send?access_token=": true,
		"http://127.0.0.1:8080/hook":                         true,
		"http://127.9.9.9/hook":                              true,
		"http://[::1]:9000/":                                 true,
		"http://localhost:3000/":                             true,
		"http://example.com/hook":                            false,
		"http://10.0.0.1/hook":                               false,
		"http://127.0.0.1.example.com/":                      false,
		"ftp://example.com/":                                 false,
		"https://":                                           false,
		"https:///path":                                      false,
		"//example.com/x":                                    false,
		"example.com":                                        false,
		"https://u:p@example.com/":                           false,
		"https://example.com/" + strings.Repeat("a", 1004):   true, // 1024
		"https://example.com/" + strings.Repeat("a", 1005):   false,
	} {
		if got := checkURL(raw) == ""; got != ok {
			t.Errorf("checkURL(%.60q) accepted %v, want %v (%s)", raw, got, ok, checkURL(raw))
		}
	}
}

// FuzzCheckURL: whatever it accepts is https, or http to a loopback host,
// without user info, and at most MaxURL long.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.com/", "http://127.0.0.1/", "http://[::1]/", "http://localhost/", "http://x/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if checkURL(raw) != "" {
			return
		}
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || len(strings.TrimSpace(raw)) > MaxURL || u.User != nil || u.Hostname() == "" {
			t.Fatalf("accepted %q", raw)
		}
		ip := net.ParseIP(u.Hostname())
		if u.Scheme != "https" && !(u.Scheme == "http" && (strings.EqualFold(u.Hostname(), "localhost") || ip != nil && ip.IsLoopback())) {
			t.Fatalf("accepted %q", raw)
		}
	})
}
