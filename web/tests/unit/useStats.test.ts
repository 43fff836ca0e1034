import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, ref } from 'vue'
import { api } from '@/api'
import { setLocale } from '@/i18n'
import { useStats } from '@/composables/useStats'
import { useSessionStore } from '@/stores/session'
import { mockAdapter, ok } from './helpers/mockAdapter'

const P = 'p'.repeat(32)
const release = (id: string, type: number, version: string, versionCode: number) => ({ id, type, version, versionCode })

describe('useStats', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLocale('en')
    useSessionStore().setSession({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 900,
      tokenType: 'Bearer',
      user: { id: 'u', username: 'u', nickname: '', email: '', role: 'admin', disabled: false, createdTime: '', updatedTime: '' },
    })
  })

  it('loads a range, fills the days and names versions and offers after the releases', async () => {
    const { adapter, calls } = mockAdapter({
      [`GET /v1/projects/${P}/stats`]: (c) =>
        ok({
          from: c.params?.from ?? '2026-11-15',
          to: c.params?.to ?? '2026-11-21',
          checksPerDay: [{ day: '2026-11-20', count: 5 }],
          platforms: [
            { key: 'android', count: 4 },
            { key: 'ios', count: 1 },
          ],
          results: [{ key: 'wgt', count: 5 }],
          wgtVersions: [
            { versionCode: 101, count: 3 },
            { versionCode: 100, count: 2 },
          ],
          nativeVersions: [
            { versionCode: 100, count: 5 },
            { versionCode: -1, count: 1 },
          ],
          offers: [{ key: 'w'.repeat(32), count: 5 }],
          newDevicesPerDay: null,
        }),
      [`GET /v1/projects/${P}/resources`]: () =>
        ok({ total: 2, records: [release('w'.repeat(32), 1, '1.0.1', 101), release('n'.repeat(32), 3, '1.0.0', 100)], pageNum: 1, pageSize: 100 }),
      'GET /v1/dicts': () => ok([]),
    })
    api.transport = adapter
    const id = ref<string | undefined>(P)
    const range = ref({})
    const scope = effectScope()
    const st = scope.run(() => useStats(id, range))!
    await flushPromises()
    expect(st.checks.value).toHaveLength(7)
    expect(st.checks.value.map((d) => d.count)).toEqual([0, 0, 0, 0, 0, 5, 0])
    expect(st.newDevices.value.every((d) => d.count === 0)).toBe(true)
    expect(st.totalChecks.value).toBe(5)
    expect(st.platforms.value.map((s) => [s.label, s.percent])).toEqual([
      ['Android', 80],
      ['iOS', 20],
    ])
    expect(st.results.value[0]!.label).toBe('Wgt update')
    expect(st.wgtVersions.value.map((s) => s.label)).toEqual(['1.0.1 (101)', 'As shipped in the app package (code 100)'])
    expect(st.nativeVersions.value.map((s) => s.label)).toEqual(['1.0.0 (100)', 'Other versions (past 500 in a day)'])
    expect(st.offers.value[0]!.label).toBe('1 1.0.1 (101)') // no dictionary loaded: the raw type

    range.value = { from: '2026-11-01', to: '2026-11-30' }
    await flushPromises()
    const last = calls.filter((c) => c.url?.endsWith('/stats')).at(-1)!
    expect(last.params).toEqual({ from: '2026-11-01', to: '2026-11-30' })
    expect(st.checks.value).toHaveLength(30)

    id.value = undefined
    await flushPromises()
    expect(st.stats.value).toBeNull()
    scope.stop()
  })
})
