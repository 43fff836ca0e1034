import { describe, expect, it } from 'vitest'
import { mosquittoExample, mqttJsExample, parseBroker } from '@/utils/deviceConnect'

describe('device connection examples', () => {
  it('takes broker addresses apart, with the default port of each scheme', () => {
    expect(parseBroker('mqtt://127.0.0.1:41883')).toMatchObject({ host: '127.0.0.1', port: 41883, tls: false, websocket: false })
    expect(parseBroker('mqtts://broker.example.com')).toMatchObject({ host: 'broker.example.com', port: 8883, tls: true })
    expect(parseBroker('wss://emqx.example.com/mqtt')).toMatchObject({ port: 443, path: '/mqtt', tls: true, websocket: true })
    expect(parseBroker('tcp://[::1]:1883')).toMatchObject({ host: '[::1]', port: 1883 })
    expect(parseBroker('http://x')).toBeNull()
    expect(parseBroker('')).toBeNull()
  })

  const dev = { url: 'mqtt://10.0.0.5:1883', product: 'thermo', device: 'dev-0001', secret: 'hsd_x' }

  it('MQTT.js: the identity, the command subscription and the topics of PROTOCOLS §3', () => {
    const js = mqttJsExample(dev)
    expect(js).toContain(`mqtt.connect("mqtt://10.0.0.5:1883"`)
    expect(js).toContain(`clientId: "thermo/dev-0001"`)
    expect(js).toContain(`username: "thermo/dev-0001"`)
    expect(js).toContain(`password: "hsd_x"`)
    expect(js).toContain(`client.subscribe("cmd/thermo/dev-0001/#"`)
    expect(js).toContain('`update_status/thermo/dev-0001/${Date.now()}`')
    expect(js).toContain('`cmd_resp/thermo/dev-0001/${command}/${requestId}/${Date.now()}`')
  })

  it('mosquitto: host and port apart, TLS with the system CAs, placeholders quoted; none over WebSocket', () => {
    const sh = mosquittoExample(dev)!
    expect(sh).toContain('mosquitto_pub -h 10.0.0.5 -p 1883 -q 1 \\\n  -i thermo/dev-0001 -u thermo/dev-0001 -P hsd_x')
    expect(sh).toContain('-t "update_status/thermo/dev-0001/$(date +%s)"')
    expect(sh).toContain('mosquitto_sub -h 10.0.0.5 -p 1883 -q 1 -v \\\n  -i thermo/dev-0001/sub')
    expect(mosquittoExample({ ...dev, url: 'mqtts://b.example.com', secret: '<secret>' })).toContain(
      "-h b.example.com -p 8883 --capath /etc/ssl/certs -q 1 \\\n  -i thermo/dev-0001 -u thermo/dev-0001 -P '<secret>'",
    )
    expect(mosquittoExample({ ...dev, url: 'tcp://[::1]:1883' })).toContain('-h ::1 -p 1883')
    expect(mosquittoExample({ ...dev, url: 'wss://b.example.com/mqtt' })).toBeNull()
  })
})
