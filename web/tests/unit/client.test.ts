import { describe, expect, it, vi } from 'vitest'
import { createClient, type TokenStore } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { Session } from '@/api/types'
import { authHeader, fail, mockAdapter, ok, type Handler } from './helpers/mockAdapter'

function session(n: number): Session {
  return {
    accessToken: `access-${n}`,
    refreshToken: `refresh-${n}`,
    expiresIn: 900,
    tokenType: 'Bearer',
    user: { id: 'u1', username: 'alice', nickname: '', email: '', role: 'admin', disabled: false, createdTime: '', updatedTime: '' },
  }
}

/** memoryTokens is a TokenStore like the session store, in memory. */
function memoryTokens(access: string | null, refresh: string | null) {
  const state = { access, refresh, cleared: 0 }
  const store: TokenStore = {
    accessToken: () => state.access,
    refreshToken: () => state.refresh,
    setSession: (s) => {
      state.access = s.accessToken
      state.refresh = s.refreshToken
    },
    clearSession: () => {
      state.access = null
      state.refresh = null
      state.cleared++
    },
  }
  return { state, store }
}

function setup(handlers: Record<string, Handler>, access: string | null = 'access-0', refresh: string | null = 'refresh-0') {
  const { adapter, calls } = mockAdapter(handlers)
  const tokens = memoryTokens(access, refresh)
  const onError = vi.fn()
  const onSessionLost = vi.fn()
  const client = createClient({ baseURL: '/api', transport: adapter, tokens: tokens.store, onError, onSessionLost })
  return { client, calls, tokens, onError, onSessionLost }
}

/** A protected endpoint that accepts only the given access token. */
function guarded(valid: () => string, data: unknown): Handler {
  return (c) => (authHeader(c) === `Bearer ${valid()}` ? ok(data) : fail(401, 'unauthorized', 'token expired'))
}

describe('envelope', () => {
  it('returns data of a success envelope and sends the access token', async () => {
    const { client, calls } = setup({ 'GET /v1/me': () => ok({ id: 'u1' }) })
    await expect(client.get('/v1/me')).resolves.toEqual({ id: 'u1' })
    expect(authHeader(calls[0]!)).toBe('Bearer access-0')
  })

  it('turns an error envelope into ApiError with field errors, reported once', async () => {
    const { client, onError } = setup({
      'POST /v1/projects/p/resources': () =>
        fail(409, 'conflict', 'versionCode must be greater than 12', [
          { field: 'versionCode', message: 'must be greater than 12' },
          { field: 'versionCode', message: 'second message is ignored' },
          { field: 'version', message: 'must be 1 to 50 characters' },
        ]),
    })
    const err = await client.post('/v1/projects/p/resources', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect([e.status, e.code, e.message]).toEqual([409, 'conflict', 'versionCode must be greater than 12'])
    expect(e.fieldMap()).toEqual({ versionCode: 'must be greater than 12', version: 'must be 1 to 50 characters' })
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]![0]).toBe(e)
    expect(e.reported).toBe(true)
  })

  it('does not report errors of silent requests', async () => {
    const { client, onError } = setup({ 'GET /v1/auth/captcha': () => fail(409, 'conflict', 'captchas are turned off') })
    await expect(client.get('/v1/auth/captcha', { anonymous: true, silent: true })).rejects.toMatchObject({ status: 409 })
    expect(onError).not.toHaveBeenCalled()
  })

  it('reports a transport failure as a network error', async () => {
    const { client, onError } = setup({ 'GET /v1/me': () => ({ status: 0, network: true }) })
    await expect(client.get('/v1/me')).rejects.toMatchObject({ code: 'network', status: 0 })
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('rejects a response that is not an envelope', async () => {
    const { client } = setup({ 'GET /v1/me': () => ({ status: 502, data: '<html>bad gateway</html>' }) })
    await expect(client.get('/v1/me')).rejects.toMatchObject({ code: 'http', status: 502 })
  })

  it('sends no token on anonymous calls and does not refresh on their 401', async () => {
    const { client, calls, onSessionLost } = setup({
      'POST /v1/auth/login': () => fail(401, 'unauthorized', 'wrong username or password'),
    })
    await expect(client.post('/v1/auth/login', {}, { anonymous: true })).rejects.toMatchObject({ status: 401 })
    expect(authHeader(calls[0]!)).toBeUndefined()
    expect(calls).toHaveLength(1)
    expect(onSessionLost).not.toHaveBeenCalled()
  })
})

describe('401 handling', () => {
  it('refreshes once and retries the request with the new token', async () => {
    const refresh = vi.fn<Handler>((c) => {
      expect(JSON.parse(String(c.data))).toEqual({ refreshToken: 'refresh-0' })
      return ok(session(1))
    })
    const { client, calls, tokens, onError } = setup({
      'GET /v1/me': guarded(() => 'access-1', { id: 'u1' }),
      'POST /v1/auth/refresh': refresh,
    })
    await expect(client.get('/v1/me')).resolves.toEqual({ id: 'u1' })
    expect(refresh).toHaveBeenCalledTimes(1)
    expect(calls.map((c) => c.url)).toEqual(['/v1/me', '/v1/auth/refresh', '/v1/me'])
    expect(authHeader(calls[1]!)).toBeUndefined()
    expect(authHeader(calls[2]!)).toBe('Bearer access-1')
    expect(tokens.state).toMatchObject({ access: 'access-1', refresh: 'refresh-1' })
    expect(onError).not.toHaveBeenCalled()
  })

  it('shares one refresh between concurrent 401s (refresh tokens rotate)', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const refresh = vi.fn<Handler>(async () => {
      await gate
      return ok(session(1))
    })
    const { client, calls } = setup({
      'GET /v1/me': guarded(() => 'access-1', { id: 'u1' }),
      'GET /v1/projects': guarded(() => 'access-1', { total: 0, records: [] }),
      'GET /v1/dicts': guarded(() => 'access-1', []),
      'POST /v1/auth/refresh': refresh,
    })
    const all = Promise.all([client.get('/v1/me'), client.get('/v1/projects'), client.get('/v1/dicts')])
    await vi.waitFor(() => expect(refresh).toHaveBeenCalledTimes(1))
    release()
    await expect(all).resolves.toEqual([{ id: 'u1' }, { total: 0, records: [] }, []])
    expect(refresh).toHaveBeenCalledTimes(1)
    const retries = calls.filter((c) => c.url !== '/v1/auth/refresh' && authHeader(c) === 'Bearer access-1')
    expect(retries).toHaveLength(3)
  })

  it('signs out when the refresh is refused: clears the session, reports once, no retry', async () => {
    const { client, calls, tokens, onError, onSessionLost } = setup({
      'GET /v1/me': () => fail(401, 'unauthorized', 'token expired'),
      'GET /v1/dicts': () => fail(401, 'unauthorized', 'token expired'),
      'POST /v1/auth/refresh': () => fail(401, 'unauthorized', 'refresh token reused; sign in again'),
    })
    const results = await Promise.allSettled([client.get('/v1/me'), client.get('/v1/dicts')])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(calls.filter((c) => c.url === '/v1/auth/refresh')).toHaveLength(1)
    expect(calls.filter((c) => c.url === '/v1/me')).toHaveLength(1)
    expect(tokens.state).toMatchObject({ access: null, refresh: null, cleared: 1 })
    expect(onSessionLost).toHaveBeenCalledTimes(1)
    expect(onError).not.toHaveBeenCalled()
  })

  it('keeps the session when the refresh fails for a network reason', async () => {
    const { client, tokens, onSessionLost, onError } = setup({
      'GET /v1/me': () => fail(401, 'unauthorized', 'token expired'),
      'POST /v1/auth/refresh': () => ({ status: 0, network: true }),
    })
    await expect(client.get('/v1/me')).rejects.toMatchObject({ code: 'network' })
    expect(tokens.state.refresh).toBe('refresh-0')
    expect(onSessionLost).not.toHaveBeenCalled()
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('signs out when a retried request is still unauthorized', async () => {
    const { client, calls, onSessionLost } = setup({
      'GET /v1/me': () => fail(401, 'unauthorized', 'account disabled'),
      'POST /v1/auth/refresh': () => ok(session(1)),
    })
    await expect(client.get('/v1/me')).rejects.toMatchObject({ status: 401 })
    expect(calls.map((c) => c.url)).toEqual(['/v1/me', '/v1/auth/refresh', '/v1/me'])
    expect(onSessionLost).toHaveBeenCalledTimes(1)
  })

  it('signs out on a 401 when there is no refresh token', async () => {
    const { client, calls, onSessionLost } = setup({ 'GET /v1/me': () => fail(401, 'unauthorized', 'sign in first') }, 'access-0', null)
    await expect(client.get('/v1/me')).rejects.toMatchObject({ status: 401 })
    expect(calls).toHaveLength(1)
    expect(onSessionLost).toHaveBeenCalledTimes(1)
  })

  it('restores a session from the refresh token before the first call (after a reload)', async () => {
    const { client, calls } = setup(
      { 'GET /v1/me': guarded(() => 'access-1', { id: 'u1' }), 'POST /v1/auth/refresh': () => ok(session(1)) },
      null,
      'refresh-0',
    )
    await expect(client.get('/v1/me')).resolves.toEqual({ id: 'u1' })
    expect(calls.map((c) => c.url)).toEqual(['/v1/auth/refresh', '/v1/me'])
  })
})

describe('upload', () => {
  it('posts multipart field "file" with the type and reports progress', async () => {
    const seen: number[] = []
    const { client, calls } = setup({
      'POST /v1/projects/p/files': (c) => {
        c.onUploadProgress?.({ loaded: 50, total: 100 })
        c.onUploadProgress?.({ loaded: 100, total: 100 })
        return ok({ key: 'p/2026-01/abc.wgt' }, 201)
      },
    })
    const file = new File([new Uint8Array(100)], 'app.wgt')
    await expect(client.upload('/v1/projects/p/files', file, { params: { type: 1 }, onProgress: (p) => seen.push(p) })).resolves.toEqual({
      key: 'p/2026-01/abc.wgt',
    })
    const form = calls[0]!.data as FormData
    expect((form.get('file') as File).name).toBe('app.wgt')
    expect(calls[0]!.params).toEqual({ type: 1 })
    expect(seen).toEqual([50, 100])
  })
})
