// Builds the hoist binary (which embeds web/dist/app) and runs `hoist serve`
// on a temporary data directory, reading the bound address from its JSON log.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const repo = new URL('../../../', import.meta.url).pathname

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts })
    p.on('error', reject)
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))))
  })
}

/**
 * buildHoist compiles ./cmd/hoist into dir and returns the binary path
 * (E2E_HOIST_BIN names a binary to use instead, built with this panel).
 */
export async function buildHoist(dir) {
  if (process.env.E2E_HOIST_BIN) return process.env.E2E_HOIST_BIN
  const bin = join(dir, 'hoist')
  await run('go', ['build', '-o', bin, './cmd/hoist'], { cwd: repo })
  return bin
}

/**
 * startHoist runs `hoist serve`; resolves { baseURL, mqttAddr, stop, logPath }
 * (mqttAddr: the embedded broker's TCP address when MQTT is embedded).
 */
export async function startHoist(bin, dataDir, extraEnv = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOIST_')))
  Object.assign(env, {
    HOIST_DATA_DIR: dataDir,
    HOIST_HTTP_ADDR: '127.0.0.1:0',
    HOIST_MQTT_MODE: 'off',
    HOIST_AUTH_CAPTCHA: 'off',
    HOIST_LOG_FORMAT: 'json',
    ...extraEnv,
  })
  mkdirSync(dataDir, { recursive: true })
  const logPath = join(dataDir, 'hoist.log')
  const log = createWriteStream(logPath)
  const proc = spawn(bin, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  const listeners = {}
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hoist did not announce its address; see ${logPath}`)), 60_000)
    const lines = createInterface({ input: proc.stderr })
    lines.on('line', (line) => {
      log.write(line + '\n')
      try {
        const l = JSON.parse(line)
        if (l.msg === 'listening') listeners[l.listener] = l.addr
        // The broker is up before HTTP: the http line means everything is.
        if (l.msg === 'listening' && l.listener === 'http') {
          clearTimeout(timer)
          resolve(l.addr)
        }
      } catch {
        /* not JSON */
      }
    })
    void exited.then(({ code }) => reject(new Error(`hoist exited (${code}) before listening; see ${logPath}`)))
  })
  async function stop() {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
    const res = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 15_000))])
    if (res === null) {
      proc.kill('SIGKILL')
      throw new Error('hoist did not stop within 15 s of SIGTERM')
    }
    log.end()
    return res
  }
  return { baseURL: `http://${addr}`, mqttAddr: listeners.mqtt, stop, logPath }
}

/**
 * startDeviceSim runs `hoist device-sim` for the devices of a credentials
 * file (the batch answer), logging to logPath; resolves once it said its
 * devices connected. stop() ends it with SIGTERM.
 */
export async function startDeviceSim(bin, args, logPath) {
  const log = createWriteStream(logPath)
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOIST_')))
  const proc = spawn(bin, ['device-sim', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })))
  proc.stderr.pipe(log, { end: false })
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`device-sim did not connect; see ${logPath}`)), 30_000)
    const lines = createInterface({ input: proc.stdout })
    lines.on('line', (line) => {
      log.write(line + '\n')
      if (/devices connected to/.test(line)) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`device-sim exited (${code}); see ${logPath}`))
    })
  })
  async function stop() {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
    const res = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 15_000))])
    if (res === null) proc.kill('SIGKILL')
    log.end()
    return res
  }
  return { stop, logPath }
}
