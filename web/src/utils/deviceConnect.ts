// Connection examples for a device (PROTOCOLS §3): username
// {product}/{device}, the device secret as the password, a client id that is
// the username or the username, "/" and a suffix; a device publishes its
// status to update_status/{product}/{device}/{messageId} and subscribes to
// cmd/{product}/{device}/#, answering on
// cmd_resp/{product}/{device}/{command}/{requestId}/{messageId}.

/** A broker address taken apart. */
export interface BrokerAddress {
  scheme: string
  host: string
  port: number
  path: string
  tls: boolean
  websocket: boolean
}

const DEFAULT_PORTS: Record<string, number> = { mqtt: 1883, tcp: 1883, mqtts: 8883, ssl: 8883, tls: 8883, ws: 80, wss: 443 }

/**
 * parseBroker takes apart mqtt://host:1883, mqtts://[::1]:8883 or
 * wss://host/mqtt; null for anything else. (URL cannot be trusted with
 * these schemes in every browser.)
 */
export function parseBroker(url: string): BrokerAddress | null {
  const m = /^([a-z]+):\/\/(\[[0-9a-fA-F:.]+\]|[^:/?#\s]+)(?::(\d+))?(\/[^?#\s]*)?$/.exec(url.trim())
  if (!m) return null
  const scheme = m[1]!
  const fallback = DEFAULT_PORTS[scheme]
  if (fallback === undefined) return null
  return {
    scheme,
    host: m[2]!,
    port: m[3] ? Number(m[3]) : fallback,
    path: m[4] ?? '',
    tls: ['mqtts', 'ssl', 'tls', 'wss'].includes(scheme),
    websocket: scheme === 'ws' || scheme === 'wss',
  }
}

/** What the examples are about; device and secret may be placeholders. */
export interface DeviceIdentity {
  url: string
  product: string
  device: string
  secret: string
}

/** mqttJsExample is a Node.js program with MQTT.js (npm install mqtt). */
export function mqttJsExample(d: DeviceIdentity): string {
  const id = `${d.product}/${d.device}`
  return `import mqtt from 'mqtt'

const client = mqtt.connect(${JSON.stringify(d.url)}, {
  clientId: ${JSON.stringify(id)},
  username: ${JSON.stringify(id)},
  password: ${JSON.stringify(d.secret)},
})

client.on('connect', () => {
  client.subscribe(${JSON.stringify(`cmd/${id}/#`)}, { qos: 1 })
  client.publish(\`update_status/${id}/\${Date.now()}\`, JSON.stringify({ version: '1.0.0' }), { qos: 1 })
})

// cmd/{product}/{device}/{command}/{encoding}/{requestId}[/{expiresAt}]
client.on('message', (topic, payload) => {
  const [, , , command, , requestId] = topic.split('/')
  client.publish(\`cmd_resp/${id}/\${command}/\${requestId}/\${Date.now()}\`, JSON.stringify({ ok: true }), { qos: 1 })
})
`
}

/** shellQuote quotes a word for a POSIX shell. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * mosquittoExample publishes a status report with mosquitto_pub and
 * listens for commands with mosquitto_sub; null for a WebSocket address,
 * which they cannot use.
 */
export function mosquittoExample(d: DeviceIdentity): string | null {
  const b = parseBroker(d.url)
  if (!b || b.websocket) return null
  const id = `${d.product}/${d.device}`
  const host = b.host.replace(/^\[(.*)\]$/, '$1')
  const conn = `-h ${shellQuote(host)} -p ${b.port}${b.tls ? ' --capath /etc/ssl/certs' : ''} -q 1`
  const auth = `-u ${shellQuote(id)} -P ${shellQuote(d.secret)}`
  return `mosquitto_pub ${conn} \\
  -i ${shellQuote(id)} ${auth} \\
  -t "update_status/${id}/$(date +%s)" -m '{"version":"1.0.0"}'

mosquitto_sub ${conn} -v \\
  -i ${shellQuote(`${id}/sub`)} ${auth} \\
  -t ${shellQuote(`cmd/${id}/#`)}
`
}
