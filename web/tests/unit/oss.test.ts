import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { objectKey, signPut, stringToSign } from '@/api/oss'
import type { UploadCredentials } from '@/api/types'

const creds: UploadCredentials = {
  accessKeyId: 'STS.key',
  accessKeySecret: 'secret/with+chars',
  securityToken: 'token-123',
  expiration: '2026-01-01T00:15:00Z',
  region: 'oss-cn-hangzhou',
  bucket: 'hoist-files',
  endpoint: 'oss-cn-hangzhou.aliyuncs.com',
  keyPrefix: '866116d35b382bb6e1ae0cbb484b9950/',
}

describe('OSS direct upload signing', () => {
  it('builds the canonical string with x-oss-date in place of Date', () => {
    const s = stringToSign('b', 'p/k.wgt', 'application/octet-stream', {
      'x-oss-security-token': 't',
      'x-oss-date': 'Thu, 01 Jan 2026 00:00:00 GMT',
    })
    expect(s).toBe(
      [
        'PUT',
        '',
        'application/octet-stream',
        'Thu, 01 Jan 2026 00:00:00 GMT',
        'x-oss-date:Thu, 01 Jan 2026 00:00:00 GMT',
        'x-oss-security-token:t',
        '/b/p/k.wgt',
      ].join('\n'),
    )
  })

  it('signs with HMAC-SHA1 of the secret (checked against node:crypto)', async () => {
    const now = new Date('2026-01-01T00:00:00Z')
    const key = `${creds.keyPrefix}2026-01/abc.wgt`
    const put = await signPut(creds, key, 'application/octet-stream', now)
    const expected = createHmac('sha1', creds.accessKeySecret)
      .update(stringToSign(creds.bucket, key, 'application/octet-stream', { 'x-oss-date': now.toUTCString(), 'x-oss-security-token': 'token-123' }))
      .digest('base64')
    expect(put.url).toBe(`https://hoist-files.oss-cn-hangzhou.aliyuncs.com/${key}`)
    expect(put.headers).toMatchObject({
      Authorization: `OSS STS.key:${expected}`,
      'x-oss-date': 'Thu, 01 Jan 2026 00:00:00 GMT',
      'x-oss-security-token': 'token-123',
      'Content-Type': 'application/octet-stream',
    })
  })

  it('keeps an explicit endpoint scheme', async () => {
    const put = await signPut({ ...creds, endpoint: 'http://127.0.0.1:9000/' }, 'p/k', 'application/octet-stream')
    expect(put.url).toBe('http://hoist-files.127.0.0.1:9000/p/k')
  })

  it('makes keys under the prefix like the server does', () => {
    const k = objectKey(creds.keyPrefix, 'My App.WGT', new Date('2026-03-05T00:00:00Z'))
    expect(k).toMatch(/^866116d35b382bb6e1ae0cbb484b9950\/2026-03\/[0-9a-f]{32}\.wgt$/)
  })
})
