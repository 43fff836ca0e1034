package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/structs"
	"github.com/knadh/koanf/v2"
)

// EnvPrefix starts every environment variable Hoist reads.
const EnvPrefix = "HOIST_"

// Environment variables under EnvPrefix that are not configuration keys and
// must not be reported as unknown: the config file path, the release CLI's
// server and token, and the test suites' service addresses.
const (
	EnvConfigFile = "HOIST_CONFIG"
	EnvCLIServer  = "HOIST_SERVER"
	EnvCLIToken   = "HOIST_TOKEN"
	envTestPrefix = "HOIST_TEST_"
)

// Load reads the defaults, then the YAML file at path (skipped when path is
// empty), then HOIST_* environment variables, and returns the merged result
// with derived values filled in, validated. Unknown keys in the file or the
// environment, values of the wrong type and invalid values are reported
// together as Problems, each with its key.
func Load(path string) (Config, error) {
	return load(path, os.Environ)
}

func load(path string, environ func() []string) (Config, error) {
	k := koanf.New(".")
	if err := k.Load(structs.Provider(Default(), "koanf"), nil); err != nil {
		return Config{}, fmt.Errorf("config: defaults: %w", err)
	}
	known := leafKeys()
	var problems Problems
	var fileKeys []string

	if path != "" {
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
		fileKeys = fk.Keys()
		for _, key := range fileKeys {
			if _, ok := known[key]; !ok {
				problems = append(problems, Problem{Key: key, Message: "unknown key"})
			}
		}
		if err := k.Merge(fk); err != nil {
			return Config{}, fmt.Errorf("config: merge %s: %w", path, err)
		}
	}

	envByName := make(map[string]string, len(known))
	for key := range known {
		envByName[EnvName(key)] = key
	}
	ek := koanf.New(".")
	err := ek.Load(env.Provider(".", env.Opt{
		Prefix:      EnvPrefix,
		EnvironFunc: environ,
		TransformFunc: func(name, value string) (string, any) {
			key, ok := envByName[name]
			switch {
			case ok && known[key] == reflect.Slice:
				return key, splitList(value)
			case ok:
				return key, value
			case name != EnvConfigFile && name != EnvCLIServer && name != EnvCLIToken && !strings.HasPrefix(name, envTestPrefix):
				problems = append(problems, Problem{Key: name, Message: "unknown environment variable"})
			}
			return "", nil
		},
	}), nil)
	if err != nil {
		return Config{}, fmt.Errorf("config: environment: %w", err)
	}
	if err := k.Merge(ek); err != nil {
		return Config{}, fmt.Errorf("config: merge environment: %w", err)
	}

	var c Config
	c.set = map[string]bool{}
	for _, key := range ek.Keys() {
		c.set[key] = true
	}
	for _, key := range fileKeys {
		c.set[key] = true
	}
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		// Values did not decode: validating them would only add noise.
		return Config{}, append(problems, Problem{Message: err.Error()})
	}
	c.resolve()
	if err := c.Validate(); err != nil {
		ps, _ := AsProblems(err)
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return Config{}, problems
	}
	return c, nil
}

// resolve fills values derived from others.
func (c *Config) resolve() {
	if c.DB.Driver == DriverSQLite && c.DB.DSN == "" {
		c.DB.DSN = filepath.Join(c.DataDir, "hoist.db")
	}
	if c.Storage.Local.Dir == "" {
		c.Storage.Local.Dir = filepath.Join(c.DataDir, "files")
	}
	if c.Auth.Registration == "" {
		c.Auth.Registration = "closed"
		if c.Embedded() {
			c.Auth.Registration = "open"
		}
	}
}

// JWTSecretPath is where embedded mode keeps its generated JWT secret.
func (c Config) JWTSecretPath() string { return filepath.Join(c.DataDir, "jwt.secret") }

// leafKeys returns every configuration key with the reflect.Kind of its value.
func leafKeys() map[string]reflect.Kind {
	keys := map[string]reflect.Kind{}
	var walk func(prefix string, t reflect.Type)
	walk = func(prefix string, t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			key := prefix + f.Tag.Get("koanf")
			if f.Type.Kind() == reflect.Struct {
				walk(key+".", f.Type)
				continue
			}
			keys[key] = f.Type.Kind()
		}
	}
	walk("", reflect.TypeOf(Config{}))
	return keys
}

// Keys returns every configuration key, sorted.
func Keys() []string {
	var out []string
	for k := range leafKeys() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// EnvName returns the environment variable that overrides key:
// "db.maxOpenConns" → "HOIST_DB_MAX_OPEN_CONNS", "http.publicBaseURL" →
// "HOIST_HTTP_PUBLIC_BASE_URL".
func EnvName(key string) string {
	var b strings.Builder
	b.WriteString(EnvPrefix)
	for i, part := range strings.Split(key, ".") {
		if i > 0 {
			b.WriteByte('_')
		}
		r := []rune(part)
		for j, ch := range r {
			if j > 0 && unicode.IsUpper(ch) {
				prevLower := unicode.IsLower(r[j-1]) || unicode.IsDigit(r[j-1])
				nextLower := j+1 < len(r) && unicode.IsLower(r[j+1])
				if prevLower || (unicode.IsUpper(r[j-1]) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToUpper(ch))
		}
	}
	return b.String()
}

func splitList(v string) []string {
	out := []string{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Problem is one configuration error, tied to its key.
type Problem struct {
	Key     string
	Message string
}

// String formats the problem as "key (ENV_NAME): message".
func (p Problem) String() string {
	switch {
	case p.Key == "":
		return p.Message
	case strings.HasPrefix(p.Key, EnvPrefix):
		return p.Key + ": " + p.Message
	default:
		return fmt.Sprintf("%s (%s): %s", p.Key, EnvName(p.Key), p.Message)
	}
}

// Problems lists every configuration error found. It is the error Load and
// Validate return.
type Problems []Problem

// Error lists each problem on its own line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return "invalid configuration:\n  " + strings.Join(lines, "\n  ")
}

// AsProblems returns the Problems inside err, if any.
func AsProblems(err error) (Problems, bool) {
	var ps Problems
	ok := errors.As(err, &ps)
	return ps, ok
}
