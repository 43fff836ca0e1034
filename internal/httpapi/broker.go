package httpapi

import (
	"net"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hoist-ota/hoist/internal/config"
)

// Broker is what Hoist knows of the MQTT broker devices connect to, for
// the panel.
type Broker struct {
	// Mode is mqtt.mode: config.MQTTEmbedded, MQTTExternal, MQTTRabbitMQ
	// or MQTTOff ("" counts as off).
	Mode string
	// PublicURL is mqtt.publicURL, the address devices use; "" derives it
	// from the embedded broker's TCP listener (Options.Listeners).
	PublicURL string
	// TLS is true when the embedded broker's listeners speak TLS.
	TLS bool
}

// brokerView says where devices connect (PROTOCOLS §3: username
// {product}/{device}, the device secret as password).
type brokerView struct {
	// Mode is embedded, external, rabbitmq or off.
	Mode string `json:"mode" example:"embedded" enums:"embedded,external,rabbitmq,off"`
	// URL is the broker address devices connect to (mqtt://, mqtts://,
	// ws://, wss://): mqtt.publicURL, else derived from the embedded
	// broker's TCP listener. Empty when unknown: an external broker or
	// RabbitMQ without mqtt.publicURL, or MQTT off.
	URL string `json:"url" example:"mqtt://hoist.example.com:1883"`
	// Source is "config" (mqtt.publicURL), "listener" (derived) or ""
	// (unknown).
	Source string `json:"source" example:"listener" enums:"config,listener,"`
	// LocalOnly is true when URL is a loopback address: only programs on
	// Hoist's own machine can use it (the embedded broker listens on
	// 127.0.0.1 by default).
	LocalOnly bool `json:"localOnly" example:"false"`
}

// brokerView tells the panel where devices connect. A listener bound to
// every interface (":1883", "0.0.0.0:1883") is shown under the host this
// request reached Hoist at (publicBaseURL when set).
func (s *Server) brokerView(c *gin.Context) brokerView {
	v := brokerView{Mode: s.broker.Mode}
	if v.Mode == "" {
		v.Mode = config.MQTTOff
	}
	switch {
	case v.Mode == config.MQTTOff:
		return v
	case s.broker.PublicURL != "":
		v.URL, v.Source = s.broker.PublicURL, "config"
	case v.Mode == config.MQTTEmbedded && s.listeners.MQTT != "":
		host, port, err := net.SplitHostPort(s.listeners.MQTT)
		if err != nil {
			return v
		}
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			host = requestHost(s.baseURL(c))
		}
		scheme := "mqtt"
		if s.broker.TLS {
			scheme = "mqtts"
		}
		v.URL, v.Source = scheme+"://"+net.JoinHostPort(host, port), "listener"
	default:
		return v
	}
	if u, err := url.Parse(v.URL); err == nil {
		v.LocalOnly = isLoopback(u.Hostname())
	}
	return v
}

// requestHost is the host name of a base URL ("localhost" when it has none).
func requestHost(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
