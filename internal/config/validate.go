package config

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Validate checks every key and returns Problems naming each bad one, or nil.
func (c Config) Validate() error {
	var ps Problems
	add := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Message: fmt.Sprintf(format, args...)})
	}

	if strings.TrimSpace(c.DataDir) == "" {
		add("dataDir", "must not be empty")
	}

	if msg := checkAddr(c.HTTP.Addr); msg != "" {
		add("http.addr", "%s", msg)
	}
	if c.PublicBaseURL != "" {
		if u, err := url.Parse(c.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			add("publicBaseURL", "must be an absolute http(s) URL such as https://hoist.example.com")
		}
	}
	if c.Metrics.PprofAddr != "" {
		host, _, err := net.SplitHostPort(c.Metrics.PprofAddr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			add("metrics.pprofAddr", "must be a loopback address such as 127.0.0.1:6060 (the profiler is never served to the network)")
		}
	}
	if c.HTTP.MaxBodyBytes < 1024 {
		add("http.maxBodyBytes", "must be at least 1024")
	}
	for _, o := range c.HTTP.CORSOrigins {
		if o == "*" {
			continue
		}
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			add("http.corsOrigins", "%q is not an origin (scheme://host[:port]) or *", o)
		}
	}
	if c.HTTP.ShutdownTimeout <= 0 {
		add("http.shutdownTimeout", "must be a positive duration such as 10s")
	}
	if c.HTTP.ReadHeaderTimeout <= 0 {
		add("http.readHeaderTimeout", "must be a positive duration such as 10s")
	}
	if c.HTTP.ReadTimeout < 0 {
		add("http.readTimeout", "must be a duration such as 30s, or 0 for none")
	}
	if c.HTTP.IdleTimeout <= 0 {
		add("http.idleTimeout", "must be a positive duration such as 2m")
	}

	switch c.DB.Driver {
	case DriverSQLite:
	case DriverMySQL:
		if c.DB.DSN == "" {
			add("db.dsn", "is required when db.driver is mysql (user:pass@tcp(host:3306)/hoist?parseTime=true)")
		}
	default:
		add("db.driver", "must be sqlite or mysql, not %q", c.DB.Driver)
	}
	if c.DB.MaxOpenConns < 1 {
		add("db.maxOpenConns", "must be at least 1")
	}
	if c.DB.MaxIdleConns < 0 { // database/sql caps it at maxOpenConns itself
		add("db.maxIdleConns", "must not be negative")
	}
	if c.DB.ConnMaxLifetime < 0 {
		add("db.connMaxLifetime", "must not be negative")
	}

	switch {
	case c.JWT.Secret == "" && !c.Embedded():
		add("jwt.secret", "is required with db.driver mysql (every node must share it); set a random string of 32 or more characters")
	case c.JWT.Secret != "" && len(c.JWT.Secret) < 32:
		add("jwt.secret", "must be at least 32 characters")
	}

	if c.JWT.AccessTTL < time.Minute || c.JWT.AccessTTL > 24*time.Hour {
		add("jwt.accessTTL", "must be between 1m and 24h")
	}
	if c.JWT.RefreshTTL < c.JWT.AccessTTL {
		add("jwt.refreshTTL", "must not be shorter than jwt.accessTTL")
	}
	for _, p := range c.HTTP.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			add("http.trustedProxies", "%q is not an IP address or CIDR", p)
		}
	}

	if c.Auth.Captcha != "on" && c.Auth.Captcha != "off" {
		add("auth.captcha", "must be on or off, not %q", c.Auth.Captcha)
	}
	switch c.Auth.Registration {
	case "", "open", "closed":
	default:
		add("auth.registration", "must be open or closed, not %q", c.Auth.Registration)
	}
	if c.Auth.LoginPerMinute < 0 {
		add("auth.loginPerMinute", "must not be negative (0 disables the limit)")
	}
	if c.Auth.RegisterPerMinute < 0 {
		add("auth.registerPerMinute", "must not be negative (0 disables the limit)")
	}

	if c.StartupTimeout < 0 {
		add("startupTimeout", "must not be negative")
	}
	if c.Ingest.DedupeRetention < 10*time.Minute {
		add("ingest.dedupeRetention", "must be at least 10m (PROTOCOLS §3)")
	}
	if c.Webhooks.PollInterval < 100*time.Millisecond {
		add("webhooks.pollInterval", "must be at least 100ms")
	}
	if c.Webhooks.Retention < time.Hour {
		add("webhooks.retention", "must be at least 1h")
	}
	if c.Redis.Addr != "" {
		if msg := checkAddr(c.Redis.Addr); msg != "" {
			add("redis.addr", "%s", msg)
		}
	}
	if c.Redis.DB < 0 || c.Redis.DB > 15 {
		add("redis.db", "must be from 0 to 15")
	}

	c.validateStorage(add)

	switch c.MQTT.Mode {
	case MQTTEmbedded:
		if msg := checkAddr(c.MQTT.TCPAddr); msg != "" {
			add("mqtt.tcpAddr", "%s", msg)
		}
		if c.MQTT.WSAddr != "" {
			if msg := checkAddr(c.MQTT.WSAddr); msg != "" {
				add("mqtt.wsAddr", "%s", msg)
			}
		}
	case MQTTExternal:
		if c.MQTT.URL == "" {
			add("mqtt.url", "is required when mqtt.mode is external (tcp://host:1883)")
		} else if u, err := url.Parse(c.MQTT.URL); err != nil || !mqttSchemes[u.Scheme] || u.Host == "" {
			add("mqtt.url", "must be a broker URL such as tcp://emqx:1883 (schemes tcp, mqtt, ssl, tls, mqtts, ws, wss)")
		}
	case MQTTRabbitMQ:
		c.validateRabbitMQ(add)
	case MQTTOff:
	default:
		add("mqtt.mode", "must be embedded, external, rabbitmq or off, not %q", c.MQTT.Mode)
	}
	c.validateMQTTSecrets(add)
	if c.MQTT.PublicURL != "" {
		if u, err := url.Parse(c.MQTT.PublicURL); err != nil || !mqttSchemes[u.Scheme] || u.Hostname() == "" || u.User != nil {
			add("mqtt.publicURL", "must be the broker URL devices use, such as mqtt://broker.example.com:1883 or mqtts://broker.example.com:8883 (schemes mqtt, mqtts, tcp, ssl, tls, ws, wss; no credentials)")
		}
	}

	if c.Log.Format != "text" && c.Log.Format != "json" {
		add("log.format", "must be text or json, not %q", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level", "must be debug, info, warn or error, not %q", c.Log.Level)
	}

	if len(ps) > 0 {
		return ps
	}
	return nil
}

// checkAddr returns "" for a listen address host:port with port 0-65535.
func checkAddr(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("%q is not host:port (e.g. :3000 or 127.0.0.1:3000)", addr)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Sprintf("port %q must be a number from 0 to 65535", port)
	}
	return ""
}

func (c Config) validateStorage(add func(key, format string, args ...any)) {
	st := c.Storage
	if st.MaxUploadBytes < 1024 {
		add("storage.maxUploadBytes", "must be at least 1024")
	}
	if st.URLTTL < time.Minute {
		add("storage.urlTTL", "must be at least 1m")
	}
	switch st.Driver {
	case "local":
	case "oss":
		for key, v := range map[string]string{"storage.oss.endpoint": st.OSS.Endpoint, "storage.oss.bucket": st.OSS.Bucket,
			"storage.oss.accessKeyId": st.OSS.AccessKeyID, "storage.oss.accessKeySecret": st.OSS.AccessKeySecret} {
			if v == "" {
				add(key, "is required when storage.driver is oss")
			}
		}
		if st.OSS.PublicBaseURL != "" {
			if u, err := url.Parse(st.OSS.PublicBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				add("storage.oss.publicBaseURL", "must be an absolute http(s) URL (a CDN in front of the bucket)")
			}
		}
	default:
		add("storage.driver", "must be local or oss, not %q", st.Driver)
	}
	if st.STS.RoleArn != "" {
		if st.Driver != "oss" {
			add("storage.sts.roleArn", "needs storage.driver oss")
		}
		if st.STS.Endpoint == "" {
			add("storage.sts.endpoint", "is required with storage.sts.roleArn (e.g. sts.cn-hangzhou.aliyuncs.com)")
		}
		if st.OSS.Region == "" {
			add("storage.oss.region", "is required with storage.sts.roleArn (e.g. oss-cn-hangzhou)")
		}
	}
	if st.STS.DurationSeconds < 900 || st.STS.DurationSeconds > 43200 {
		add("storage.sts.durationSeconds", "must be from 900 to 43200")
	}
}

// mqttSchemes are the broker URL schemes the MQTT client speaks.
var mqttSchemes = map[string]bool{"tcp": true, "mqtt": true, "ssl": true, "tls": true, "mqtts": true, "ws": true, "wss": true}

// validateRabbitMQ checks mqtt.mode rabbitmq: mqtt.url is the AMQP URL,
// without credentials (they are mqtt.username and mqtt.password, which the
// RabbitMQ auth hooks also know as the superuser's).
func (c Config) validateRabbitMQ(add func(key, format string, args ...any)) {
	m := c.MQTT
	u, err := url.Parse(m.URL)
	switch {
	case m.URL == "":
		add("mqtt.url", "is required when mqtt.mode is rabbitmq (amqp://rabbitmq:5672/)")
	case err != nil || (u.Scheme != "amqp" && u.Scheme != "amqps") || u.Host == "":
		add("mqtt.url", "must be an AMQP URL such as amqp://rabbitmq:5672/ or amqps://rabbitmq:5671/vhost when mqtt.mode is rabbitmq")
	case u.User != nil:
		add("mqtt.url", "must not contain credentials: set mqtt.username and mqtt.password")
	}
	if m.Username == "" || m.Password == "" {
		add("mqtt.username", "and mqtt.password are required when mqtt.mode is rabbitmq (Hoist's AMQP account)")
	}
}

// minHookSecret is the shortest accepted broker hook secret.
const minHookSecret = 16

func (c Config) validateMQTTSecrets(add func(key, format string, args ...any)) {
	m := c.MQTT
	if strings.Contains(m.Username, "/") {
		add("mqtt.username", "must not contain / (device usernames are {product}/{device})")
	}
	if m.ConnectTimeout < 0 {
		add("mqtt.connectTimeout", "must be a duration such as 10s, or 0 for none")
	}
	if m.ConnectRatePerIP < 0 {
		add("mqtt.connectRatePerIP", "must be 0 (no limit) or more")
	}
	if m.ConnectRatePerIP > 0 && m.ConnectBurstPerIP < 1 {
		add("mqtt.connectBurstPerIP", "must be at least 1 when mqtt.connectRatePerIP is set")
	}
	if m.AuthFailuresPerMinute < 0 {
		add("mqtt.authFailuresPerMinute", "must be 0 (no limit) or more")
	}
	if m.HookSecret != "" && len(m.HookSecret) < minHookSecret {
		add("mqtt.hookSecret", "must be at least %d characters (or empty to disable the broker hooks)", minHookSecret)
	}
	switch t := m.TLS; {
	case t.CertFile == "" && t.KeyFile == "":
	case t.CertFile == "":
		add("mqtt.tls.certFile", "is required with mqtt.tls.keyFile")
	case t.KeyFile == "":
		add("mqtt.tls.keyFile", "is required with mqtt.tls.certFile")
	default:
		if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
			add("mqtt.tls.certFile", "cannot load the certificate and key: %v", err)
		}
	}
}
