import { AxiosError, type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios'

export interface Reply {
  status: number
  data?: unknown
  /** Reject as a transport failure (no response). */
  network?: boolean
}

export type Handler = (config: InternalAxiosRequestConfig) => Reply | Promise<Reply>

/** ok wraps data in Hoist's success envelope. */
export function ok(data: unknown, status = 200): Reply {
  return { status, data: { success: true, statusCode: status, message: 'ok', data } }
}

/** fail is Hoist's error envelope. */
export function fail(status: number, code: string, message: string, errors?: { field: string; message: string }[]): Reply {
  return { status, data: { success: false, statusCode: status, message, code, ...(errors ? { errors } : {}) } }
}

/**
 * mockAdapter is an axios adapter answering from handlers keyed by
 * "METHOD url" (url as the client passed it). It records every request.
 */
export function mockAdapter(handlers: Record<string, Handler>) {
  const calls: InternalAxiosRequestConfig[] = []
  const adapter: AxiosAdapter = async (config) => {
    calls.push(config)
    const key = `${(config.method ?? 'get').toUpperCase()} ${config.url}`
    const h = handlers[key]
    if (!h) throw new Error(`unexpected request ${key}`)
    const r = await h(config)
    if (r.network) throw new AxiosError('Network Error', AxiosError.ERR_NETWORK, config)
    const response: AxiosResponse = { status: r.status, statusText: '', headers: {}, config, data: r.data }
    const valid = config.validateStatus ? config.validateStatus(r.status) : r.status >= 200 && r.status < 300
    if (!valid) {
      throw new AxiosError(`Request failed with status code ${r.status}`, AxiosError.ERR_BAD_RESPONSE, config, null, response)
    }
    return response
  }
  return { adapter, calls }
}

/** authHeader reads the Authorization header a request was sent with. */
export function authHeader(c: InternalAxiosRequestConfig): string | undefined {
  const h = c.headers as unknown as { get?: (n: string) => unknown } & Record<string, unknown>
  const v = typeof h.get === 'function' ? h.get('Authorization') : h.Authorization
  return v == null ? undefined : String(v)
}
