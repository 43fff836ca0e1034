import dayjs from 'dayjs'

/** formatTime shows an RFC 3339 time in local time; "—" for none. */
export function formatTime(v?: string | null): string {
  if (!v || v.startsWith('0001-')) return '—'
  const d = dayjs(v)
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : v
}

/** formatSize shows a byte count with a binary unit. */
export function formatSize(n?: number | null): string {
  if (n == null || n <= 0) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`
}
