import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import { i18n, setLocale } from '@/i18n'
import UpushyImportReport from '@/components/user/UpushyImportReport.vue'
import { fail, mockAdapter, ok, type Handler } from './helpers/mockAdapter'

const report = {
  time: '2026-12-04T07:00:00Z',
  dryRun: false,
  source: '10.0.0.5:3306/upushy',
  urlBase: 'https://uni-pushy.oss-cn-hangzhou.aliyuncs.com',
  times: 'TIMESTAMP columns, converted to UTC by MySQL',
  owner: 'alice',
  entries: [
    { kind: 'user', id: '414d432bb906dd74f797f207adfd1009', name: 'alice', outcome: 'imported', reason: 'admin: the first user of this Hoist' },
    { kind: 'user', id: 'c83ba5ec5150e2d56f38bb205b1d673f', name: '李雷', outcome: 'imported', newName: 'upushy-c83ba5ec', reason: 'renamed' },
    { kind: 'user', id: '8f965a13a5f49864dc8eeb955b52396f', name: 'carol', outcome: 'skipped', reason: 'the password hash is not verifiable' },
    { kind: 'project', id: '7a1c0e9b2f3d4c5b6a79881726354433', name: 'Carol kiosk', outcome: 'imported', owner: 'alice', reason: 'owned by alice (--owner)' },
    { kind: 'resource', id: '1e0820e3ac9e15af1667dc57251c64ab', name: 'android 1.1.19', outcome: 'imported' },
    { kind: 'resource', id: '392029975c32603c4480e4a3edbe5f7c', name: 'wgt-android 1.1.25', outcome: 'skipped', reason: 'duplicate' },
  ],
  changedProjects: ['7a1c0e9b2f3d4c5b6a79881726354433'],
}

async function mountReport(h: Handler) {
  const { adapter, calls } = mockAdapter({ 'GET /v1/imports/upushy/last': h })
  api.transport = adapter
  const errors: unknown[] = []
  api.hooks.onError = (e) => errors.push(e)
  setActivePinia(createPinia())
  const wrapper = mount(UpushyImportReport, { global: { plugins: [i18n] }, attachTo: document.body })
  for (let i = 0; i < 4; i++) await flushPromises()
  return { wrapper, calls, errors }
}

describe('UpushyImportReport', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
    setLocale('en')
  })

  it('shows the totals and the records worth a look: skipped, renamed, given to --owner', async () => {
    const { wrapper } = await mountReport(() => ok(report))
    const text = wrapper.get('[data-testid=upushy-import]').text()
    expect(wrapper.get('[data-testid=upushy-import-totals]').text()).toContain('Users: 2 imported, 0 already present, 1 skipped')
    expect(wrapper.get('[data-testid=upushy-import-totals]').text()).toContain('Resources: 1 imported, 0 already present, 1 skipped')
    expect(wrapper.get('[data-testid=upushy-import-meta]').text()).toContain('10.0.0.5:3306/upushy')
    expect(text).toContain('李雷 → upushy-c83ba5ec')
    expect(text).toContain('owned by alice')
    expect(text).toContain('the password hash is not verifiable')
    expect(text).toContain('duplicate')
    expect(text).not.toContain('1e0820e3ac9e15af1667dc57251c64ab') // imported as is: not listed

    await wrapper.get('[role=switch]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid=upushy-import]').text()).toContain('1e0820e3ac9e15af1667dc57251c64ab')
  })

  it('takes the totals of a long report from the server and says what it left out', async () => {
    const long = {
      ...report,
      entries: report.entries.filter((e) => e.outcome === 'skipped'),
      entriesOmitted: 4000,
      totals: [
        { kind: 'user', imported: 3, present: 0, skipped: 1 },
        { kind: 'project', imported: 1, present: 0, skipped: 0 },
        { kind: 'resource', imported: 4000, present: 0, skipped: 1 },
      ],
    }
    const { wrapper } = await mountReport(() => ok(long))
    expect(wrapper.get('[data-testid=upushy-import-totals]').text()).toContain('Resources: 4000 imported, 0 already present, 1 skipped')
    expect(wrapper.get('[data-testid=upushy-import-omitted]').text()).toContain('4000 records')
  })

  it('shows nothing before the first import', async () => {
    const { wrapper, calls, errors } = await mountReport(() => ok(null))
    expect(calls).toHaveLength(1)
    expect(wrapper.find('[data-testid=upushy-import]').exists()).toBe(false)
    expect(wrapper.text()).toBe('')
    expect(errors).toHaveLength(0)
  })

  it('says when the report cannot be read, without a global error', async () => {
    const { wrapper, errors } = await mountReport(() => fail(503, 'unavailable', 'the database does not answer'))
    expect(wrapper.text()).toContain('the database does not answer')
    expect(errors).toHaveLength(0)
  })
})
