import type { DeviceBatch, IssuedDevice } from '@/api/types'

/**
 * BatchBody is a device batch as sent: CSV text as the user wrote it (so
 * that the server's line numbers are the user's; header says whether its
 * first line names the columns), or JSON devices.
 */
export type BatchBody = { csv: string; header: boolean } | { devices: { name: string; tags: string[] }[] }

export class ImportError extends Error {}

function tagList(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((t) => String(t).trim()).filter(Boolean)
  if (typeof v === 'string') return v.split(/[;|,]/).map((t) => t.trim()).filter(Boolean)
  return []
}

/**
 * parseImport reads what was pasted or chosen for a device batch: JSON (a
 * list of {name, tags}, or {devices: [...]}, or a list of names) goes as
 * JSON; anything else is CSV, sent unchanged as text/csv for the server to
 * parse, with or without a header line (a first line naming a name column).
 */
export function parseImport(text: string): BatchBody {
  const raw = text.replace(/^\ufeff/, '')
  const src = raw.trim()
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
  return { csv: raw, header: cells.includes('name') }
}

/** countRows estimates how many devices the text names (for the button). */
export function countRows(text: string): number {
  try {
    const b = parseImport(text)
    if ('devices' in b) return b.devices.length
    return b.csv.split(/\r?\n/).filter((l) => l.trim()).length - (b.header ? 1 : 0)
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

/** Where a batch error is, from its field: a CSV line or a JSON list entry. */
export type ImportErrorPlace = { line: number; column: string } | { item: number; column: string }

/**
 * errorPlace reads the field of a batch error: lines[4].name is line 4 of
 * the CSV (as the file numbers it), devices[2].tags the third device of a
 * JSON list; null for any other field.
 */
export function errorPlace(field: string): ImportErrorPlace | null {
  const m = /^(lines|devices)\[(\d+)\]\.(\w+)$/.exec(field)
  if (!m) return null
  const n = Number(m[2])
  return m[1] === 'lines' ? { line: n, column: m[3]! } : { item: n + 1, column: m[3]! }
}
