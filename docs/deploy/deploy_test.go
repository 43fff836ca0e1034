// Package deploy_test checks the deployment examples in docs/deploy: the
// YAML parses, and every Hoist setting they use is one Hoist knows.
package deploy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hoist-ota/hoist/internal/config"
)

func TestYAMLFilesParse(t *testing.T) {
	files, _ := filepath.Glob("*.yml")
	more, _ := filepath.Glob("*.yaml")
	files = append(files, more...)
	if len(files) < 2 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(b, &doc); err != nil || len(doc) == 0 {
			t.Errorf("%s: %v (%d keys)", f, err, len(doc))
		}
	}
}

// unknown returns the problems of a configuration that name settings Hoist
// does not have (values are placeholders, so other problems are expected).
func unknown(err error) []string {
	var out []string
	ps, _ := config.AsProblems(err)
	for _, p := range ps {
		if strings.Contains(p.Message, "unknown") {
			out = append(out, p.Key+": "+p.Message)
		}
	}
	return out
}

func TestComposeSetsOnlyKnownHoistVariables(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			Volumes     []string          `yaml:"volumes"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"hoist", "mysql", "redis", "emqx"} {
		if _, ok := compose.Services[s]; !ok {
			t.Errorf("no %s service", s)
		}
	}
	hoist := compose.Services["hoist"]
	if hoist.Environment["HOIST_MQTT_MODE"] != "external" || hoist.Environment["HOIST_DB_DRIVER"] != "mysql" {
		t.Errorf("hoist environment %v", hoist.Environment)
	}
	for name, value := range hoist.Environment {
		if !strings.HasPrefix(name, config.EnvPrefix) {
			t.Errorf("%s is not a Hoist variable", name)
		}
		t.Setenv(name, value)
	}
	_, err = config.Load("")
	if u := unknown(err); len(u) > 0 {
		t.Errorf("docker-compose.yml: %v", u)
	}
	if emqx := compose.Services["emqx"]; !strings.HasPrefix(emqx.Image, "emqx/emqx:5.") ||
		!strings.Contains(strings.Join(emqx.Volumes, " "), "./emqx/emqx.conf:/opt/emqx/etc/emqx.conf") {
		t.Errorf("emqx service %+v", emqx)
	}
}

// hoist.yaml is a complete, valid production configuration.
func TestProductionConfigFileLoads(t *testing.T) {
	cfg, err := config.Load("hoist.yaml")
	if err != nil {
		t.Fatalf("hoist.yaml: %v", err)
	}
	if cfg.DB.Driver != "mysql" || cfg.MQTT.Mode != "external" || cfg.MQTT.HookSecret == "" || cfg.Redis.Addr == "" {
		t.Fatalf("hoist.yaml: %+v", cfg)
	}
}

// The broker configurations point at Hoist's hooks with the secret header
// (or the proxy that adds it) and deny what the hooks do not allow.
func TestBrokerConfigsUseTheHooks(t *testing.T) {
	for file, wants := range map[string][]string{
		"emqx/emqx.conf": {"no_match = deny", "/api/hooks/emqx/authn", "/api/hooks/emqx/authz", `"X-Hoist-Hook-Secret"`,
			`action = "${action}"`, `password = "${password}"`},
		"mosquitto/mosquitto.conf": {"allow_anonymous false", "auth_opt_http_params_mode json", "auth_opt_http_response_mode status",
			"/api/hooks/mosquitto/user", "/api/hooks/mosquitto/superuser", "/api/hooks/mosquitto/acl"},
		"mosquitto/hook-proxy.nginx.conf": {"proxy_set_header X-Hoist-Hook-Secret", "listen 127.0.0.1:3001"},
		"systemd/hoist.service":           {"ExecStart=/usr/local/bin/hoist serve -config /etc/hoist/hoist.yaml", "User=hoist", "NoNewPrivileges=yes"},
		"nginx/hoist.conf":                {"location = /mqtt", "proxy_set_header Upgrade", "location /api/hooks/"},
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
}
