import { api } from './index'
import { ApiError, toApiError } from './errors'
import { canWebCrypto, objectKey, signPut } from './oss'
import type { UploadCredentials, UploadedFile } from './types'

export interface UploadProgress {
  onProgress?: (percent: number) => void
  signal?: AbortSignal
}

/**
 * What the panel knows of the server's storage. The API does not say
 * whether browsers may upload straight to OSS, and asking
 * (upload-credentials) answers 409 when they may not, which browsers log as
 * an error. So the panel asks only once it has seen a file URL that Hoist
 * does not serve itself (local storage serves /files/...), and remembers a
 * refusal.
 */
const STORAGE_KEY = 'hoist.storage'
type StorageKind = 'local' | 'remote' | 'no-direct'

function storageKind(): StorageKind | null {
  try {
    const v = localStorage.getItem(STORAGE_KEY)
    return v === 'local' || v === 'remote' || v === 'no-direct' ? v : null
  } catch {
    return null
  }
}

function setStorageKind(k: StorageKind): void {
  try {
    localStorage.setItem(STORAGE_KEY, k)
  } catch {
    /* no storage */
  }
}

/** noteFileUrl learns from the download URL of an uploaded file. */
export function noteFileUrl(url: string | undefined): void {
  if (!url || storageKind() === 'no-direct') return
  try {
    const path = new URL(url, location.href).pathname
    // A release's stable link (/d/...) is Hoist's whatever the storage: it tells nothing.
    if (path.startsWith('/d/')) return
    setStorageKind(path.startsWith('/files/') ? 'local' : 'remote')
  } catch {
    /* not a URL */
  }
}

async function directCredentials(projectId: string): Promise<UploadCredentials | null> {
  if (storageKind() !== 'remote' || !canWebCrypto()) return null
  try {
    return await api.get<UploadCredentials>(`/v1/projects/${projectId}/upload-credentials`, { silent: true })
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      setStorageKind('no-direct')
      return null
    }
    throw err
  }
}

async function uploadToOss(projectId: string, type: number, file: File, c: UploadCredentials, p: UploadProgress) {
  const key = objectKey(c.keyPrefix || `${projectId}/`, file.name)
  const put = await signPut(c, key, 'application/octet-stream')
  try {
    // The body is the file itself; OSS answers an empty 200.
    const res = await api.transport({
      method: 'put',
      url: put.url,
      headers: { ...put.headers },
      data: file,
      signal: p.signal,
      timeout: 0,
      onUploadProgress: (ev) => p.onProgress?.(Math.floor((ev.loaded / (ev.total ?? file.size)) * 100)),
    })
    if (res.status < 200 || res.status >= 300) throw new ApiError(res.status, 'http', `HTTP ${res.status}`)
  } catch (err) {
    const e = toApiError(err)
    if (e.canceled) throw e
    const msg = `direct upload to OSS failed (${e.status ? `HTTP ${e.status}` : 'check the bucket CORS rule'})`
    const out = new ApiError(e.status, 'oss', msg)
    api.hooks.onError?.(out)
    out.reported = true
    throw out
  }
  return api.post<UploadedFile>(`/v1/projects/${projectId}/files/register`, { key, name: file.name, type })
}

/**
 * uploadFile stores a file for a resource of the given type: straight to OSS
 * with STS credentials when the server offers them, otherwise through Hoist
 * (multipart field "file"). Progress is reported in percent.
 */
export async function uploadFile(projectId: string, type: number, file: File, p: UploadProgress = {}) {
  const creds = await directCredentials(projectId)
  if (creds) return uploadToOss(projectId, type, file, creds, p)
  const f = await api.upload<UploadedFile>(`/v1/projects/${projectId}/files`, file, {
    params: { type },
    signal: p.signal,
    onProgress: (pct) => p.onProgress?.(pct),
  })
  noteFileUrl(f.url)
  return f
}
