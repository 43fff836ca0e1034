import type { Wave } from '@/api/types'

type Translate = (key: string, named?: Record<string, unknown>, plural?: number) => string

/** waveText says which devices a wave holds: "tag canary", "10 devices", "25 % of the target", "the rest". */
export function waveText(w: Pick<Wave, 'tag' | 'count' | 'percent' | 'rest'>, t: Translate): string {
  if (w.tag) return t('ota.waves.tagSpec', { tag: w.tag })
  if (w.count) return t('ota.waves.countSpec', { n: w.count }, w.count)
  if (w.percent) return t('ota.waves.percentSpec', { n: w.percent })
  return t('ota.waves.restSpec')
}
