import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { effectScope, ref } from 'vue'
import { api } from '@/api'
import type { Campaign } from '@/api/types'
import { CAMPAIGN_POLL_MS, useCampaign } from '@/composables/useCampaign'
import { useSessionStore } from '@/stores/session'
import { fail, mockAdapter, ok } from './helpers/mockAdapter'

const ID = 'c'.repeat(32)

function campaign(status: Campaign['status'], succeeded: number): Campaign {
  return {
    id: ID,
    projectId: 'p'.repeat(32),
    product: 'thermo',
    resourceId: 'r'.repeat(32),
    version: '1.1.0',
    target: { device: 'dev-0001' },
    requestId: 'q'.repeat(32),
    status,
    total: 1,
    counts: { sent: 1 - succeeded, succeeded },
    expiresAt: '2026-11-22T00:00:00Z',
    cancelledAt: null,
    createdBy: 'u',
    createdTime: '2026-11-21T00:00:00Z',
    updatedTime: '2026-11-21T00:00:00Z',
  }
}

describe('useCampaign', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    setActivePinia(createPinia())
    localStorage.clear()
    useSessionStore().setSession({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 900,
      tokenType: 'Bearer',
      user: { id: 'u', username: 'u', nickname: '', email: '', role: 'admin', disabled: false, createdTime: '', updatedTime: '' },
    })
  })
  afterEach(() => vi.useRealTimers())

  it('polls an active campaign every 2 s with its device table, then stops once it completed', async () => {
    const answers = [campaign('active', 0), campaign('active', 0), campaign('completed', 1)]
    const { adapter, calls } = mockAdapter({ [`GET /v1/ota/campaigns/${ID}`]: () => ok(answers.shift() ?? campaign('completed', 1)) })
    api.transport = adapter
    const table = vi.fn(async () => {})
    const scope = effectScope()
    const c = scope.run(() => useCampaign(ref(ID), table))!
    await vi.advanceTimersByTimeAsync(0)
    expect(c.campaign.value?.status).toBe('active')
    expect(c.polling.value).toBe(true)
    await vi.advanceTimersByTimeAsync(CAMPAIGN_POLL_MS)
    expect(calls).toHaveLength(2)
    expect(table).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(CAMPAIGN_POLL_MS)
    expect(c.campaign.value?.status).toBe('completed')
    expect(c.campaign.value?.counts.succeeded).toBe(1)
    expect(c.polling.value).toBe(false)
    // One more table refresh for the final states, then nothing.
    expect(table).toHaveBeenCalledTimes(3)
    await vi.advanceTimersByTimeAsync(CAMPAIGN_POLL_MS * 5)
    expect(calls).toHaveLength(3)
    expect(table).toHaveBeenCalledTimes(3)
    scope.stop()
  })

  it('polls silently: a failed poll reports nothing and the next one goes on', async () => {
    const onError = vi.fn()
    api.hooks.onError = onError
    let n = 0
    const { adapter } = mockAdapter({
      [`GET /v1/ota/campaigns/${ID}`]: () => (++n === 2 ? fail(503, 'unavailable', 'database is down') : ok(campaign('active', 0))),
    })
    api.transport = adapter
    const scope = effectScope()
    const c = scope.run(() => useCampaign(ref(ID)))!
    await vi.advanceTimersByTimeAsync(CAMPAIGN_POLL_MS * 2)
    expect(n).toBe(3)
    expect(onError).not.toHaveBeenCalled()
    expect(c.campaign.value?.status).toBe('active')
    scope.stop()
    api.hooks.onError = undefined
  })

  it('does not poll a finished campaign; cancel replaces it', async () => {
    const { adapter, calls } = mockAdapter({
      [`GET /v1/ota/campaigns/${ID}`]: () => ok(campaign('active', 0)),
      [`POST /v1/ota/campaigns/${ID}/cancel`]: () => ok({ ...campaign('cancelled', 0), counts: { cancelled: 1 } }),
    })
    api.transport = adapter
    const scope = effectScope()
    const c = scope.run(() => useCampaign(ref(ID)))!
    await vi.advanceTimersByTimeAsync(0)
    await expect(c.cancel()).resolves.toBe(true)
    expect(c.campaign.value?.status).toBe('cancelled')
    expect(c.polling.value).toBe(false)
    await vi.advanceTimersByTimeAsync(CAMPAIGN_POLL_MS * 3)
    expect(calls.map((x) => `${x.method} ${x.url}`)).toEqual([`get /v1/ota/campaigns/${ID}`, `post /v1/ota/campaigns/${ID}/cancel`])
    scope.stop()
  })
})
