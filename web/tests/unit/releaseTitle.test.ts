import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { defineComponent, h } from 'vue'
import type { Resource } from '@/api/types'
import { useReleaseTitle } from '@/components/resource/releaseTitle'
import { i18n, setLocale } from '@/i18n'
import { useDictStore } from '@/stores/dicts'

type Named = Pick<Resource, 'type' | 'version' | 'versionCode' | 'label' | 'channel'>

/** names returns useReleaseTitle's names of the releases, with inChannels as given. */
function names(rs: Named[], inChannels: boolean): string[] {
  let out: string[] = []
  mount(
    defineComponent({
      setup() {
        const named = useReleaseTitle(() => inChannels)
        out = rs.map(named)
        return () => h('div')
      },
    }),
    { global: { plugins: [i18n] } },
  )
  return out
}

const wgt: Named = { type: 1, version: '1.1.0', versionCode: 110, label: '', channel: 'beta' }
const apk: Named = { type: 3, version: '1.1.0', versionCode: 110, label: '', channel: 'production' }
const bundle: Named = { type: 6, version: '^1.2.0', versionCode: 3, label: 'v3', channel: 'production' }
const firmware: Named = { type: 5, version: '2.0.0', versionCode: 200, label: '', channel: 'production' }

describe('useReleaseTitle', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    const item = (value: string, label: string, labelEn: string) => ({ id: value, label, labelEn, value, color: '', sort: Number(value), enabled: true, createdTime: '', updatedTime: '' })
    useDictStore().dicts = [
      {
        code: 'resource_type',
        name: '资源类型',
        nameEn: 'Resource type',
        description: '',
        descriptionEn: '',
        builtin: true,
        createdTime: '',
        updatedTime: '',
        items: [item('1', 'wgt 安卓', 'Wgt (Android)'), item('3', '安卓整包', 'Android (apk)'), item('5', '固件', 'Firmware'), item('6', 'CodePush 安卓', 'CodePush (Android)')],
      },
    ]
  })
  afterEach(() => void setLocale('en'))

  it('tells two releases of one version apart by type and code, in English', () => {
    void setLocale('en')
    expect(names([wgt, apk, bundle, firmware], false)).toEqual([
      'Wgt (Android) 1.1.0 (code 110)',
      'Android (apk) 1.1.0 (code 110)',
      'CodePush (Android) v3 (^1.2.0)',
      'Firmware 2.0.0 (code 200)',
    ])
    expect(i18n.global.t('resource.deleteConfirm', { release: names([wgt], false)[0] })).toBe('Delete Wgt (Android) 1.1.0 (code 110)?')
  })

  it('names the channel when the project has more than one (firmware has none)', () => {
    void setLocale('en')
    expect(names([wgt, firmware], true)).toEqual(['Wgt (Android) 1.1.0 (code 110) in beta', 'Firmware 2.0.0 (code 200)'])
  })

  it('says the same in Chinese', () => {
    void setLocale('zh-CN')
    const [w, a] = names([wgt, apk], true)
    expect(w).toBe('beta 渠道的 wgt 安卓 1.1.0（版本号 110）')
    expect(a).toBe('production 渠道的 安卓整包 1.1.0（版本号 110）')
    expect(i18n.global.t('resource.deleteConfirm', { release: a })).toBe('删除 production 渠道的 安卓整包 1.1.0（版本号 110）？')
    expect(i18n.global.t('resource.disabledNow', { release: w })).toBe('已停用 beta 渠道的 wgt 安卓 1.1.0（版本号 110）')
  })
})
