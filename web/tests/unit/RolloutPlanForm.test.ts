import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import type { Resource } from '@/api/types'
import RolloutPlanForm from '@/components/rollout/RolloutPlanForm.vue'
import { i18n, setLocale } from '@/i18n'
import { installAdoptionMessages } from '@/i18n/adoption'
import { fail, mockAdapter, ok, type Handler } from './helpers/mockAdapter'

const resource = { id: 'r1', projectId: 'p1', type: 1, version: '1.1.0', versionCode: 110, status: 1, rolloutPercent: 100 } as Resource

function mountForm(put: Handler) {
  const { adapter, calls } = mockAdapter({ 'PUT /v1/resources/r1/rollout-plan': put })
  api.transport = adapter
  setActivePinia(createPinia())
  const wrapper = mount(RolloutPlanForm, { props: { resource }, global: { plugins: [i18n] }, attachTo: document.body })
  return { wrapper, calls }
}

async function submit(wrapper: ReturnType<typeof mount>) {
  await wrapper.get('form').trigger('submit')
  for (let i = 0; i < 5; i++) await flushPromises()
}

/** itemOf is the form item around a stage's input (by its data-testid). */
function itemOf(wrapper: ReturnType<typeof mount>, stage: number, testid: string) {
  const el = wrapper.get(`[data-testid=plan-stage-${stage}]`).find(`[data-testid=${testid}]`)
  return el.element.closest('.ant-form-item') as HTMLElement
}

describe('RolloutPlanForm', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
    installAdoptionMessages()
    setLocale('en')
  })

  it('sends the default plan in minutes with the default gates', async () => {
    let body: unknown
    const { wrapper } = mountForm((c) => {
      body = JSON.parse(String(c.data))
      return ok({ resourceId: 'r1', stages: [], gates: {}, stage: 1, percent: 10, state: 'running', stageStarted: '', events: [] })
    })
    expect(wrapper.get('[data-testid=plan-preview]').text()).toContain('The release goes to 10% of devices at once (now 100%)')
    await submit(wrapper)
    expect(body).toEqual({
      stages: [
        { percent: 10, minMinutes: 1440 },
        { percent: 50, minMinutes: 1440 },
        { percent: 100, minMinutes: 0 },
      ],
      gates: { minDownloaded: 100, minAppliedPercent: 80, maxNotAppliedPercent: 10 },
    })
    expect(wrapper.emitted('saved')).toHaveLength(1)
    wrapper.unmount()
  })

  it("shows the server's field errors on the fields they name, until the plan is edited", async () => {
    const { wrapper, calls } = mountForm(() =>
      fail(400, 'invalid', 'bad plan', [
        { field: 'stages[1].minDuration', message: 'must be between 0 and 30 days' },
        { field: 'gates.minDownloaded', message: 'must not be negative' },
      ]),
    )
    await submit(wrapper)
    expect(calls).toHaveLength(1)
    expect(itemOf(wrapper, 1, 'plan-hold').textContent).toContain('must be between 0 and 30 days')
    expect(itemOf(wrapper, 1, 'plan-hold').className).toContain('has-error')
    expect(itemOf(wrapper, 0, 'plan-hold').textContent).not.toContain('must be between')
    const gate = wrapper.get('[data-testid=plan-min-downloaded]').element.closest('.ant-form-item') as HTMLElement
    expect(gate.textContent).toContain('must not be negative')
    expect(wrapper.emitted('saved')).toBeUndefined()

    await wrapper.get('[data-testid=plan-add-stage]').trigger('click')
    await flushPromises()
    expect(gate.textContent).not.toContain('must not be negative')
    wrapper.unmount()
  })

  it('checks the plan before sending it: one that does not end at 100% is not sent', async () => {
    const { wrapper, calls } = mountForm(() => ok({}))
    // Remove the 10 % stage: 50 %, 100 % is good; then remove the 100 % stage: the last is not 100 %.
    await wrapper.get('[data-testid=plan-stage-0]').get('[data-testid=plan-remove-stage]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid=plan-stages-error]').exists()).toBe(false)
    await wrapper.get('[data-testid=plan-stage-1]').get('[data-testid=plan-remove-stage]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid=plan-stages-error]').text()).toBe('The last stage must be 100%')
    expect(wrapper.get('[data-testid=plan-submit]').attributes('disabled')).toBeDefined()
    await submit(wrapper)
    expect(calls).toHaveLength(0)
    wrapper.unmount()
  })
})
