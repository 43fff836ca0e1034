import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import type { Channel } from '@/api/types'
import ChannelsPanel from '@/components/channel/ChannelsPanel.vue'
import { i18n, setLocale } from '@/i18n'
import { mockAdapter, ok } from './helpers/mockAdapter'

const channels: Channel[] = [
  {
    name: 'production',
    resources: 1,
    pins: 0,
    updateUrl: 'http://h/api/basic/update',
    deploymentKeys: { android: 'AndroidKeyOfProduction0123456789abcdefgh', ios: 'IosKeyOfProduction0123456789abcdefghijkl' },
  },
]

async function settle() {
  for (let i = 0; i < 5; i++) await flushPromises()
}

describe('ChannelsPanel deployment keys', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
    setLocale('en')
  })

  it('shows each platform key and rotates one only after the warning is confirmed', async () => {
    const { adapter, calls } = mockAdapter({
      'POST /v1/projects/p1/channels/production/deployment-keys/ios/rotate': () => ok({ deploymentKey: 'NewKey' }),
    })
    api.transport = adapter
    setActivePinia(createPinia())
    const wrapper = mount(ChannelsPanel, {
      props: { projectId: 'p1', channels, loading: false, publish: true },
      global: { plugins: [i18n], stubs: { PinsPanel: true } },
      attachTo: document.body,
    })
    await settle()
    const ios = wrapper.get('[data-testid=deployment-key-production-ios]')
    expect(ios.text()).toContain('IosKeyOfProduction0123456789abcdefghijkl')
    expect(wrapper.get('[data-testid=deployment-key-production-android]').text()).toContain('AndroidKeyOfProduction')

    await ios.get('[data-testid=rotate-key]').trigger('click')
    await settle()
    const confirm = document.body.querySelector('.ant-modal-confirm') as HTMLElement
    expect(confirm.textContent).toContain('Rotate the iOS deployment key of production?')
    expect(confirm.textContent).toContain('The old key stops working at once')
    expect(calls.filter((c) => c.method === 'post')).toHaveLength(0) // nothing before the confirmation

    ;(document.body.querySelector('[data-testid=rotate-confirm]') as HTMLElement).click()
    await settle()
    expect(calls.filter((c) => c.method === 'post').map((c) => c.url)).toEqual(['/v1/projects/p1/channels/production/deployment-keys/ios/rotate'])
    expect(wrapper.emitted('changed')).toHaveLength(1)
    wrapper.unmount()
  })

  it('offers no rotation to viewers', async () => {
    const { adapter } = mockAdapter({})
    api.transport = adapter
    setActivePinia(createPinia())
    const wrapper = mount(ChannelsPanel, {
      props: { projectId: 'p1', channels, loading: false, publish: false },
      global: { plugins: [i18n], stubs: { PinsPanel: true } },
    })
    await settle()
    expect(wrapper.get('[data-testid=deployment-key-production-android]').text()).toContain('AndroidKeyOfProduction')
    expect(wrapper.findAll('[data-testid=rotate-key]')).toHaveLength(0)
    wrapper.unmount()
  })
})
