package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hoist-ota/hoist/internal/config"
	"github.com/hoist-ota/hoist/internal/device"
	"github.com/hoist-ota/hoist/internal/metrics"
	"github.com/hoist-ota/hoist/internal/mqtt"
	"github.com/hoist-ota/hoist/internal/ota"
)

// mqttSide is serve's MQTT: the embedded broker (nil unless mqtt.mode is
// embedded) and the bridge (nil when mqtt.mode is off).
type mqttSide struct {
	broker *mqtt.Broker
	bridge *mqtt.Bridge
}

// newMQTT builds the broker on the bound listeners and the bridge that
// feeds device messages to the services.
func newMQTT(cfg config.Config, ls listeners, sv *services, log *slog.Logger) (mqttSide, error) {
	log = log.With("component", "mqtt")
	opts := mqtt.BridgeOptions{Sink: deviceSink{devices: sv.devices, ota: sv.ota}, KV: sv.kv, Log: log}
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
			OnCommandSubscription: func(product, device string) { resendPending(sv, log, product, device) }})
		if err != nil {
			return mqttSide{}, err
		}
		br, err := mqtt.NewEmbeddedBridge(b, opts)
		if err != nil {
			b.Close()
			return mqttSide{}, err
		}
		sv.publisher.set(br)
		sv.devices.OnRevoke(func(product, device string) { b.Disconnect(product, device) })
		return mqttSide{broker: b, bridge: br}, nil
	case config.MQTTExternal:
		br := mqtt.NewExternalBridge(mqtt.ExternalConfig(cfg.MQTT), opts)
		sv.publisher.set(br)
		return mqttSide{bridge: br}, nil
	}
	return mqttSide{}, nil
}

// bridgePublisher is the OTA service's Publisher: the bridge once newMQTT
// has built it (services are built first), ota.Off before that and with
// mqtt.mode off.
type bridgePublisher struct {
	bridge atomic.Pointer[mqtt.Bridge]
}

func (p *bridgePublisher) set(b *mqtt.Bridge) { p.bridge.Store(b) }

// Publish implements ota.Publisher.
func (p *bridgePublisher) Publish(ctx context.Context, topic string, payload []byte) error {
	if b := p.bridge.Load(); b != nil {
		return b.Publish(ctx, topic, payload)
	}
	return ota.Off{}.Publish(ctx, topic, payload)
}

// deviceSink hands the bridge's device messages to the services: status
// reports to the device registry, OTA progress and command replies to the
// OTA service.
type deviceSink struct {
	devices *device.Service
	ota     *ota.Service
}

func (s deviceSink) DeviceStatus(ctx context.Context, product, dev string, payload []byte, at time.Time) error {
	return s.devices.RecordStatus(ctx, product, dev, json.RawMessage(payload), at)
}

func (s deviceSink) OTAProgress(ctx context.Context, product, dev, messageID string, payload []byte, at time.Time) error {
	return s.ota.HandleProgress(ctx, product, dev, messageID, payload, at)
}

func (s deviceSink) CommandReply(ctx context.Context, product, dev, command, requestID string, payload []byte, at time.Time) error {
	return s.ota.HandleCommandReply(ctx, product, dev, command, requestID, payload, at)
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
					"duplicate": float64(s.Duplicates), "malformed": float64(s.Malformed), "sink_error": float64(s.SinkErrors),
					"dropped": float64(s.Dropped), "published": float64(s.Published), "publish_error": float64(s.PublishErrors)}
			})
	}
}

// resendPending sends a device the OTA commands it missed while offline.
func resendPending(sv *services, log *slog.Logger, product, device string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if n, err := sv.ota.ResendPending(ctx, product, device); err != nil {
		log.Warn("pending OTA commands not resent", "device", product+"/"+device, "error", err)
	} else if n > 0 {
		log.Info("pending OTA commands resent", "device", product+"/"+device, "commands", n)
	}
}
