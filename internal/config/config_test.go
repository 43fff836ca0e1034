package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
)

const examplePath = "../../env.example.yaml"

func noEnv() []string { return nil }

func mustWrite(tb testing.TB, body string) string {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "hoist.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestExampleFileLoadsValidatesAndDocumentsEveryKey(t *testing.T) {
	c, err := load(examplePath, noEnv)
	if err != nil {
		t.Fatalf("load example: %v", err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("example does not validate: %v", err)
	}
	want := Default()
	want.resolve()
	c.set = nil // which keys the file set is not a value
	if !reflect.DeepEqual(c, want) {
		t.Errorf("example values differ from Default():\n got %+v\nwant %+v", c, want)
	}

	k := koanf.New(".")
	if err := k.Load(file.Provider(examplePath), yaml.Parser()); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(examplePath)
	for _, key := range Keys() {
		if !k.Exists(key) {
			t.Errorf("env.example.yaml lacks key %s", key)
		}
		if !strings.Contains(string(raw), EnvName(key)) {
			t.Errorf("env.example.yaml does not mention %s for key %s", EnvName(key), key)
		}
	}
}

func TestEnvName(t *testing.T) {
	cases := map[string]string{
		"dataDir":              "HOIST_DATA_DIR",
		"http.addr":            "HOIST_HTTP_ADDR",
		"publicBaseURL":        "HOIST_PUBLIC_BASE_URL",
		"db.maxOpenConns":      "HOIST_DB_MAX_OPEN_CONNS",
		"mqtt.tcpAddr":         "HOIST_MQTT_TCP_ADDR",
		"mqtt.url":             "HOIST_MQTT_URL",
		"http.corsOrigins":     "HOIST_HTTP_CORS_ORIGINS",
		"x.urlPathV2":          "HOIST_X_URL_PATH_V2",
		"x.baseURLForClient":   "HOIST_X_BASE_URL_FOR_CLIENT",
		"db.connMaxLifetime":   "HOIST_DB_CONN_MAX_LIFETIME",
		"http.shutdownTimeout": "HOIST_HTTP_SHUTDOWN_TIMEOUT",
	}
	for key, want := range cases {
		if got := EnvName(key); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", key, got, want)
		}
	}
}

// The names operators, tests and scripts rely on (issue: Foundation) must
// reach the documented fields exactly as written.
func TestDocumentedEnvironmentNames(t *testing.T) {
	env := []string{
		"HOIST_HTTP_ADDR=127.0.0.1:0",
		"HOIST_PUBLIC_BASE_URL=https://hoist.example.com",
		"HOIST_DATA_DIR=/var/lib/hoist",
		"HOIST_DB_DRIVER=mysql",
		"HOIST_DB_DSN=u:p@tcp(db:3306)/hoist?parseTime=true",
		"HOIST_JWT_SECRET=0123456789abcdef0123456789abcdef",
		"HOIST_MQTT_MODE=off",
		"HOIST_MQTT_TCP_ADDR=:1884",
		"HOIST_MQTT_WS_ADDR=:8084",
		"HOIST_MQTT_URL=tcp://emqx:1883",
		"HOIST_LOG_FORMAT=json",
		"HOIST_HTTP_CORS_ORIGINS=https://a.example.com, https://b.example.com",
		"HOIST_DB_MAX_OPEN_CONNS=7",
		"HOIST_HTTP_SHUTDOWN_TIMEOUT=3s",
		"HOIST_TEST_MYSQL_DSN=ignored",
		"HOIST_CONFIG=ignored",
		"OTHER=ignored",
	}
	c, err := load("", func() []string { return env })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr", c.HTTP.Addr, "127.0.0.1:0"},
		{"publicBaseURL", c.PublicBaseURL, "https://hoist.example.com"},
		{"dataDir", c.DataDir, "/var/lib/hoist"},
		{"driver", c.DB.Driver, "mysql"},
		{"dsn", c.DB.DSN, "u:p@tcp(db:3306)/hoist?parseTime=true"},
		{"jwt", c.JWT.Secret, "0123456789abcdef0123456789abcdef"},
		{"mqtt mode", c.MQTT.Mode, "off"},
		{"mqtt tcp", c.MQTT.TCPAddr, ":1884"},
		{"mqtt ws", c.MQTT.WSAddr, ":8084"},
		{"mqtt url", c.MQTT.URL, "tcp://emqx:1883"},
		{"log", c.Log.Format, "json"},
		{"cors", c.HTTP.CORSOrigins, []string{"https://a.example.com", "https://b.example.com"}},
		{"pool", c.DB.MaxOpenConns, 7},
		{"shutdown", c.HTTP.ShutdownTimeout, 3 * time.Second},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadReportsUnknownKeysAndInvalidValuesTogether(t *testing.T) {
	p := mustWrite(t, "http:\n  addr: \":99999\"\n  bogus: 1\ndb:\n  driver: mysql\n")
	_, err := load(p, noEnv)
	msg := fmt.Sprint(err)
	for _, want := range []string{"http.bogus (HOIST_HTTP_BOGUS): unknown key", "http.addr (HOIST_HTTP_ADDR)", "db.dsn (HOIST_DB_DSN)", "jwt.secret (HOIST_JWT_SECRET)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
}

func TestEnvWinsOverFile(t *testing.T) {
	p := mustWrite(t, "http:\n  addr: \":4000\"\nlog:\n  level: debug\n")
	c, err := load(p, func() []string { return []string{"HOIST_HTTP_ADDR=:5000"} })
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTP.Addr != ":5000" || c.Log.Level != "debug" {
		t.Fatalf("addr %q level %q", c.HTTP.Addr, c.Log.Level)
	}
}

func TestSQLiteDSNDerivesFromDataDir(t *testing.T) {
	c, err := load("", func() []string { return []string{"HOIST_DATA_DIR=/srv/h"} })
	if err != nil {
		t.Fatal(err)
	}
	if c.DB.DSN != "/srv/h/hoist.db" || c.JWTSecretPath() != "/srv/h/jwt.secret" {
		t.Fatalf("dsn %q secret %q", c.DB.DSN, c.JWTSecretPath())
	}
}

func TestLoadReportsEveryUnknownKeyAndBadType(t *testing.T) {
	p := mustWrite(t, "http:\n  adr: \":1\"\n  maxBodyBytes: lots\nmystery: 1\n")
	_, err := load(p, func() []string { return []string{"HOIST_HTTP_ADR=:2"} })
	ps, ok := AsProblems(err)
	if !ok {
		t.Fatalf("want Problems, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"http.adr (HOIST_HTTP_ADR): unknown key", "mystery (HOIST_MYSTERY): unknown key", "HOIST_HTTP_ADR: unknown environment variable", "maxBodyBytes"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if len(ps) != 4 {
		t.Errorf("want 4 problems, got %d:\n%s", len(ps), msg)
	}
}

func TestValidateReportsEveryProblemWithItsKey(t *testing.T) {
	c := Default()
	c.HTTP.Addr = ":99999"
	c.DB.Driver = DriverMySQL
	c.MQTT.TCPAddr = "nohost"
	c.Log.Format = "xml"
	c.HTTP.CORSOrigins = []string{"https://ok.example.com", "not an origin"}
	c.Metrics.PprofAddr = "0.0.0.0:6060" // the profiler on the network
	err := c.Validate()
	ps, ok := AsProblems(err)
	if !ok {
		t.Fatalf("want Problems, got %v", err)
	}
	keys := map[string]bool{}
	for _, p := range ps {
		keys[p.Key] = true
	}
	for _, k := range []string{"http.addr", "db.dsn", "jwt.secret", "mqtt.tcpAddr", "log.format", "http.corsOrigins", "metrics.pprofAddr"} {
		if !keys[k] {
			t.Errorf("no problem reported for %s:\n%v", k, err)
		}
	}
	if len(ps) != 7 {
		t.Errorf("want exactly 7 problems, got %d:\n%v", len(ps), err)
	}
	for _, ok := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:0"} {
		c := Default()
		c.Metrics.PprofAddr = ok
		if err := c.Validate(); err != nil {
			t.Errorf("pprofAddr %s refused: %v", ok, err)
		}
	}
	if !strings.Contains(err.Error(), "http.addr (HOIST_HTTP_ADDR): port \"99999\"") {
		t.Errorf("message does not name the key and env name:\n%v", err)
	}
}

func TestJWTSecretRules(t *testing.T) {
	cases := []struct {
		name    string
		driver  string
		secret  string
		wantErr bool
	}{
		{"embedded generates", DriverSQLite, "", false},
		{"embedded explicit", DriverSQLite, strings.Repeat("k", 32), false},
		{"short", DriverSQLite, "short", true},
		{"production default refused", DriverMySQL, "", true},
		{"production explicit", DriverMySQL, strings.Repeat("k", 40), false},
	}
	for _, tc := range cases {
		c := Default()
		c.DB.Driver, c.DB.DSN, c.JWT.Secret = tc.driver, "u@tcp(h)/d", tc.secret
		err := c.Validate()
		if (err != nil) != tc.wantErr {
			t.Errorf("%s: err = %v, wantErr %v", tc.name, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "jwt.secret (HOIST_JWT_SECRET)") {
			t.Errorf("%s: message does not name the key: %v", tc.name, err)
		}
	}
}

func TestMQTTValidation(t *testing.T) {
	cert, key := mustCertFiles(t)
	cases := []struct {
		name    string
		mutate  func(*MQTT)
		wantKey string // "" = valid
	}{
		{"embedded default", func(*MQTT) {}, ""},
		{"external needs url", func(m *MQTT) { m.Mode = MQTTExternal }, "mqtt.url"},
		{"external bad scheme", func(m *MQTT) { m.Mode, m.URL = MQTTExternal, "http://emqx:1883" }, "mqtt.url"},
		{"external no host", func(m *MQTT) { m.Mode, m.URL = MQTTExternal, "tcp://" }, "mqtt.url"},
		{"external ok", func(m *MQTT) {
			m.Mode, m.URL, m.Username, m.Password, m.ClientID = MQTTExternal, "tcp://emqx:1883", "hoist", "pw", "hoist-1"
		}, ""},
		{"rabbitmq needs url", func(m *MQTT) { m.Mode, m.Username, m.Password = MQTTRabbitMQ, "hoist", "pw" }, "mqtt.url"},
		{"rabbitmq mqtt url", func(m *MQTT) { m.Mode, m.URL, m.Username, m.Password = MQTTRabbitMQ, "tcp://r:1883", "hoist", "pw" }, "mqtt.url"},
		{"rabbitmq credentials in url", func(m *MQTT) {
			m.Mode, m.URL, m.Username, m.Password = MQTTRabbitMQ, "amqp://hoist:pw@r:5672/", "hoist", "pw"
		}, "mqtt.url"},
		{"rabbitmq needs account", func(m *MQTT) { m.Mode, m.URL = MQTTRabbitMQ, "amqp://r:5672/" }, "mqtt.username"},
		{"rabbitmq ok", func(m *MQTT) {
			m.Mode, m.URL, m.Username, m.Password = MQTTRabbitMQ, "amqps://r:5671/iot", "hoist", "pw"
		}, ""},
		{"external tls ok", func(m *MQTT) { m.Mode, m.URL = MQTTExternal, "ssl://emqx:8883" }, ""},
		{"username with slash", func(m *MQTT) { m.Username = "p/d" }, "mqtt.username"},
		{"short hook secret", func(m *MQTT) { m.HookSecret = "short" }, "mqtt.hookSecret"},
		{"hook secret ok", func(m *MQTT) { m.HookSecret = strings.Repeat("s", 16) }, ""},
		{"tls cert only", func(m *MQTT) { m.TLS.CertFile = cert }, "mqtt.tls.keyFile"},
		{"tls key only", func(m *MQTT) { m.TLS.KeyFile = key }, "mqtt.tls.certFile"},
		{"tls missing files", func(m *MQTT) { m.TLS = MQTTTLS{CertFile: cert + ".nope", KeyFile: key} }, "mqtt.tls.certFile"},
		{"tls swapped files", func(m *MQTT) { m.TLS = MQTTTLS{CertFile: key, KeyFile: cert} }, "mqtt.tls.certFile"},
		{"tls ok", func(m *MQTT) { m.TLS = MQTTTLS{CertFile: cert, KeyFile: key} }, ""},
		{"public url ok", func(m *MQTT) { m.PublicURL = "mqtts://broker.example.com:8883" }, ""},
		{"public url websocket", func(m *MQTT) { m.PublicURL = "wss://broker.example.com/mqtt" }, ""},
		{"public url http", func(m *MQTT) { m.PublicURL = "http://broker.example.com" }, "mqtt.publicURL"},
		{"public url no host", func(m *MQTT) { m.PublicURL = "mqtt://:1883" }, "mqtt.publicURL"},
		{"public url credentials", func(m *MQTT) { m.PublicURL = "mqtt://dev:pw@broker.example.com:1883" }, "mqtt.publicURL"},
		{"public url bare host", func(m *MQTT) { m.PublicURL = "broker.example.com:1883" }, "mqtt.publicURL"},
	}
	for _, tc := range cases {
		c := Default()
		tc.mutate(&c.MQTT)
		err := c.Validate()
		switch {
		case tc.wantKey == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantKey != "" && (err == nil || !strings.Contains(err.Error(), tc.wantKey+" (")):
			t.Errorf("%s: want a problem for %s, got %v", tc.name, tc.wantKey, err)
		}
	}
}

func TestMQTTEnvironmentNames(t *testing.T) {
	env := []string{
		"HOIST_MQTT_MODE=external", "HOIST_MQTT_URL=tcp://emqx:1883",
		"HOIST_MQTT_USERNAME=hoist", "HOIST_MQTT_PASSWORD=pw", "HOIST_MQTT_CLIENT_ID=hoist-a",
		"HOIST_MQTT_SHARED_SUBSCRIPTION=false", "HOIST_MQTT_HOOK_SECRET=0123456789abcdef",
		"HOIST_MQTT_CONNECT_TIMEOUT=3s", "HOIST_MQTT_CONNECT_RATE_PER_IP=2.5", "HOIST_MQTT_CONNECT_BURST_PER_IP=7",
		"HOIST_MQTT_AUTH_FAILURES_PER_MINUTE=4",
	}
	c, err := load("", func() []string { return env })
	if err != nil {
		t.Fatal(err)
	}
	want := MQTT{Mode: MQTTExternal, TCPAddr: "127.0.0.1:1883", WSAddr: "127.0.0.1:8083", URL: "tcp://emqx:1883",
		Username: "hoist", Password: "pw", ClientID: "hoist-a", SharedSubscription: false, HookSecret: "0123456789abcdef",
		ConnectTimeout: 3 * time.Second, ConnectRatePerIP: 2.5, ConnectBurstPerIP: 7, AuthFailuresPerMinute: 4}
	if !reflect.DeepEqual(c.MQTT, want) {
		t.Fatalf("got %+v\nwant %+v", c.MQTT, want)
	}
	if !Default().MQTT.SharedSubscription {
		t.Fatal("shared subscriptions must default to on")
	}
	if EnvName("mqtt.tls.certFile") != "HOIST_MQTT_TLS_CERT_FILE" {
		t.Fatal(EnvName("mqtt.tls.certFile"))
	}
}

// mustCertFiles writes a self-signed certificate and its key as PEM files.
func mustCertFiles(tb testing.TB) (certFile, keyFile string) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		tb.Fatal(err)
	}
	return certFile, keyFile
}

// The README's configuration table must name every key's variable.
func TestReadmeListsEveryEnvironmentVariable(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range Keys() {
		if !strings.Contains(string(raw), "`"+EnvName(key)+"`") {
			t.Errorf("README.md does not document %s (%s)", EnvName(key), key)
		}
	}
}

func TestIsSetTellsGivenKeysFromDefaults(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	os.WriteFile(path, []byte("mqtt:\n  wsAddr: 127.0.0.1:8083\n"), 0o600)
	c, err := load(path, func() []string { return []string{"HOIST_HTTP_ADDR=:3000"} })
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsSet("http.addr") || !c.IsSet("mqtt.wsAddr") || c.IsSet("mqtt.tcpAddr") {
		t.Fatalf("set %v", c.set)
	}
}
