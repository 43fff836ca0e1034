package upushyimport

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // --time-zone works on hosts without a zoneinfo database

	"github.com/go-sql-driver/mysql"
	"go.yaml.in/yaml/v3"

	"github.com/hoist-ota/hoist/internal/apperr"
)

// Config is what the importer takes from upushy-server's own configuration
// file (env.production.yaml, or env.development.yaml): where its database is
// and which OSS bucket its resource keys live in.
type Config struct {
	// DSN is a go-sql-driver DSN built from DB_HOST, DB_PORT, DB_USER,
	// DB_PASSWORD and DB_DATABASE.
	DSN string
	// OSSBucket and OSSEndpoint are ALIYUN_OSS_BUCKET and
	// ALIYUN_OSS_ENDPOINT (a region such as oss-cn-hangzhou).
	OSSBucket   string
	OSSEndpoint string
}

// LoadConfig reads upushy's YAML configuration file. It fails with an
// apperr Invalid error naming the missing key when the file lacks the
// database settings; the OSS keys may be empty (then the caller needs
// another way to the bucket, or has no relative keys).
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, apperr.New(apperr.Invalid, "upushy config: %v", err)
	}
	// upushy validates the file with class-validator after js-yaml: ports
	// appear quoted ('3306') as often as bare (3306).
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return Config{}, apperr.New(apperr.Invalid, "upushy config %s: not YAML: %v", path, err)
	}
	get := func(k string) string {
		switch v := raw[k].(type) {
		case nil:
			return ""
		case string:
			return strings.TrimSpace(v)
		case int:
			return strconv.Itoa(v)
		default:
			return strings.TrimSpace(fmt.Sprint(v))
		}
	}
	for _, k := range []string{"DB_HOST", "DB_USER", "DB_DATABASE"} {
		if get(k) == "" {
			return Config{}, apperr.New(apperr.Invalid, "upushy config %s: %s is missing (is this upushy-server's env.production.yaml?)", path, k)
		}
	}
	port := get("DB_PORT")
	if port == "" {
		port = "3306"
	}
	mc := mysql.NewConfig()
	mc.User, mc.Passwd, mc.Net = get("DB_USER"), get("DB_PASSWORD"), "tcp"
	mc.Addr, mc.DBName = net.JoinHostPort(get("DB_HOST"), port), get("DB_DATABASE")
	return Config{DSN: mc.FormatDSN(), OSSBucket: get("ALIYUN_OSS_BUCKET"), OSSEndpoint: get("ALIYUN_OSS_ENDPOINT")}, nil
}

// OSSBase returns the base URL that upushy 0.6 put before every stored
// object key when it answered: https://{bucket}.{endpoint}.aliyuncs.com. An
// endpoint given as a host (oss-cn-hangzhou.aliyuncs.com) or URL is reduced
// to its region, which is what upushy expects in ALIYUN_OSS_ENDPOINT. It
// fails with an apperr Invalid error when either is empty or not a host
// name part.
func OSSBase(bucket, endpoint string) (string, error) {
	endpoint = strings.TrimSpace(endpoint)
	endpoint = strings.TrimPrefix(strings.TrimPrefix(endpoint, "https://"), "http://")
	endpoint = strings.TrimSuffix(strings.TrimSuffix(endpoint, "/"), ".aliyuncs.com")
	bucket = strings.TrimSpace(bucket)
	for _, f := range [][2]string{{"OSS bucket", bucket}, {"OSS endpoint", endpoint}} {
		if !hostPart(f[1]) {
			return "", apperr.New(apperr.Invalid, "%s %q is not a host name part (letters, digits, - and .)", f[0], f[1])
		}
	}
	return "https://" + bucket + "." + endpoint + ".aliyuncs.com", nil
}

func hostPart(s string) bool {
	if s == "" || len(s) > 200 || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// ParseTimeZone loads an IANA time zone name ("UTC", "Asia/Shanghai") for
// upushy's DATETIME columns; apperr Invalid when the name is unknown.
func ParseTimeZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, apperr.New(apperr.Invalid, "time zone %q is not an IANA name such as UTC or Asia/Shanghai", name)
	}
	return loc, nil
}
