import type { DeviceBatch, IssuedDevice } from '@/api/types'

export type BatchBody = { csv: string } | { devices: { name: string; tags: string[] }[] }

export class ImportError extends Error {}

function tagList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((t) => String(t).trim()).filter(Boolean)
  if (typeof v === 'string') return v.split(/[;|,]/).map((t) => t.trim()).filter(Boolean)
  return []
}

/**
 * parseImport reads what was pasted or chosen for a device batch: JSON (a
 * list of {name, tags}, or {devices: [...]}, or a list of names) goes as
 * JSON; anything else is CSV, sent as text/csv for the server to parse,
 * with the header name,tags added when the first line is not one.
 */
export function parseImport(text: string): BatchBody {
  const src = text.replace(/^\ufeff/, '').trim()
  if (!src) throw new ImportError('empty')
  if (src.startsWith('{') || src.startsWith('[')) {
    let v: unknown
    try {
      v = JSON.parse(src)
    } catch (e) {
      throw new ImportError(e instanceof Error ? e.message : String(e))
    }
    const list = Array.isArray(v) ? v : (v as { devices?: unknown }).devices
    if (!Array.isArray(list)) throw new ImportError('devices')
    return {
      devices: list.map((d) =>
        typeof d === 'string'
          ? { name: d.trim(), tags: [] }
          : { name: String((d as { name?: unknown })?.name ?? '').trim(), tags: tagList((d as { tags?: unknown })?.tags) },
      ),
    }
  }
  const first = src.split(/\r?\n/, 1)[0]!
  const cells = first.split(',').map((c) => c.trim().toLowerCase())
  const hasHeader = cells.includes('name')
  return { csv: hasHeader ? src + '\n' : `name,tags\n${src}\n` }
}

/** countRows estimates how many devices the text names (for the button). */
export function countRows(text: string): number {
  try {
    const b = parseImport(text)
    if ('devices' in b) return b.devices.length
    return b.csv.split(/\r?\n/).filter((l) => l.trim()).length - 1
  } catch {
    return 0
  }
}

/**
 * credentialsFile is the JSON to download for issued devices: the batch
 * answer {count, devices}, which `hoist device-sim -devices FILE` reads.
 */
export function credentialsFile(devices: IssuedDevice[]): string {
  const out: DeviceBatch = { count: devices.length, devices }
  return JSON.stringify(out, null, 2) + '\n'
}

/** download saves text as a file in the browser. */
export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
