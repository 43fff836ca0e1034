import dayjs from 'dayjs'
import type { DayCount } from '@/api/types'

/**
 * fillDays returns one point per day from `from` to `to` (YYYY-MM-DD,
 * inclusive): the API lists only days with counts.
 */
export function fillDays(from: string, to: string, counts: DayCount[] | null | undefined): DayCount[] {
  const byDay = new Map<string, number>()
  for (const c of counts ?? []) byDay.set(c.day, (byDay.get(c.day) ?? 0) + c.count)
  const out: DayCount[] = []
  let d = dayjs(from)
  const end = dayjs(to)
  if (!d.isValid() || !end.isValid()) return [...(counts ?? [])]
  for (let i = 0; !d.isAfter(end, 'day') && i < 400; i++) {
    const day = d.format('YYYY-MM-DD')
    out.push({ day, count: byDay.get(day) ?? 0 })
    d = d.add(1, 'day')
  }
  return out
}

/** niceMax rounds a maximum up to 1, 2 or 5 times a power of ten (at least 1), for an axis. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(max))
  for (const m of [1, 2, 5, 10]) if (max <= m * p) return m * p
  return 10 * p
}

export interface Share {
  key: string
  label: string
  count: number
  /** 0 to 100, one decimal. */
  percent: number
  color: string
}

/**
 * shares sorts counts largest first and keeps `limit` of them, folding the
 * rest into one "other" entry; percents are of the whole.
 */
export function shares(
  items: { key: string; label: string; count: number; color: string }[],
  limit: number,
  other: { label: string; color: string },
): Share[] {
  const total = items.reduce((n, i) => n + i.count, 0)
  const pct = (n: number) => (total > 0 ? Math.round((n / total) * 1000) / 10 : 0)
  const sorted = [...items].sort((a, b) => b.count - a.count)
  const kept = sorted.slice(0, limit).map((i) => ({ ...i, percent: pct(i.count) }))
  const rest = sorted.slice(limit).reduce((n, i) => n + i.count, 0)
  if (rest > 0) kept.push({ key: '__other', label: other.label, count: rest, percent: pct(rest), color: other.color })
  return kept
}

/** sum adds the counts of a series. */
export function sum(items: { count: number }[] | null | undefined): number {
  return (items ?? []).reduce((n, i) => n + i.count, 0)
}
