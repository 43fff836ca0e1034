import { afterEach, describe, expect, it } from 'vitest'
import type { TraceStep } from '@/api/types'
import { setLocale } from '@/i18n'
import { reasonLabel, stepText } from '@/utils/explain'

const step = (p: Partial<TraceStep>): TraceStep => ({
  resourceId: 'r',
  type: 1,
  version: '1.0.2',
  versionCode: 102,
  channel: 'production',
  verdict: 'skipped',
  message: 'server sentence',
  ...p,
})

describe('trace step labels', () => {
  afterEach(() => setLocale('en'))

  it('names every reason in English and Chinese', () => {
    setLocale('en')
    expect(reasonLabel(step({ verdict: 'offered' }))).toBe('Offered')
    expect(reasonLabel(step({ reason: 'other_channel' }))).toBe('Other channel')
    expect(stepText(step({ reason: 'other_channel' }), 'beta')).toBe('It is in channel production; this device gets channel beta.')
    setLocale('zh-CN')
    expect(reasonLabel(step({ reason: 'other_channel' }))).toBe('其他渠道')
    for (const reason of ['disabled', 'other_channel', 'native_mismatch', 'not_newer', 'outside_rollout', 'superseded'] as const) {
      expect(reasonLabel(step({ reason }))).not.toMatch(/[a-z_]{4,}/)
      expect(stepText(step({ reason, percent: 10, bucket: 42 }), 'beta')).not.toBe('server sentence')
    }
  })

  it('gives the bucket and percent of a rollout, or says the device sent no key', () => {
    setLocale('en')
    expect(stepText(step({ reason: 'outside_rollout', percent: 30, bucket: 57 }), 'production')).toBe(
      'It is rolled out to 30% of devices (buckets 0 to 29); this device is in bucket 57.',
    )
    expect(stepText(step({ reason: 'outside_rollout', percent: 30 }), 'production')).toMatch(/sends no uuid or ID/)
  })

  it('falls back to the server sentence for a reason it does not know', () => {
    setLocale('en')
    const s = step({ reason: 'new_reason' as TraceStep['reason'] })
    expect(reasonLabel(s)).toBe('Skipped')
    expect(stepText(s, 'production')).toBe('server sentence')
  })
})
