import { ApiError, toApiError, unwrapEnvelope } from './errors'
import { body, xhrTransport, type HttpRequest, type Transport } from './http'
import type { Session } from './types'

/** RequestConfig is one API call. */
export interface RequestConfig {
  method?: string
  url?: string
  /** Query parameters (a query object of the API modules). */
  params?: object
  data?: unknown
  headers?: Record<string, string>
  /** Milliseconds (default 30 s); 0 waits forever. */
  timeout?: number
  signal?: AbortSignal
  onUploadProgress?: HttpRequest['onUploadProgress']
  /** The caller shows the error itself: do not report it through onError. */
  silent?: boolean
  /** A public endpoint: no Authorization header, no refresh on 401. */
  anonymous?: boolean
  /** Internal: the request is a retry after a refresh. */
  retried?: boolean
}

/** TokenStore is where the client reads and writes the session. */
export interface TokenStore {
  accessToken(): string | null
  refreshToken(): string | null
  setSession(s: Session): void
  clearSession(): void
}

export interface ClientHooks {
  /** Shows an API error to the user (once per error). */
  onError?: (e: ApiError) => void
  /** The session is gone (refresh refused): go to the login page. */
  onSessionLost?: (e: ApiError) => void
  /** Serialises refreshes across browser tabs (Web Locks); optional. */
  lock?: <T>(run: () => Promise<T>) => Promise<T>
}

export interface ClientOptions extends ClientHooks {
  baseURL?: string
  /** How requests are sent (tests answer them in memory); XMLHttpRequest by default. */
  transport?: Transport
  tokens: TokenStore
  /** The panel's language, sent as Accept-Language: the server's messages follow it. */
  language?: () => string
}

export interface UploadOptions {
  params?: object
  onProgress?: (percent: number) => void
  signal?: AbortSignal
  silent?: boolean
}

export type ApiClient = ReturnType<typeof createClient>

/**
 * createClient builds the API client: it sends the access token, unwraps the
 * {success, statusCode, message, data} envelope, turns failures into
 * ApiError, and on a 401 refreshes the session once (concurrent 401s share
 * one refresh; refresh tokens rotate, so a second refresh would end the
 * session) and retries the request once.
 */
export function createClient(opts: ClientOptions) {
  const hooks: ClientHooks = { onError: opts.onError, onSessionLost: opts.onSessionLost, lock: opts.lock }
  const baseURL = opts.baseURL ?? '/api'
  let refreshing: Promise<string> | null = null

  /**
   * send makes one HTTP call and resolves with the envelope's data; every
   * failure (error envelope, other HTTP error, no answer) rejects with ApiError.
   */
  async function send<T>(config: RequestConfig): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...config.headers }
    const req: HttpRequest = {
      method: (config.method ?? 'get').toLowerCase(),
      url: config.url ?? '',
      baseURL,
      params: config.params as Record<string, unknown> | undefined,
      headers,
      data: body(config.data, headers),
      timeout: config.timeout ?? 30_000,
      signal: config.signal,
      onUploadProgress: config.onUploadProgress,
    }
    let res
    try {
      res = await client.transport(req)
    } catch (err) {
      throw toApiError(err)
    }
    return unwrapEnvelope<T>(res.status, res.data, res.statusText)
  }

  function report(e: ApiError, config: RequestConfig): ApiError {
    if (!config.silent && !e.reported && !e.canceled) {
      e.reported = true
      hooks.onError?.(e)
    }
    return e
  }

  function sessionLost(e: ApiError): void {
    opts.tokens.clearSession()
    e.reported = true
    hooks.onSessionLost?.(e)
  }

  async function doRefresh(): Promise<string> {
    const run = async (): Promise<string> => {
      const token = opts.tokens.refreshToken()
      if (!token) throw new ApiError(401, 'unauthorized', 'sign in first')
      const s = await send<Session>({ method: 'post', url: '/v1/auth/refresh', data: { refreshToken: token } })
      opts.tokens.setSession(s)
      return s.accessToken
    }
    try {
      return await (hooks.lock ? hooks.lock(run) : run())
    } catch (err) {
      const e = toApiError(err)
      // Only a refused refresh ends the session: a network failure or a
      // server error keeps the refresh token for the next try.
      if (e.status >= 400 && e.status < 500) sessionLost(e)
      throw e
    }
  }

  /** refresh renews the session; concurrent callers share one request. */
  function refresh(): Promise<string> {
    refreshing ??= doRefresh().finally(() => {
      refreshing = null
    })
    return refreshing
  }

  async function request<T>(config: RequestConfig): Promise<T> {
    const headers: Record<string, string> = {}
    const lang = opts.language?.()
    if (lang) headers['Accept-Language'] = lang
    if (!config.anonymous) {
      if (!opts.tokens.accessToken() && opts.tokens.refreshToken()) {
        try {
          await refresh()
        } catch (err) {
          throw report(toApiError(err), config)
        }
      }
      const token = opts.tokens.accessToken()
      if (token) headers.Authorization = `Bearer ${token}`
    }
    let e: ApiError
    try {
      return await send<T>({ ...config, headers: { ...config.headers, ...headers } })
    } catch (err) {
      e = toApiError(err)
    }
    if (e.status !== 401 || config.anonymous) throw report(e, config)
    const current = opts.tokens.accessToken()
    if (current && current !== headers.Authorization?.slice(7) && !config.retried) {
      // Another request refreshed the session meanwhile: just retry.
      return request<T>({ ...config, retried: true })
    }
    if (config.retried || !opts.tokens.refreshToken()) {
      // Rejected even with a fresh token, or no way to get one.
      if (!e.reported) sessionLost(e)
      throw e
    }
    try {
      await refresh()
    } catch (err) {
      throw report(toApiError(err), config)
    }
    return request<T>({ ...config, retried: true })
  }

  const client = {
    /** How requests are sent; tests replace it. */
    transport: opts.transport ?? xhrTransport,
    hooks,
    refresh,
    request,
    get: <T>(url: string, config: RequestConfig = {}) => request<T>({ ...config, method: 'GET', url }),
    delete: <T = null>(url: string, config: RequestConfig = {}) =>
      request<T>({ ...config, method: 'DELETE', url }),
    post: <T>(url: string, data?: unknown, config: RequestConfig = {}) =>
      request<T>({ ...config, method: 'POST', url, data }),
    put: <T>(url: string, data?: unknown, config: RequestConfig = {}) =>
      request<T>({ ...config, method: 'PUT', url, data }),
    patch: <T>(url: string, data?: unknown, config: RequestConfig = {}) =>
      request<T>({ ...config, method: 'PATCH', url, data }),
    /** upload posts one file as multipart field "file", reporting progress. */
    upload: <T>(url: string, file: File, o: UploadOptions = {}) => {
      const form = new FormData()
      form.append('file', file, file.name)
      return request<T>({
        method: 'POST',
        url,
        data: form,
        params: o.params,
        signal: o.signal,
        silent: o.silent,
        timeout: 0,
        onUploadProgress: (ev) => {
          const total = ev.total ?? file.size
          o.onProgress?.(total > 0 ? Math.min(100, Math.floor((ev.loaded / total) * 100)) : 0)
        },
      })
    },
  }
  return client
}
