import { describe, expect, it } from 'vitest'
import { i18n } from '@/i18n'

describe('counted messages', () => {
  const t = i18n.global.t

  it('say "1 device", "2 devices" in English', () => {
    i18n.global.locale.value = 'en'
    expect(t('ota.started', { n: 1 }, 1)).toBe('Campaign started: 1 device')
    expect(t('ota.started', { n: 2 }, 2)).toBe('Campaign started: 2 devices')
    expect(t('ota.started', { n: 0 }, 0)).toBe('Campaign started: 0 devices')
    expect(t('device.batchSubmit', { n: 1 }, 1)).toBe('Create 1 device')
    expect(t('device.batchCreated', { n: 3 }, 3)).toBe('3 devices created')
    expect(t('device.batchResult', { n: 1 }, 1)).toMatch(/^1 device created: copy or download its secret now/)
    expect(t('imports.omitted', { n: 1 }, 1)).toMatch(/^1 record imported .* is not listed/)
  })

  it('keep one form in Chinese', () => {
    i18n.global.locale.value = 'zh-CN'
    try {
      expect(t('ota.started', { n: 1 }, 1)).toBe('升级已开始：1 台设备')
      expect(t('ota.started', { n: 2 }, 2)).toBe('升级已开始：2 台设备')
    } finally {
      i18n.global.locale.value = 'en'
    }
  })
})
