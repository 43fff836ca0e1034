import { TransportError, type HttpRequest, type Transport } from '@/api/http'

export interface Reply {
  status: number
  data?: unknown
  /** Reject as a transport failure (no response). */
  network?: boolean
}

export type Handler = (req: HttpRequest) => Reply | Promise<Reply>

/** ok wraps data in Hoist's success envelope. */
export function ok(data: unknown, status = 200): Reply {
  return { status, data: { success: true, statusCode: status, message: 'ok', data } }
}

/** fail is Hoist's error envelope. */
export function fail(status: number, code: string, message: string, errors?: { field: string; message: string }[]): Reply {
  return { status, data: { success: false, statusCode: status, message, code, ...(errors ? { errors } : {}) } }
}

/**
 * mockAdapter is a transport answering from handlers keyed by
 * "METHOD url" (url as the client passed it). It records every request.
 */
export function mockAdapter(handlers: Record<string, Handler>) {
  const calls: HttpRequest[] = []
  const adapter: Transport = async (req) => {
    calls.push(req)
    const key = `${req.method.toUpperCase()} ${req.url}`
    const h = handlers[key]
    if (!h) throw new Error(`unexpected request ${key}`)
    const r = await h(req)
    if (r.network) throw new TransportError('network', 'Network Error')
    return { status: r.status, data: r.data }
  }
  return { adapter, calls }
}

/** authHeader reads the Authorization header a request was sent with. */
export function authHeader(req: HttpRequest): string | undefined {
  return req.headers.Authorization
}
