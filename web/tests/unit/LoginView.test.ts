import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { api } from '@/api'
import { i18n, setLocale } from '@/i18n'
import { useSessionStore } from '@/stores/session'
import LoginView from '@/views/LoginView.vue'
import { fail, mockAdapter, ok, type Handler } from './helpers/mockAdapter'

const config = { registrationOpen: true, captchaEnabled: false, version: 'test', serviceTime: 0, updateUrlSuffix: '/api/basic/update' }

async function mountLogin(login: Handler, cfg = config) {
  const { adapter, calls } = mockAdapter({
    'GET /basic/config': () => ok(cfg),
    'GET /v1/auth/captcha': () => ok({ captchaId: 'c1', image: 'data:image/png;base64,AAAA' }),
    'POST /v1/auth/login': login,
  })
  api.transport = adapter
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', name: 'login', component: LoginView },
      { path: '/register', name: 'register', component: { template: '<div />' } },
      { path: '/', name: 'dashboard', component: { template: '<div>dashboard</div>' } },
    ],
  })
  await router.push('/login')
  const wrapper = mount(LoginView, { global: { plugins: [pinia, i18n, router] }, attachTo: document.body })
  return { wrapper, calls, router }
}

async function fill(wrapper: ReturnType<typeof mount>, username: string, password: string) {
  await wrapper.get('[data-testid=username]').setValue(username)
  await wrapper.get('[data-testid=password] input, input[data-testid=password]').setValue(password)
  await wrapper.get('form').trigger('submit')
  // Form validation is asynchronous (async-validator), then the request.
  for (let i = 0; i < 5; i++) await flushPromises()
}

function itemOf(wrapper: ReturnType<typeof mount>, testid: string) {
  return wrapper.get(`[data-testid=${testid}]`).element.closest('.ant-form-item') as HTMLElement
}

describe('LoginView', () => {
  beforeEach(() => {
    localStorage.clear()
    document.body.innerHTML = ''
    setLocale('en')
  })

  it('shows the field errors of the API on the fields they name', async () => {
    const { wrapper, calls } = await mountLogin(() =>
      fail(400, 'invalid', 'username must be 3 to 32 characters; password is required', [
        { field: 'username', message: 'must be 3 to 32 characters' },
        { field: 'password', message: 'is too short' },
      ]),
    )
    await flushPromises()
    await fill(wrapper, 'al', 'x')
    expect(calls.some((c) => c.url === '/v1/auth/login')).toBe(true)
    expect(itemOf(wrapper, 'username').textContent).toContain('must be 3 to 32 characters')
    expect(itemOf(wrapper, 'password').textContent).toContain('is too short')
    expect(itemOf(wrapper, 'username').className).toContain('has-error')

    // Editing a field clears its server error.
    await wrapper.get('[data-testid=username]').setValue('alice')
    await flushPromises()
    expect(itemOf(wrapper, 'username').textContent).not.toContain('must be 3 to 32 characters')
    expect(itemOf(wrapper, 'password').textContent).toContain('is too short')
    wrapper.unmount()
  })

  it('checks required fields before calling the API', async () => {
    const { wrapper, calls } = await mountLogin(() => ok({}))
    await flushPromises()
    await wrapper.get('form').trigger('submit')
    for (let i = 0; i < 5; i++) await flushPromises()
    expect(calls.some((c) => c.url === '/v1/auth/login')).toBe(false)
    expect(itemOf(wrapper, 'username').textContent).toContain('Required')
    wrapper.unmount()
  })

  it('signs in, keeps the refresh token and goes to the dashboard', async () => {
    const user = { id: 'u1', username: 'alice', nickname: '', email: '', role: 'admin', disabled: false, createdTime: '', updatedTime: '' }
    const { wrapper, router } = await mountLogin((c) => {
      expect(JSON.parse(String(c.data))).toEqual({ username: 'alice', password: 'secret-password' })
      return ok({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 900, tokenType: 'Bearer', user })
    })
    await flushPromises()
    await fill(wrapper, ' alice ', 'secret-password')
    const s = useSessionStore()
    expect(s.accessToken).toBe('a1')
    expect(localStorage.getItem('hoist.refreshToken')).toBe('r1')
    expect(router.currentRoute.value.name).toBe('dashboard')
    wrapper.unmount()
  })

  it('shows a captcha when the server asks for one and sends its answer', async () => {
    let body: Record<string, string> = {}
    const { wrapper } = await mountLogin(
      (c) => {
        body = JSON.parse(String(c.data))
        return fail(400, 'invalid', 'captcha is wrong or expired; load a new one', [
          { field: 'captcha', message: 'is wrong or expired; load a new one' },
        ])
      },
      { ...config, captchaEnabled: true },
    )
    await flushPromises()
    expect(wrapper.find('img[alt=captcha]').attributes('src')).toContain('data:image/png')
    await wrapper.get('[data-testid=captcha-input]').setValue('12345')
    await fill(wrapper, 'alice', 'secret-password')
    expect(body).toMatchObject({ captchaId: 'c1', captcha: '12345' })
    expect(itemOf(wrapper, 'captcha-input').textContent).toContain('is wrong or expired')
    wrapper.unmount()
  })

  it('follows the language', async () => {
    setLocale('zh-CN')
    const { wrapper } = await mountLogin(() => ok({}))
    await flushPromises()
    expect(wrapper.text()).toContain('登录')
    expect(localStorage.getItem('hoist.locale')).toBe('zh-CN')
    wrapper.unmount()
  })
})
