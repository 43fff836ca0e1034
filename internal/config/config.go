// Package config defines Hoist's configuration: its defaults (the embedded
// mode that `make run` uses), loading from a YAML file plus HOIST_*
// environment overrides, and validation that reports every problem at once.
package config

import (
	"path/filepath"
	"time"
)

// Config is the whole configuration. Each part is handed only to the
// component that needs it.
type Config struct {
	// DataDir is the base directory of the embedded SQLite file, local files
	// and generated secrets.
	DataDir string `koanf:"dataDir"`
	// PublicBaseURL is the absolute URL apps and devices reach Hoist at; empty
	// means derive it from each request.
	PublicBaseURL string `koanf:"publicBaseURL"`
	// StartupTimeout is how long serve keeps retrying a database or Redis
	// that does not answer at start (with backoff) before giving up; 0
	// means try once.
	StartupTimeout time.Duration `koanf:"startupTimeout"`
	HTTP           HTTP          `koanf:"http"`
	DB             DB            `koanf:"db"`
	JWT            JWT           `koanf:"jwt"`
	Auth           Auth          `koanf:"auth"`
	Redis          Redis         `koanf:"redis"`
	Storage        Storage       `koanf:"storage"`
	Metrics        Metrics       `koanf:"metrics"`
	MQTT           MQTT          `koanf:"mqtt"`
	Ingest         Ingest        `koanf:"ingest"`
	Webhooks       Webhooks      `koanf:"webhooks"`
	Log            Log           `koanf:"log"`

	// set holds the keys the file or the environment gave a value (Load).
	set map[string]bool
}

// Ingest configures how device messages are made durable before they are
// acknowledged.
type Ingest struct {
	// SpoolDir holds message batches the database could not take (they are
	// acknowledged once on disk, and replayed into the database in order);
	// empty means {dataDir}/spool, "off" means no spool (messages then stay
	// unacknowledged while the database is down).
	SpoolDir string `koanf:"spoolDir"`
	// DedupeRetention is how long a device message id is remembered
	// (PROTOCOLS §3: at least 10 minutes).
	DedupeRetention time.Duration `koanf:"dedupeRetention"`
}

// Webhooks configures how the projects' webhooks are delivered.
type Webhooks struct {
	// PollInterval is how often each node looks for due deliveries (those
	// queued on the node itself are sent at once).
	PollInterval time.Duration `koanf:"pollInterval"`
	// Retention is how long finished deliveries stay listed.
	Retention time.Duration `koanf:"retention"`
}

// SpoolPath returns the spool directory, "" when the spool is off.
func (c Config) SpoolPath() string {
	switch c.Ingest.SpoolDir {
	case "off":
		return ""
	case "":
		return filepath.Join(c.DataDir, "spool")
	}
	return c.Ingest.SpoolDir
}

// IsSet reports whether key (e.g. "mqtt.tcpAddr") was given by the
// configuration file or the environment rather than left at its default.
func (c Config) IsSet(key string) bool { return c.set[key] }

// HTTP configures the HTTP listener and its request handling.
type HTTP struct {
	Addr            string        `koanf:"addr"`
	MaxBodyBytes    int64         `koanf:"maxBodyBytes"`
	CORSOrigins     []string      `koanf:"corsOrigins"`
	ShutdownTimeout time.Duration `koanf:"shutdownTimeout"`
	Docs            bool          `koanf:"docs"`
	// TrustedProxies are the IPs or CIDRs whose X-Forwarded-For is believed
	// when finding the client address. Empty: the peer address is the client.
	TrustedProxies []string `koanf:"trustedProxies"`
	// ReadHeaderTimeout bounds how long a client may take to send the
	// request line and headers.
	ReadHeaderTimeout time.Duration `koanf:"readHeaderTimeout"`
	// ReadTimeout bounds each read of a request body, not the whole body:
	// a slow upload that keeps sending lasts as long as it needs, a client
	// that stops sending is cut off. 0 means no limit.
	ReadTimeout time.Duration `koanf:"readTimeout"`
	// IdleTimeout is how long a keep-alive connection may wait for its next
	// request.
	IdleTimeout time.Duration `koanf:"idleTimeout"`
	// PublicLogSample logs one in N answered public hot-path requests
	// (update checks, download links, CodePush checks and reports); those
	// answered with an error are always logged. 0 logs none of them, 1
	// all. The /metrics counters carry every request either way.
	PublicLogSample int `koanf:"publicLogSample"`
}

// DB configures the database connection and pool.
type DB struct {
	// Driver is "sqlite" (embedded) or "mysql" (production).
	Driver string `koanf:"driver"`
	// DSN is a go-sql-driver/mysql DSN, or for sqlite a file path (empty:
	// {dataDir}/hoist.db).
	DSN             string        `koanf:"dsn"`
	MaxOpenConns    int           `koanf:"maxOpenConns"`
	MaxIdleConns    int           `koanf:"maxIdleConns"`
	ConnMaxLifetime time.Duration `koanf:"connMaxLifetime"`
}

// JWT configures access-token signing.
type JWT struct {
	// Secret is the HS256 key. Empty in embedded mode means: generate one
	// and keep it in {dataDir}/jwt.secret.
	Secret     string        `koanf:"secret"`
	AccessTTL  time.Duration `koanf:"accessTTL"`
	RefreshTTL time.Duration `koanf:"refreshTTL"`
}

// Auth configures registration, captchas and login rate limits.
type Auth struct {
	// Captcha is "on" or "off".
	Captcha string `koanf:"captcha"`
	// Registration is "open" or "closed"; empty means open in embedded
	// mode and closed in production.
	Registration      string `koanf:"registration"`
	LoginPerMinute    int    `koanf:"loginPerMinute"`
	RegisterPerMinute int    `koanf:"registerPerMinute"`
}

// CaptchaOn reports whether captchas are required.
func (a Auth) CaptchaOn() bool { return a.Captcha == "on" }

// RegistrationOpen reports whether anyone may register.
func (a Auth) RegistrationOpen() bool { return a.Registration == "open" }

// Metrics configures the Prometheus endpoint /metrics.
type Metrics struct {
	Enabled bool `koanf:"enabled"`
	// Token, when set, must be sent as a bearer token to read /metrics.
	Token string `koanf:"token"`
	// PprofAddr, when set, serves Go's profiler (/debug/pprof/) on this
	// loopback address, for measuring memory and CPU; empty: off.
	PprofAddr string `koanf:"pprofAddr"`
}

// Storage configures where uploaded files live.
type Storage struct {
	// Driver is "local" (files under Local.Dir, served by Hoist) or "oss".
	Driver         string        `koanf:"driver"`
	MaxUploadBytes int64         `koanf:"maxUploadBytes"`
	URLTTL         time.Duration `koanf:"urlTTL"`
	Local          LocalStorage  `koanf:"local"`
	OSS            OSS           `koanf:"oss"`
	STS            STS           `koanf:"sts"`
}

// LocalStorage configures files on local disk.
type LocalStorage struct {
	// Dir empty means {dataDir}/files.
	Dir        string `koanf:"dir"`
	SignedURLs bool   `koanf:"signedUrls"`
}

// OSS configures Aliyun OSS.
type OSS struct {
	Endpoint        string `koanf:"endpoint"`
	Region          string `koanf:"region"`
	Bucket          string `koanf:"bucket"`
	AccessKeyID     string `koanf:"accessKeyId"`
	AccessKeySecret string `koanf:"accessKeySecret"`
	PublicBaseURL   string `koanf:"publicBaseURL"`
	Signed          bool   `koanf:"signed"`
}

// STS configures temporary credentials for direct browser uploads to OSS
// (with the OSS access key, which must be allowed to assume the role).
type STS struct {
	Endpoint        string `koanf:"endpoint"`
	RoleArn         string `koanf:"roleArn"`
	DurationSeconds int    `koanf:"durationSeconds"`
}

// Redis configures the shared Redis; an empty Addr means none (single node).
type Redis struct {
	Addr     string `koanf:"addr"`
	Password string `koanf:"password"`
	DB       int    `koanf:"db"`
	Prefix   string `koanf:"prefix"`
}

// MQTT configures the MQTT side: an embedded broker, an external one
// (EMQX, Mosquitto), RabbitMQ (devices on its MQTT plugin, Hoist over AMQP
// with URL the AMQP URL), or none.
type MQTT struct {
	Mode    string `koanf:"mode"`
	TCPAddr string `koanf:"tcpAddr"`
	WSAddr  string `koanf:"wsAddr"`
	URL     string `koanf:"url"`
	// PublicURL is the broker address devices connect to, shown in the
	// panel (mqtt://broker.example.com:1883, mqtts://...:8883,
	// wss://.../mqtt). Empty: derived from the embedded broker's TCP
	// listener; unknown with an external broker or RabbitMQ, whose
	// device-facing address Hoist cannot tell.
	PublicURL string `koanf:"publicURL"`
	// Username and Password are Hoist's own account on the external broker;
	// the broker hooks treat it as the one superuser.
	Username string `koanf:"username"`
	Password string `koanf:"password"`
	// ClientID is this node's stable client id on the external broker;
	// empty means "hoist-" + the host name.
	ClientID string `koanf:"clientId"`
	// SharedSubscription makes the nodes share device messages
	// ($share/hoist/...) instead of each receiving all of them.
	SharedSubscription bool `koanf:"sharedSubscription"`
	// HookSecret protects the external broker's HTTP auth hooks; empty
	// disables them.
	HookSecret string  `koanf:"hookSecret"`
	TLS        MQTTTLS `koanf:"tls"`
	// ConnectTimeout is how long a new embedded-broker connection may take
	// to send its CONNECT; 0 means no limit.
	ConnectTimeout time.Duration `koanf:"connectTimeout"`
	// ConnectRatePerIP and ConnectBurstPerIP bound new embedded-broker
	// connections per client address (per second, and at once); a rate of
	// 0 means no limit.
	ConnectRatePerIP  float64 `koanf:"connectRatePerIP"`
	ConnectBurstPerIP int     `koanf:"connectBurstPerIP"`
	// AuthFailuresPerMinute is how many refused CONNECTs an address or a
	// username may have per minute before the embedded broker refuses it
	// without checking; 0 means no limit.
	AuthFailuresPerMinute int `koanf:"authFailuresPerMinute"`
}

// MQTTTLS is the certificate of the embedded broker's listeners (MQTT over
// TLS and wss); both files or neither.
type MQTTTLS struct {
	CertFile string `koanf:"certFile"`
	KeyFile  string `koanf:"keyFile"`
}

// Enabled reports whether the embedded listeners serve TLS.
func (t MQTTTLS) Enabled() bool { return t.CertFile != "" && t.KeyFile != "" }

// Log configures the process logger.
type Log struct {
	Format string `koanf:"format"`
	Level  string `koanf:"level"`
}

// Driver and mode names.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"

	MQTTEmbedded = "embedded"
	MQTTExternal = "external"
	MQTTRabbitMQ = "rabbitmq"
	MQTTOff      = "off"
)

// Default returns the embedded-mode configuration: HTTP on :3000, SQLite and
// local files under ./data, an embedded MQTT broker on 127.0.0.1:1883.
func Default() Config {
	return Config{
		DataDir:        "./data",
		StartupTimeout: time.Minute,
		Ingest:         Ingest{DedupeRetention: time.Hour},
		Webhooks:       Webhooks{PollInterval: 2 * time.Second, Retention: 30 * 24 * time.Hour},
		HTTP: HTTP{
			Addr:            ":3000",
			MaxBodyBytes:    1 << 20,
			CORSOrigins:     []string{},
			ShutdownTimeout: 10 * time.Second,
			Docs:            true,
			TrustedProxies:  []string{},

			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			PublicLogSample:   100,
		},
		JWT:     JWT{AccessTTL: 15 * time.Minute, RefreshTTL: 30 * 24 * time.Hour},
		Auth:    Auth{Captcha: "on", LoginPerMinute: 10, RegisterPerMinute: 10},
		Redis:   Redis{Prefix: "hoist:"},
		Metrics: Metrics{Enabled: true},
		Storage: Storage{
			Driver: "local", MaxUploadBytes: 512 << 20, URLTTL: time.Hour,
			OSS: OSS{Signed: true}, STS: STS{DurationSeconds: 900},
		},
		DB: DB{
			Driver:          DriverSQLite,
			MaxOpenConns:    20,
			MaxIdleConns:    10,
			ConnMaxLifetime: 30 * time.Minute,
		},
		MQTT: MQTT{
			Mode:               MQTTEmbedded,
			TCPAddr:            "127.0.0.1:1883",
			WSAddr:             "127.0.0.1:8083",
			SharedSubscription: true,

			ConnectTimeout:        10 * time.Second,
			ConnectRatePerIP:      10,
			ConnectBurstPerIP:     100,
			AuthFailuresPerMinute: 20,
		},
		Log: Log{Format: "text", Level: "info"},
	}
}

// Embedded reports whether this configuration runs on the single-node
// embedded database. Everything else is production, where several nodes must
// share explicit settings (a generated JWT secret would differ per node).
func (c Config) Embedded() bool { return c.DB.Driver == DriverSQLite }
