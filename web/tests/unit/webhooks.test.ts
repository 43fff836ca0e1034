import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import { randomSecret, type Webhook } from '@/api/webhooks'
import { i18n, setLocale } from '@/i18n'
import { useSessionStore } from '@/stores/session'
import WebhooksPanel from '@/components/webhook/WebhooksPanel.vue'
import { mockAdapter, ok } from './helpers/mockAdapter'

const PID = 'p'.repeat(32)

const hook = (id: string, enabled = true): Webhook => ({
  id,
  projectId: PID,
  url: `https://hooks.example.com/${id}`,
  secretHint: '…abcd',
  events: ['release.published', 'campaign.wave_started'],
  format: 'dingtalk',
  enabled,
  createdBy: 'u',
  createdTime: '2026-03-01T08:00:00Z',
  updatedTime: '2026-03-01T08:00:00Z',
})

describe('webhooks', () => {
  beforeEach(() => {
    const pinia = createPinia()
    setActivePinia(pinia)
    useSessionStore().setSession({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 900,
      tokenType: 'Bearer',
      user: { id: 'u', username: 'u', nickname: '', email: '', role: 'user', disabled: false, createdTime: '', updatedTime: '' },
    })
    document.body.innerHTML = ''
  })

  it('makes 32-hex secrets, different each time', () => {
    const a = randomSecret()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(randomSecret()).not.toBe(a)
  })

  it('lists the webhooks with their format, events and secret hint; the switch disables one', async () => {
    const { adapter, calls } = mockAdapter({
      [`GET /v1/projects/${PID}/webhooks`]: () => ok([hook('h1'), hook('h2', false)]),
      [`PATCH /v1/projects/${PID}/webhooks/h1`]: () => ok(hook('h1', false)),
    })
    api.transport = adapter
    const w = mount(WebhooksPanel, { props: { projectId: PID }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    const text = w.get('[data-testid=webhooks-table]').text()
    for (const s of ['https://hooks.example.com/h1', 'DingTalk', 'Release published', 'Campaign wave started', '…abcd']) {
      expect(text).toContain(s)
    }
    const tests = w.findAll('[data-testid=webhook-test]')
    expect(tests.map((b) => (b.element as HTMLButtonElement).disabled)).toEqual([false, true]) // a disabled one cannot be tested
    await w.findAll('[data-testid=webhook-enabled]')[0]!.trigger('click')
    await flushPromises()
    expect(calls.at(-1)?.data).toBe(JSON.stringify({ enabled: false }))
    expect(w.findAll('[data-testid=webhook-test]').map((b) => (b.element as HTMLButtonElement).disabled)).toEqual([true, true])
    w.unmount()
  })

  it('speaks Chinese too (its messages load with the tab)', async () => {
    const { adapter } = mockAdapter({ [`GET /v1/projects/${PID}/webhooks`]: () => ok([hook('h1')]) })
    api.transport = adapter
    setLocale('zh-CN')
    try {
      const w = mount(WebhooksPanel, { props: { projectId: PID }, global: { plugins: [i18n] }, attachTo: document.body })
      await flushPromises()
      const text = w.text()
      for (const s of ['钉钉', '版本已发布', '升级批次已开始', '添加 Webhook']) expect(text).toContain(s)
      w.unmount()
    } finally {
      setLocale('en')
    }
  })
})
