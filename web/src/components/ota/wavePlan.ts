import type { CampaignInput, WaveSpec } from '@/api/types'

/** How a wave of a plan picks its devices. */
export type WaveKind = 'tag' | 'count' | 'percent'

/** One row of the wave editor. */
export interface WaveRow {
  kind: WaveKind
  tag: string
  n?: number
}

/** The wave part of the campaign form. */
export interface WavePlan {
  enabled: boolean
  rows: WaveRow[]
  successThreshold?: number
  errorThreshold?: number
  /** Empty: only the campaign's lifetime. */
  waveTimeoutMinutes?: number
}

/** The most waves a plan may list (the devices they leave make one more). */
export const MAX_WAVES = 20

/** defaultPlan: off; when turned on, 10 % then 50 % (and the rest), the server's thresholds. */
export function defaultPlan(): WavePlan {
  return {
    enabled: false,
    rows: [
      { kind: 'percent', tag: '', n: 10 },
      { kind: 'percent', tag: '', n: 50 },
    ],
    successThreshold: 95,
    errorThreshold: 10,
  }
}

/** waveSpec is a row as the API takes it. */
export function waveSpec(r: WaveRow): WaveSpec {
  if (r.kind === 'tag') return { tag: r.tag.trim() }
  if (r.kind === 'count') return { count: r.n ?? 0 }
  return { percent: r.n ?? 0 }
}

/** waveInput is the plan's part of a campaign request: nothing when it is off. */
export function waveInput(p: WavePlan): Pick<CampaignInput, 'waves' | 'successThreshold' | 'errorThreshold' | 'waveTimeoutSeconds'> {
  if (!p.enabled || !p.rows.length) return {}
  const out: ReturnType<typeof waveInput> = { waves: p.rows.map(waveSpec) }
  if (p.successThreshold != null) out.successThreshold = p.successThreshold
  if (p.errorThreshold != null) out.errorThreshold = p.errorThreshold
  if (p.waveTimeoutMinutes) out.waveTimeoutSeconds = Math.round(p.waveTimeoutMinutes * 60)
  return out
}

/** The API fields of row i's errors, most specific first. */
export function waveErrorFields(i: number): string[] {
  return [`waves[${i}].tag`, `waves[${i}].count`, `waves[${i}].percent`, `waves[${i}]`]
}
