// A device on MQTT.js (the npm "mqtt" client browsers and mini-programs
// use), driven by cmd/hoist's RabbitMQ test: it connects over WebSocket
// with its device secret, subscribes to its command topics and publishes a
// status report with QoS 1, or (EXPECT=refused) checks that a wrong secret
// is refused. Exit 0 when what was expected happened.
const mqtt = require('mqtt')

const { URL, PRODUCT, DEVICE, SECRET, EXPECT } = process.env
const id = `${PRODUCT}/${DEVICE}`
const fail = (msg) => { console.error(msg); process.exit(1) }
setTimeout(() => fail('timed out'), 20000).unref()

const client = mqtt.connect(URL, {
  clientId: `${id}/mqttjs`, username: id, password: SECRET,
  protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10000,
})
client.on('error', (err) => {
  if (EXPECT === 'refused') { console.log('refused:', err.message); process.exit(0) }
  fail(`error: ${err.message}`)
})
client.on('close', () => {
  if (EXPECT === 'refused') { console.log('refused: closed'); process.exit(0) }
})
client.on('connect', () => {
  if (EXPECT === 'refused') fail('a wrong secret was accepted')
  client.subscribe(`cmd/${id}/#`, { qos: 1 }, (err, granted) => {
    if (err || !granted.length || granted[0].qos === 128) fail(`subscribe refused: ${err || JSON.stringify(granted)}`)
    client.publish(`update_status/${id}/mqttjs-1`, JSON.stringify({ mqttjs: true }), { qos: 1 }, (err) => {
      if (err) fail(`publish: ${err.message}`)
      console.log('ok')
      client.end(false, () => process.exit(0))
    })
  })
})
