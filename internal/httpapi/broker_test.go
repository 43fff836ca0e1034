package httpapi

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/hoist-ota/hoist/internal/config"
)

// The broker address devices use is in basic config: mqtt.publicURL when
// set, else the embedded broker's TCP listener under the host the panel
// reached Hoist at, marked when only Hoist's own machine can use it.
func TestBasicConfigBrokerAddress(t *testing.T) {
	cases := []struct {
		name      string
		broker    Broker
		listener  string
		publicURL string // publicBaseURL
		host      string // the request's Host
		want      brokerView
	}{
		{"mqtt off", Broker{Mode: config.MQTTOff}, "", "", "hoist.example.com:3000",
			brokerView{Mode: "off"}},
		{"embedded on loopback (the default)", Broker{Mode: config.MQTTEmbedded}, "127.0.0.1:1883", "", "hoist.example.com:3000",
			brokerView{Mode: "embedded", URL: "mqtt://127.0.0.1:1883", Source: "listener", LocalOnly: true}},
		{"embedded on every interface: the panel's host", Broker{Mode: config.MQTTEmbedded}, "[::]:1883", "", "hoist.example.com:3000",
			brokerView{Mode: "embedded", URL: "mqtt://hoist.example.com:1883", Source: "listener"}},
		{"embedded with TLS under publicBaseURL", Broker{Mode: config.MQTTEmbedded, TLS: true}, "0.0.0.0:8883", "https://ota.example.com", "10.0.0.5:3000",
			brokerView{Mode: "embedded", URL: "mqtts://ota.example.com:8883", Source: "listener"}},
		{"embedded reached at localhost", Broker{Mode: config.MQTTEmbedded}, ":1883", "", "localhost:3000",
			brokerView{Mode: "embedded", URL: "mqtt://localhost:1883", Source: "listener", LocalOnly: true}},
		{"embedded with mqtt.publicURL", Broker{Mode: config.MQTTEmbedded, PublicURL: "mqtts://mqtt.example.com:8883"}, "127.0.0.1:1883", "", "x",
			brokerView{Mode: "embedded", URL: "mqtts://mqtt.example.com:8883", Source: "config"}},
		{"external: unknown until set", Broker{Mode: config.MQTTExternal}, "", "", "hoist.example.com",
			brokerView{Mode: "external"}},
		{"external with mqtt.publicURL", Broker{Mode: config.MQTTExternal, PublicURL: "wss://emqx.example.com/mqtt"}, "", "", "x",
			brokerView{Mode: "external", URL: "wss://emqx.example.com/mqtt", Source: "config"}},
		{"rabbitmq with a loopback mqtt.publicURL", Broker{Mode: config.MQTTRabbitMQ, PublicURL: "mqtt://127.0.0.1:1883"}, "", "", "x",
			brokerView{Mode: "rabbitmq", URL: "mqtt://127.0.0.1:1883", Source: "config", LocalOnly: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts := mustServer(t, func(s *testSetup) {
				s.Broker, s.PublicBaseURL = tc.broker, tc.publicURL
				s.Listeners = Listeners{HTTP: "127.0.0.1:3000", MQTT: tc.listener}
			})
			req := httptest.NewRequest("GET", "/api/basic/config", nil)
			req.Host = tc.host
			rec := httptest.NewRecorder()
			ts.Handler().ServeHTTP(rec, req)
			var env struct {
				Data struct {
					Broker brokerView `json:"broker"`
				} `json:"data"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if env.Data.Broker != tc.want {
				t.Fatalf("broker = %+v, want %+v", env.Data.Broker, tc.want)
			}
		})
	}
}
