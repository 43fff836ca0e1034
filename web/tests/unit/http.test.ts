import { afterEach, describe, expect, it, vi } from 'vitest'
import { body, requestURL, TransportError, xhrTransport } from '@/api/http'
import { toApiError } from '@/api/errors'

describe('requestURL', () => {
  it('joins the base and the path and leaves out empty parameters', () => {
    expect(requestURL({ baseURL: '/api', url: '/v1/projects', params: { pageNum: 2, search: 'a b&c', channel: undefined, x: null } })).toBe(
      '/api/v1/projects?pageNum=2&search=a+b%26c',
    )
    expect(requestURL({ baseURL: '/api/', url: 'v1/me' })).toBe('/api/v1/me')
    expect(requestURL({ baseURL: '/api', url: 'https://b.oss.example.com/k?x=1', params: { force: true } })).toBe(
      'https://b.oss.example.com/k?x=1&force=true',
    )
  })
})

describe('body', () => {
  it('sends objects as JSON and everything else as it is', () => {
    const h: Record<string, string> = {}
    expect(body({ a: 1 }, h)).toBe('{"a":1}')
    expect(h['Content-Type']).toBe('application/json')
    const csv: Record<string, string> = { 'Content-Type': 'text/csv; header=present' }
    expect(body('name,tags\nd1,', csv)).toBe('name,tags\nd1,')
    expect(csv['Content-Type']).toBe('text/csv; header=present')
    const form = new FormData()
    expect(body(form, {})).toBe(form)
    expect(body(undefined, {})).toBeUndefined()
  })
})

/** FakeXHR records what the transport did and lets the test answer. */
class FakeXHR {
  static last: FakeXHR
  method = ''
  url = ''
  headers: Record<string, string> = {}
  timeout = 0
  sent: unknown
  status = 0
  statusText = ''
  responseText = ''
  upload: { onprogress?: (e: { loaded: number; total: number; lengthComputable: boolean }) => void } = {}
  onload?: () => void
  onerror?: () => void
  ontimeout?: () => void
  onabort?: () => void
  constructor() {
    FakeXHR.last = this
  }
  open(method: string, url: string) {
    this.method = method
    this.url = url
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v
  }
  send(data: unknown) {
    this.sent = data
  }
  abort() {
    this.onabort?.()
  }
  answer(status: number, text: string) {
    this.status = status
    this.responseText = text
    this.onload?.()
  }
}

describe('xhrTransport', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('sends the request and parses a JSON answer, whatever its status', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    const progress: number[] = []
    const p = xhrTransport({
      method: 'post',
      url: '/v1/x',
      baseURL: '/api',
      params: { type: 1 },
      headers: { Authorization: 'Bearer t' },
      data: '{}',
      timeout: 5,
      onUploadProgress: (e) => progress.push(e.loaded),
    })
    const x = FakeXHR.last
    expect([x.method, x.url, x.headers.Authorization, x.timeout, x.sent]).toEqual(['POST', '/api/v1/x?type=1', 'Bearer t', 5, '{}'])
    x.upload.onprogress?.({ loaded: 2, total: 2, lengthComputable: true })
    x.answer(409, '{"success":false}')
    await expect(p).resolves.toEqual({ status: 409, statusText: '', data: { success: false } })
    expect(progress).toEqual([2])
  })

  it('rejects a cancelled request as canceled and a timeout as a network error', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    const ac = new AbortController()
    const p = xhrTransport({ method: 'get', url: '/a', headers: {}, signal: ac.signal })
    ac.abort()
    const canceled = await p.catch((e: unknown) => e)
    expect(canceled).toBeInstanceOf(TransportError)
    expect(toApiError(canceled)).toMatchObject({ code: 'canceled', status: 0 })

    const t = xhrTransport({ method: 'get', url: '/a', headers: {}, timeout: 1 })
    FakeXHR.last.ontimeout?.()
    expect(toApiError(await t.catch((e: unknown) => e))).toMatchObject({ code: 'network', message: 'timeout of 1ms exceeded' })
  })
})
