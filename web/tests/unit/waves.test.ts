import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, ref } from 'vue'
import { api } from '@/api'
import type { Campaign, CampaignWaves as Waves, Wave } from '@/api/types'
import { i18n, setLocale } from '@/i18n'
import CampaignWaves from '@/components/ota/CampaignWaves.vue'
import { defaultPlan, waveInput } from '@/components/ota/wavePlan'
import { waveText } from '@/components/ota/waveText'
import { CAMPAIGN_POLL_MS, useCampaign } from '@/composables/useCampaign'
import { useSessionStore } from '@/stores/session'
import { mockAdapter, ok } from './helpers/mockAdapter'

const ID = 'c'.repeat(32)

function wave(number: number, extra: Partial<Wave>): Wave {
  return { number, size: 2, status: 'waiting', succeeded: 0, failures: 0, counts: {}, ...extra }
}

function campaign(status: Campaign['status'], waves: Partial<Waves> = {}): Campaign {
  return {
    id: ID,
    projectId: 'p'.repeat(32),
    product: 'thermo',
    resourceId: 'r'.repeat(32),
    version: '1.1.0',
    target: { all: true },
    requestId: 'q'.repeat(32),
    status,
    total: 6,
    counts: { sent: 2, waiting: 4 },
    waves: {
      current: 1,
      successThreshold: 95,
      errorThreshold: 10,
      waveTimeoutSeconds: 0,
      waveDeadline: null,
      pausedAt: null,
      pauseReason: '',
      started: 2,
      failures: 0,
      failuresAcked: 0,
      list: [wave(1, { tag: 'canary', status: 'running' }), wave(2, { percent: 30 }), wave(3, { rest: true })],
      ...waves,
    },
    expiresAt: '2026-11-22T00:00:00Z',
    cancelledAt: null,
    createdBy: 'u',
    createdTime: '2026-11-21T00:00:00Z',
    updatedTime: '2026-11-21T00:00:00Z',
  }
}

function signIn(): void {
  useSessionStore().setSession({
    accessToken: 'a',
    refreshToken: 'r',
    expiresIn: 900,
    tokenType: 'Bearer',
    user: { id: 'u', username: 'u', nickname: '', email: '', role: 'admin', disabled: false, createdTime: '', updatedTime: '' },
  })
}

describe('wave plan of the campaign form', () => {
  it('sends nothing while off, the waves and thresholds when on', () => {
    const p = defaultPlan()
    expect(waveInput(p)).toEqual({})
    p.enabled = true
    p.rows = [
      { kind: 'tag', tag: ' canary ' },
      { kind: 'count', tag: '', n: 5 },
      { kind: 'percent', tag: '', n: 50 },
    ]
    p.errorThreshold = 0
    p.waveTimeoutMinutes = 30
    expect(waveInput(p)).toEqual({
      waves: [{ tag: 'canary' }, { count: 5 }, { percent: 50 }],
      successThreshold: 95,
      errorThreshold: 0,
      waveTimeoutSeconds: 1800,
    })
  })

  it('names what each wave holds, in both languages', () => {
    const t = i18n.global.t
    setLocale('en')
    expect([{ tag: 'canary' }, { count: 1 }, { count: 3 }, { percent: 25 }, { rest: true }].map((w) => waveText(w, t))).toEqual([
      'tag canary',
      '1 device',
      '3 devices',
      '25% of the target',
      'the rest',
    ])
    setLocale('zh-CN')
    expect(waveText({ count: 3 }, t)).toBe('3 台设备')
    setLocale('en')
  })
})

describe('CampaignWaves', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setLocale('en')
    signIn()
    api.transport = mockAdapter({
      [`GET /v1/ota/campaigns/${ID}/events`]: () =>
        ok({
          total: 2,
          pageNum: 1,
          pageSize: 100,
          records: [
            { id: 1, kind: 'wave_started', wave: 1, by: 'u', reason: 'the campaign started', data: {}, time: '2026-11-21T00:00:00Z' },
            { id: 2, kind: 'paused', wave: 1, by: 'system', reason: '1 of 2 started devices failed (50%)', data: {}, time: '2026-11-21T00:01:00Z' },
          ],
        }),
    }).adapter
  })

  it('shows the waves, a pause and its reason, the course, and offers resume to operators', async () => {
    const c = campaign('paused', { pausedAt: '2026-11-21T00:01:00Z', pauseReason: '1 of 2 started devices failed (50%)', failures: 1 })
    const w = mount(CampaignWaves, { props: { campaign: c, publish: true, acting: null }, global: { plugins: [i18n] } })
    await flushPromises()
    expect(w.get('[data-testid=waves-current]').text()).toBe('Wave 1 of 3')
    expect(w.get('[data-testid=pause-reason]').text()).toBe('1 of 2 started devices failed (50%)')
    expect(['1', '2', '3'].map((n) => w.get(`[data-testid=wave-${n}]`).attributes('data-status'))).toEqual(['running', 'waiting', 'waiting'])
    expect(w.text()).toContain('tag canary')
    expect(w.text()).toContain('30% of the target')
    expect(w.get('[data-testid=waves-failures]').text()).toContain('1 of 2 started (50%)')
    expect(w.findAll('[data-testid=wave-events] [data-kind]').map((e) => e.attributes('data-kind'))).toEqual(['wave_started', 'paused'])
    expect(w.find('[data-testid=waves-pause]').exists()).toBe(false)
    await w.get('[data-testid=waves-resume]').trigger('click')
    expect(w.emitted('act')).toEqual([['resume']])
  })

  it('offers nothing to a reader, or once the campaign is over', async () => {
    const reader = mount(CampaignWaves, { props: { campaign: campaign('active'), publish: false, acting: null }, global: { plugins: [i18n] } })
    expect(reader.find('[data-testid=waves-pause]').exists()).toBe(false)
    const over = mount(CampaignWaves, { props: { campaign: campaign('cancelled'), publish: true, acting: null }, global: { plugins: [i18n] } })
    expect(over.find('[data-testid=waves-pause]').exists()).toBe(false)
    expect(over.find('[data-testid=waves-advance]').exists()).toBe(false)
    const running = mount(CampaignWaves, { props: { campaign: campaign('active'), publish: true, acting: null }, global: { plugins: [i18n] } })
    await running.get('[data-testid=waves-pause]').trigger('click')
    expect(running.emitted('act')).toEqual([['pause']])
  })
})

describe('useCampaign with waves', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    signIn()
  })
  afterEach(() => vi.useRealTimers())

  it('keeps polling a paused campaign; pause and resume replace it', async () => {
    let current = campaign('active')
    const { adapter, calls } = mockAdapter({
      [`GET /v1/ota/campaigns/${ID}`]: () => ok(current),
      [`POST /v1/ota/campaigns/${ID}/pause`]: () => ok((current = campaign('paused', { pausedAt: '2026-11-21T00:01:00Z' }))),
      [`POST /v1/ota/campaigns/${ID}/resume`]: () => ok({ campaign: (current = campaign('active', { current: 2 })), resent: 0 }),
    })
    api.transport = adapter
    const scope = effectScope()
    const c = scope.run(() => useCampaign(ref(ID)))!
    await vi.advanceTimersByTimeAsync(0)
    await expect(c.act('pause')).resolves.toBe(true)
    expect(c.campaign.value?.status).toBe('paused')
    await vi.advanceTimersByTimeAsync(CAMPAIGN_POLL_MS)
    expect(c.polling.value).toBe(true)
    expect(calls.filter((x) => x.method === 'get')).toHaveLength(2)
    await expect(c.act('resume')).resolves.toBe(true)
    expect(c.campaign.value?.waves?.current).toBe(2)
    expect(c.acting.value).toBe(null)
    scope.stop()
  })
})
