// The panel's transport: one XMLHttpRequest per call (fetch cannot report
// upload progress). It replaces axios, which was a fifth of every page's
// download for the little the client needs: query parameters, JSON bodies,
// a timeout, cancellation and upload progress.

/** HttpRequest is one call as the client builds it (url relative to baseURL). */
export interface HttpRequest {
  /** Lower case, as tests match it: "get", "post", ... */
  method: string
  url: string
  baseURL?: string
  /** Query parameters; undefined and null are left out, arrays repeat the key. */
  params?: Record<string, unknown>
  /** The body as sent: a JSON string, a string, FormData, a Blob or File. */
  data?: XMLHttpRequestBodyInit
  headers: Record<string, string>
  /** Milliseconds; 0 waits forever. */
  timeout?: number
  signal?: AbortSignal
  onUploadProgress?: (e: { loaded: number; total?: number }) => void
}

/** HttpResponse is any answer with a status, 4xx and 5xx included. */
export interface HttpResponse {
  status: number
  statusText?: string
  /** The body parsed as JSON, or its text when it is not JSON. */
  data: unknown
}

/** Transport sends a request; it rejects only with a TransportError. */
export type Transport = (req: HttpRequest) => Promise<HttpResponse>

/** TransportError is a call that got no answer: network failure, timeout or cancellation. */
export class TransportError extends Error {
  readonly code: 'network' | 'timeout' | 'canceled'

  constructor(code: TransportError['code'], message: string) {
    super(message)
    this.name = 'TransportError'
    this.code = code
  }
}

/** body serialises request data: plain objects and arrays as JSON (setting Content-Type), the rest as is. */
export function body(data: unknown, headers: Record<string, string>): XMLHttpRequestBodyInit | undefined {
  if (data === undefined || data === null) return undefined
  if (
    typeof data === 'string' ||
    data instanceof FormData ||
    data instanceof Blob ||
    data instanceof URLSearchParams ||
    data instanceof ArrayBuffer ||
    ArrayBuffer.isView(data)
  ) {
    return data as XMLHttpRequestBodyInit
  }
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json'
  return JSON.stringify(data)
}

/** requestURL joins baseURL, url and the query parameters. */
export function requestURL(req: Pick<HttpRequest, 'baseURL' | 'url' | 'params'>): string {
  const absolute = /^[a-z][a-z\d+.-]*:\/\//i.test(req.url)
  let url = absolute || !req.baseURL ? req.url : req.baseURL.replace(/\/+$/, '') + '/' + req.url.replace(/^\/+/, '')
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(req.params ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) {
      if (item === undefined || item === null) continue
      q.append(k, item instanceof Date ? item.toISOString() : typeof item === 'object' ? JSON.stringify(item) : String(item))
    }
  }
  const s = q.toString()
  if (s) url += (url.includes('?') ? '&' : '?') + s
  return url
}

function parse(text: string): unknown {
  if (!text) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** xhrTransport sends a request with XMLHttpRequest. */
export const xhrTransport: Transport = (req) =>
  new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(new TransportError('canceled', 'canceled'))
      return
    }
    const xhr = new XMLHttpRequest()
    xhr.open(req.method.toUpperCase(), requestURL(req), true)
    for (const [k, v] of Object.entries(req.headers)) xhr.setRequestHeader(k, v)
    xhr.timeout = req.timeout ?? 0
    const progress = req.onUploadProgress
    if (progress && req.data !== undefined) {
      xhr.upload.onprogress = (e) => progress({ loaded: e.loaded, total: e.lengthComputable ? e.total : undefined })
    }
    const onAbort = () => xhr.abort()
    const done = () => req.signal?.removeEventListener('abort', onAbort)
    req.signal?.addEventListener('abort', onAbort)
    xhr.onload = () => {
      done()
      resolve({ status: xhr.status, statusText: xhr.statusText, data: parse(xhr.responseText) })
    }
    xhr.onerror = () => {
      done()
      reject(new TransportError('network', 'Network Error'))
    }
    xhr.ontimeout = () => {
      done()
      reject(new TransportError('timeout', `timeout of ${req.timeout}ms exceeded`))
    }
    xhr.onabort = () => {
      done()
      reject(new TransportError('canceled', 'canceled'))
    }
    xhr.send(req.data ?? null)
  })
