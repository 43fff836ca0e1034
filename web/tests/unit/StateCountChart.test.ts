import { beforeEach, describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { i18n, setLocale } from '@/i18n'
import { OTA_STATES } from '@/api/types'
import DayBarChart from '@/components/charts/DayBarChart.vue'
import StateBar from '@/components/ota/StateBar.vue'
import StateCountChart from '@/components/ota/StateCountChart.vue'
import { useDictStore } from '@/stores/dicts'

const LABELS: Record<string, [string, string, string]> = {
  waiting: ['等待批次', 'Waiting', 'default'],
  sent: ['已下发', 'Sent', 'default'],
  accepted: ['已接受', 'Accepted', 'blue'],
  downloading: ['下载中', 'Downloading', 'processing'],
  downloaded: ['已下载', 'Downloaded', 'cyan'],
  verified: ['已校验', 'Verified', 'geekblue'],
  installing: ['安装中', 'Installing', 'processing'],
  rebooting: ['重启中', 'Rebooting', 'processing'],
  succeeded: ['升级成功', 'Succeeded', 'success'],
  failed: ['升级失败', 'Failed', 'error'],
  rejected: ['已拒绝', 'Rejected', 'warning'],
  skipped: ['无需升级', 'Skipped', 'default'],
  expired: ['已超时', 'Expired', 'orange'],
  cancelled: ['已取消', 'Cancelled', '#123456'],
}

/** The built-in ota_state dictionary, as GET /v1/dicts returns it. */
function loadDict(): void {
  const dicts = useDictStore()
  dicts.dicts = [
    {
      code: 'ota_state',
      name: 'OTA 状态',
      nameEn: 'OTA states',
      description: '',
      descriptionEn: '',
      builtin: true,
      createdTime: '',
      updatedTime: '',
      items: OTA_STATES.map((v, i) => ({
        id: v,
        value: v,
        label: LABELS[v]![0],
        labelEn: LABELS[v]![1],
        color: LABELS[v]![2],
        sort: i + 1,
        enabled: v !== 'skipped', // a disabled item is still a state that counts
        createdTime: '',
        updatedTime: '',
      })),
    },
  ]
  dicts.loaded = true
}

describe('StateCountChart', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLocale('en')
    loadDict()
  })

  it('renders every state of the ota_state dictionary in its order, zeros included', () => {
    const w = mount(StateCountChart, {
      props: { counts: { succeeded: 3, failed: 1 }, total: 4 },
      global: { plugins: [i18n] },
    })
    const cols = w.findAll('[data-testid^="state-"]').filter((c) => c.attributes('data-count') !== undefined)
    expect(cols.map((c) => c.attributes('data-testid'))).toEqual(OTA_STATES.map((s) => `state-${s}`))
    expect(cols.map((c) => c.attributes('data-count'))).toEqual(OTA_STATES.map((s) => (s === 'succeeded' ? '3' : s === 'failed' ? '1' : '0')))
    const sent = w.get('[data-testid=state-sent]')
    expect(sent.text()).toContain('Sent')
    expect(sent.text()).toContain('0%')
    expect(sent.classes()).toContain('is-zero')
    expect(w.get('[data-testid=state-succeeded]').text()).toContain('75%')
    // Colours come from the dictionary (ant-design names turned into CSS colours).
    const fill = (s: string) => (w.get(`[data-testid=state-${s}] .state-chart__fill`).element as HTMLElement).style.background
    expect(fill('succeeded')).toMatch(/#52c41a|rgb\(82, 196, 26\)/)
    expect(fill('failed')).toMatch(/#ff4d4f|rgb\(255, 77, 79\)/)
    expect(fill('cancelled')).toMatch(/#123456|rgb\(18, 52, 86\)/)
    // The stacked bar has a segment for the non-zero states only.
    expect(w.findAll('[data-testid=state-bar] rect[data-state]').map((r) => r.attributes('data-state'))).toEqual(['succeeded', 'failed'])
  })

  it('follows the language of the dictionary labels', async () => {
    setLocale('zh-CN')
    const w = mount(StateCountChart, { props: { counts: {}, total: 0 }, global: { plugins: [i18n] } })
    expect(w.get('[data-testid=state-succeeded]').text()).toContain('升级成功')
    expect(w.get('[data-testid=state-succeeded]').text()).toContain('0%')
    setLocale('en')
  })

  it('emits the clicked state, and undefined when it is clicked again', async () => {
    const w = mount(StateCountChart, { props: { counts: { sent: 2 }, total: 2 }, global: { plugins: [i18n] } })
    await w.get('[data-testid=state-failed] button').trigger('click')
    expect(w.emitted('select')).toEqual([['failed']])
    await w.setProps({ selected: 'failed' })
    expect(w.get('[data-testid=state-failed]').classes()).toContain('is-selected')
    await w.get('[data-testid=state-failed] button').trigger('click')
    expect(w.emitted('select')![1]).toEqual([undefined])
  })

  it('lists a state the dictionary lacks after the known ones; without a dictionary, the API states', () => {
    const w = mount(StateCountChart, { props: { counts: { weird: 1 }, total: 1 }, global: { plugins: [i18n] } })
    expect(w.findAll('li').at(-1)!.attributes('data-testid')).toBe('state-weird')
    useDictStore().reset()
    const bare = mount(StateBar, { props: { counts: { sent: 1, accepted: 1 } }, global: { plugins: [i18n] } })
    expect(bare.findAll('rect[data-state]').map((r) => r.attributes('data-state'))).toEqual(['sent', 'accepted'])
  })
})

describe('DayBarChart', () => {
  it('draws a bar per day with its count, and says when there is nothing', () => {
    const points = [
      { day: '2026-11-19', count: 0 },
      { day: '2026-11-20', count: 7 },
      { day: '2026-11-21', count: 2 },
    ]
    const w = mount(DayBarChart, { props: { points, label: 'checks' }, global: { plugins: [i18n] } })
    const bars = w.findAll('rect[data-day]')
    expect(bars.map((b) => [b.attributes('data-day'), b.attributes('data-count')])).toEqual(points.map((p) => [p.day, String(p.count)]))
    const h = bars.map((b) => Number(b.attributes('height')))
    expect(h[0]).toBe(0)
    expect(h[1]).toBeGreaterThan(h[2]!)
    expect(w.find('title').text()).toBe('2026-11-19: 0')
    expect(w.text()).not.toContain('No data')
    const empty = mount(DayBarChart, { props: { points: [{ day: '2026-11-21', count: 0 }], label: 'checks' }, global: { plugins: [i18n] } })
    expect(empty.text()).toContain('No data')
  })
})
