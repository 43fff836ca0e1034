import type { UploadCredentials } from './types'

/** A signed PUT of one object to Aliyun OSS (header signature, V1). */
export interface OssPut {
  url: string
  headers: Record<string, string>
}

function endpointParts(endpoint: string): { scheme: string; host: string } {
  const m = /^(https?):\/\/(.*)$/i.exec(endpoint.trim())
  const scheme = m?.[1]?.toLowerCase() ?? 'https'
  const host = (m?.[2] ?? endpoint.trim()).replace(/\/+$/, '')
  return { scheme, host }
}

function base64(bytes: ArrayBuffer): string {
  let s = ''
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b)
  return btoa(s)
}

/** hmacSha1 signs with Web Crypto (present in secure contexts only). */
export async function hmacSha1(secret: string, text: string): Promise<string> {
  const enc = new TextEncoder()
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign'])
  return base64(await crypto.subtle.sign('HMAC', key, enc.encode(text)))
}

/** canWebCrypto reports whether this page can sign (https or localhost). */
export function canWebCrypto(): boolean {
  return typeof crypto !== 'undefined' && typeof crypto.subtle?.importKey === 'function'
}

/**
 * stringToSign is OSS's canonical string for a PUT signed in the
 * Authorization header; browsers cannot set Date, so x-oss-date stands in.
 */
export function stringToSign(bucket: string, key: string, contentType: string, headers: Record<string, string>): string {
  const oss = Object.keys(headers)
    .map((k) => k.toLowerCase())
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${String(headers[k]).trim()}`)
  return ['PUT', '', contentType, headers['x-oss-date'], ...oss, `/${bucket}/${key}`].join('\n')
}

/** signPut builds the URL and headers of a direct upload with STS credentials. */
export async function signPut(c: UploadCredentials, key: string, contentType: string, now = new Date()): Promise<OssPut> {
  const { scheme, host } = endpointParts(c.endpoint)
  const headers: Record<string, string> = {
    'x-oss-date': now.toUTCString(),
    'x-oss-security-token': c.securityToken,
  }
  const sig = await hmacSha1(c.accessKeySecret, stringToSign(c.bucket, key, contentType, headers))
  const path = key.split('/').map(encodeURIComponent).join('/')
  return {
    url: `${scheme}://${c.bucket}.${host}/${path}`,
    headers: { ...headers, 'Content-Type': contentType, Authorization: `OSS ${c.accessKeyId}:${sig}` },
  }
}

/** objectKey is a fresh key under the credentials' prefix, like Hoist's own. */
export function objectKey(prefix: string, fileName: string, now = new Date()): string {
  const rnd = new Uint8Array(16)
  crypto.getRandomValues(rnd)
  const hex = Array.from(rnd, (b) => b.toString(16).padStart(2, '0')).join('')
  const month = now.toISOString().slice(0, 7)
  const ext = /\.[A-Za-z0-9]{1,10}$/.exec(fileName)?.[0].toLowerCase() ?? ''
  return `${prefix.replace(/\/?$/, '/')}${month}/${hex}${ext}`
}
