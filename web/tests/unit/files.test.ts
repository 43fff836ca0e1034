import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import { noteFileUrl, uploadFile } from '@/api/files'
import { useSessionStore } from '@/stores/session'
import type { HttpRequest } from '@/api/http'
import { authHeader, fail, mockAdapter, ok } from './helpers/mockAdapter'

const file = () => new File([new Uint8Array(10)], 'app.wgt')
const uploaded = { key: 'p/2026-01/abc.wgt', url: 'http://h/files/p/2026-01/abc.wgt', name: 'app.wgt', size: 10, md5: 'm', sha256: 's', kind: 'zip' }

describe('uploadFile', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
    useSessionStore().setSession({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 900,
      tokenType: 'Bearer',
      user: { id: 'u', username: 'u', nickname: '', email: '', role: 'user', disabled: false, createdTime: '', updatedTime: '' },
    })
  })

  it('uploads through Hoist while the storage is not known to be remote', async () => {
    const { adapter, calls } = mockAdapter({
      'POST /v1/projects/p1/files': (c) => {
        c.onUploadProgress?.({ loaded: 10, total: 10 })
        return ok(uploaded, 201)
      },
    })
    api.transport = adapter
    const seen: number[] = []
    await expect(uploadFile('p1', 1, file(), { onProgress: (p) => seen.push(p) })).resolves.toEqual(uploaded)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['post /v1/projects/p1/files'])
    expect(calls[0]!.params).toEqual({ type: 1 })
    expect(seen).toEqual([100])
    expect(localStorage.getItem('hoist.storage')).toBe('local') // its URL was /files/...
  })

  it('asks for direct upload once files are remote, and remembers a refusal (409)', async () => {
    noteFileUrl('https://cdn.example.com/p1/2026-01/abc.wgt')
    const { adapter, calls } = mockAdapter({
      'GET /v1/projects/p1/upload-credentials': () => fail(409, 'conflict', 'direct upload needs OSS storage'),
      'POST /v1/projects/p1/files': () => ok({ ...uploaded, url: 'https://cdn.example.com/x' }, 201),
    })
    api.transport = adapter
    await uploadFile('p1', 1, file())
    await uploadFile('p1', 1, file())
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'get /v1/projects/p1/upload-credentials',
      'post /v1/projects/p1/files',
      'post /v1/projects/p1/files',
    ])
    expect(localStorage.getItem('hoist.storage')).toBe('no-direct')
  })

  it('uploads straight to OSS with STS credentials, then registers the key', async () => {
    noteFileUrl('https://b.oss-cn-hangzhou.aliyuncs.com/p2/2026-01/abc.wgt')
    const puts: HttpRequest[] = []
    const { adapter, calls } = mockAdapter({
      'GET /v1/projects/p2/upload-credentials': () =>
        ok({
          accessKeyId: 'id',
          accessKeySecret: 'sec',
          securityToken: 'tok',
          expiration: '',
          region: 'oss-cn-hangzhou',
          bucket: 'b',
          endpoint: 'oss-cn-hangzhou.aliyuncs.com',
          keyPrefix: 'p2/',
        }),
      'POST /v1/projects/p2/files/register': (c) => {
        const key = new URL(puts[0]!.url!).pathname.slice(1)
        expect(JSON.parse(String(c.data))).toEqual({ key, name: 'app.wgt', type: 1 })
        return ok(uploaded, 201)
      },
    })
    api.transport = async (c) => {
      if (c.method !== 'put') return adapter(c)
      puts.push(c)
      c.onUploadProgress?.({ loaded: 10, total: 10 })
      return { status: 200, data: '' }
    }
    const seen: number[] = []
    const f = file()
    await expect(uploadFile('p2', 1, f, { onProgress: (p) => seen.push(p) })).resolves.toEqual(uploaded)
    const put = puts[0]!
    expect(put.url).toMatch(/^https:\/\/b\.oss-cn-hangzhou\.aliyuncs\.com\/p2\/\d{4}-\d{2}\/[0-9a-f]{32}\.wgt$/)
    expect(authHeader(put)).toMatch(/^OSS id:[A-Za-z0-9+/]+=*$/)
    expect(put.data).toBe(f)
    expect(seen).toEqual([100])
    expect(calls.map((c) => c.url)).toEqual(['/v1/projects/p2/upload-credentials', '/v1/projects/p2/files/register'])
  })
})
