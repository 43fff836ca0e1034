import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import type { Resource } from '@/api/types'
import ResourceEditModal from '@/components/resource/ResourceEditModal.vue'
import { i18n, setLocale } from '@/i18n'
import { fail, mockAdapter, ok, type Handler } from './helpers/mockAdapter'

const bundle = {
  id: 'r6', projectId: 'p1', type: 6, version: '^1.0.0', versionCode: 3, label: 'v3', targetBinaryRange: '^1.0.0',
  packageHash: 'ab'.repeat(32), status: 1, rolloutPercent: 40, updateType: 1, changelog: '', remark: '', channel: 'production',
} as Resource

async function settle() {
  for (let i = 0; i < 6; i++) await flushPromises()
}

function mountModal(patch: Handler) {
  const { adapter, calls } = mockAdapter({ 'PATCH /v1/resources/r6': patch })
  api.transport = adapter
  setActivePinia(createPinia())
  const wrapper = mount(ResourceEditModal, {
    props: { resource: bundle, open: true, 'onUpdate:open': () => undefined },
    global: { plugins: [i18n] },
    attachTo: document.body,
  })
  return { wrapper, calls }
}

function typeRange(v: string) {
  const input = document.body.querySelector('input[data-testid=res-range]') as HTMLInputElement
  input.value = v
  input.dispatchEvent(new Event('input'))
}

function submit() {
  ;(document.body.querySelector('.ant-modal-footer .ant-btn-primary') as HTMLElement).click()
}

describe('ResourceEditModal for a CodePush release', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
    setLocale('en')
  })

  it('edits the range; the display version is left to follow it', async () => {
    let body: Record<string, unknown> = {}
    const { wrapper } = mountModal((c) => {
      body = JSON.parse(String(c.data))
      return ok({ ...bundle, targetBinaryRange: '1.x || 2.x', version: '1.x || 2.x' })
    })
    await settle()
    expect(document.body.textContent).toContain('Edit release v3 (^1.0.0)')
    typeRange('1.x || 2.x')
    submit()
    await settle()
    expect(body.targetBinaryRange).toBe('1.x || 2.x')
    expect('version' in body).toBe(false)
    expect(body.updateType).toBe(1)
    expect(wrapper.emitted('saved')).toHaveLength(1)
    wrapper.unmount()
  })

  it('stops a range that is clearly wrong, and shows the server refusing one on the field', async () => {
    const { wrapper, calls } = mountModal(() =>
      fail(400, 'invalid', 'targetBinaryRange: must be a semver range', [{ field: 'targetBinaryRange', message: 'must be a semver range of binary versions' }]),
    )
    await settle()
    typeRange('banana')
    submit()
    await settle()
    expect(calls).toHaveLength(0)
    expect(document.body.textContent).toContain('Not a semver range')

    typeRange('1.2.3.4')
    submit()
    await settle()
    expect(calls).toHaveLength(1)
    const item = (document.body.querySelector('input[data-testid=res-range]') as HTMLElement).closest('.ant-form-item') as HTMLElement
    expect(item.textContent).toContain('must be a semver range of binary versions')
    expect(wrapper.emitted('saved')).toBeUndefined()
    wrapper.unmount()
  })
})
