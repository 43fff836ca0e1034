package main

import (
	"context"
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/ingest"
	"github.com/hoist-ota/hoist/internal/metrics"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/ota"
)

// mqttSide is serve's MQTT: the embedded broker (nil unless mqtt.mode is
// embedded), the bridge (nil when mqtt.mode is off) and the committer that
// makes device messages durable before the bridge acknowledges them.
type mqttSide struct {
	broker *mqtt.Broker
	bridge *mqtt.Bridge
	ingest *ingest.Committer
}

// newMQTT builds the broker on the bound listeners, the bridge, and the
// committer that makes device messages durable (spooling them in
// cfg.SpoolPath() while the database cannot take them). It needs only the
// device registry of sv: the OTA service is built after it, on sender()
// (see newOTA).
func newMQTT(cfg config.Config, ls listeners, sv *services, log *slog.Logger) (mqttSide, error) {
	log = log.With("component", "mqtt")
	var spool *ingest.Spool
	if dir := cfg.SpoolPath(); dir != "" {
		var err error
		if spool, err = ingest.OpenSpool(dir); err != nil {
			return mqttSide{}, config.Problems{{Key: "ingest.spoolDir", Message: err.Error()}}
		}
		if n := spool.Len(); n > 0 {
			log.Info("device messages spooled by an earlier run will be replayed", "batches", n, "dir", dir)
		}
	}
	committer := ingest.New(ingest.Options{Spool: spool, Log: log.With("component", "ingest")})
	opts := mqtt.BridgeOptions{Sink: deviceSink{committer}, Log: log}
	switch cfg.MQTT.Mode {
	case config.MQTTEmbedded:
		var tlsCfg *tls.Config
		if cfg.MQTT.TLS.Enabled() {
			var err error
			if tlsCfg, err = mqtt.ServerTLS(cfg.MQTT.TLS.CertFile, cfg.MQTT.TLS.KeyFile); err != nil {
				return mqttSide{}, config.Problems{{Key: "mqtt.tls.certFile", Message: err.Error()}}
			}
		}
		b, err := mqtt.NewBroker(ls.mqttTCP, ls.mqttWS, mqtt.BrokerOptions{Devices: sv.devices, TLS: tlsCfg, Log: log,
			Limits: mqtt.Limits{ConnectTimeout: cfg.MQTT.ConnectTimeout, ConnectRatePerIP: cfg.MQTT.ConnectRatePerIP,
				ConnectBurstPerIP: cfg.MQTT.ConnectBurstPerIP, AuthFailuresPerMinute: cfg.MQTT.AuthFailuresPerMinute},
			// The proxy in front of HTTP also terminates wss for /mqtt.
			TrustedProxies: cfg.HTTP.TrustedProxies})
		if err != nil {
			return mqttSide{}, err
		}
		br, err := mqtt.NewEmbeddedBridge(b, opts)
		if err != nil {
			b.Close()
			return mqttSide{}, err
		}
		sv.devices.OnRevoke(func(product, device string) { b.Disconnect(product, device) })
		return mqttSide{broker: b, bridge: br, ingest: committer}, nil
	case config.MQTTExternal:
		br := mqtt.NewExternalBridge(mqtt.ExternalConfig(cfg.MQTT), opts)
		return mqttSide{bridge: br, ingest: committer}, nil
	case config.MQTTRabbitMQ:
		br := mqtt.NewRabbitMQBridge(mqtt.RabbitMQConfig(cfg.MQTT), opts)
		return mqttSide{bridge: br, ingest: committer}, nil
	}
	return mqttSide{}, nil
}

// sender is what the OTA service sends its commands through: the bridge,
// or ota.Off (503 "MQTT is off") with mqtt.mode off.
func (ms mqttSide) sender() ota.Sender {
	if ms.bridge == nil {
		return ota.Off{}
	}
	return ms.bridge
}

// deviceSink hands the bridge's device messages, decoded for ota by the
// MQTT layer, to the committer.
type deviceSink struct{ c *ingest.Committer }

// Submit implements mqtt.Sink.
func (s deviceSink) Submit(ctx context.Context, m mqtt.DeviceMessage) error {
	return s.c.Submit(ctx, m.OTA())
}

// registerMetrics exposes the MQTT side's and OTA's own counters.
func (ms mqttSide) registerMetrics(m *metrics.Metrics, o *ota.Service) {
	m.CounterVec("hoist_ota_reports_total", "OTA progress reports received, by reported state.", "state", o.ReportsByState)
	if ms.broker != nil {
		b := ms.broker
		m.Gauge("hoist_mqtt_connections", "Authenticated device connections to the embedded broker.",
			func() float64 { return float64(b.Connections()) })
		m.CounterVec("hoist_mqtt_acl_denied_total", "Denied device CONNECTs, Wills, publishes and subscriptions.", "check",
			func() map[string]float64 {
				d := b.Denials()
				return map[string]float64{"connect": float64(d.Connect), "will": float64(d.Will),
					"publish": float64(d.Publish), "subscribe": float64(d.Subscribe)}
			})
	}
	if ms.bridge != nil {
		br := ms.bridge
		m.CounterVec("hoist_mqtt_messages_total", "Device messages received and handled, and messages sent to devices.", "kind",
			func() map[string]float64 {
				s := br.Stats()
				return map[string]float64{"received": float64(s.Received), "handled": float64(s.Handled),
					"malformed": float64(s.Malformed), "sink_error": float64(s.SinkErrors),
					"dropped": float64(s.Dropped), "published": float64(s.Published), "publish_error": float64(s.PublishErrors)}
			})
		m.Counter("hoist_mqtt_session_takeovers_total", "Sessions of dead nodes taken over and drained (external broker).",
			func() float64 { return float64(br.Stats().Adoptions) })
	}
	if ms.ingest != nil {
		c := ms.ingest
		m.CounterVec("hoist_ingest_messages_total", "Device messages by what became of them: applied, duplicate, rejected "+
			"(for good), spooled (database down), replayed (from the spool), failed (not durable, left unacknowledged).", "outcome",
			func() map[string]float64 {
				s := c.Stats()
				return map[string]float64{"applied": float64(s.Applied), "duplicate": float64(s.Duplicates),
					"rejected": float64(s.Rejected), "spooled": float64(s.Spooled), "replayed": float64(s.Replayed),
					"failed": float64(s.Failed)}
			})
		m.Counter("hoist_ingest_batches_total", "Device-message transactions committed (group commit).",
			func() float64 { return float64(c.Stats().Batches) })
		m.Gauge("hoist_ingest_spool_batches", "Spooled batches waiting for the database.",
			func() float64 { return float64(c.Backlog()) })
		m.Counter("hoist_ingest_spool_dead_total", "Spooled batches the database kept refusing, moved to the spool's dead/ folder.",
			func() float64 { return float64(c.Stats().Buried) })
	}
}

// resendPending sends a device the OTA commands it missed while offline.
func resendPending(o *ota.Service, log *slog.Logger, product, device string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if n, err := o.ResendPending(ctx, product, device); err != nil {
		log.Warn("pending OTA commands not resent", "device", product+"/"+device, "error", err)
	} else if n > 0 {
		log.Info("pending OTA commands resent", "device", product+"/"+device, "commands", n)
	}
}
