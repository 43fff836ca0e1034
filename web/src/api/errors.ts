import { TransportError } from './http'
import type { Envelope, FieldError } from './types'

/**
 * ApiError is every failure of an API call: an error envelope from Hoist
 * (status, code, message, field errors) or a transport problem, which gets
 * the code "network", "canceled" or "bad_response".
 */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldError[]
  /** Set once the error has been shown to the user, so it is shown once. */
  reported = false

  constructor(status: number, code: string, message: string, fields: FieldError[] = []) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }

  /** The first message for each field named by the API. */
  fieldMap(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of this.fields) {
      if (f.field && !(f.field in out)) out[f.field] = f.message
    }
    return out
  }

  get canceled(): boolean {
    return this.code === 'canceled'
  }
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  return typeof body === 'object' && body !== null && 'success' in body && 'statusCode' in body
}

/** fromEnvelope turns an error envelope into an ApiError. */
export function fromEnvelope(status: number, body: Envelope<unknown>): ApiError {
  return new ApiError(
    body.statusCode || status,
    body.code || 'error',
    body.message || `HTTP ${status}`,
    Array.isArray(body.errors) ? body.errors : [],
  )
}

/**
 * unwrapEnvelope returns the data of a success envelope or throws its error;
 * an answer without an envelope is an "http" error (4xx, 5xx: a proxy's
 * page, say) or a "bad_response".
 */
export function unwrapEnvelope<T>(status: number, body: unknown, statusText = ''): T {
  if (isEnvelope(body)) {
    if (body.success) return body.data as T
    throw fromEnvelope(status, body)
  }
  if (status >= 400) throw new ApiError(status, 'http', `HTTP ${status} ${statusText}`.trim())
  throw new ApiError(status, 'bad_response', `unexpected response from the server (HTTP ${status})`)
}

/** toApiError normalises anything a request can throw. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof TransportError) {
    if (err.code === 'canceled') return new ApiError(0, 'canceled', 'canceled')
    return new ApiError(0, 'network', err.message || 'network error')
  }
  return new ApiError(0, 'internal', err instanceof Error ? err.message : String(err))
}
