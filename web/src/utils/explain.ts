import type { TraceStep } from '@/api/types'
import { i18n, t } from '@/i18n'

/** reasonLabel is the short label of a trace step's verdict: the reason it was skipped, or "Offered". */
export function reasonLabel(s: TraceStep): string {
  if (s.verdict === 'offered') return t('simulate.offered')
  const k = `simulate.reasons.${s.reason}`
  return s.reason && i18n.global.te(k) ? t(k) : t('simulate.skipped')
}

/**
 * stepText says in the current language why a candidate was offered or
 * skipped; channel is the channel the device got. Unknown reasons fall
 * back to the server's (English) sentence.
 */
export function stepText(s: TraceStep, channel: string): string {
  if (s.verdict === 'offered') return t('simulate.why.offered')
  switch (s.reason) {
    case 'other_channel':
      return t('simulate.why.other_channel', { channel: s.channel, device: channel })
    case 'outside_rollout':
      return s.bucket == null
        ? t('simulate.why.outside_rollout_nokey', { percent: s.percent ?? 0 })
        : t('simulate.why.outside_rollout', { percent: s.percent ?? 0, last: Math.max(0, (s.percent ?? 0) - 1), bucket: s.bucket })
    case 'disabled':
    case 'native_mismatch':
    case 'not_newer':
    case 'superseded':
      return t(`simulate.why.${s.reason}`)
    default:
      return s.message
  }
}
