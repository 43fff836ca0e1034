import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import { detectLocale, setLocale } from '@/i18n'
import { useDictStore } from '@/stores/dicts'
import { REFRESH_KEY, useSessionStore } from '@/stores/session'
import { mockAdapter, ok } from './helpers/mockAdapter'

const dicts = [
  {
    code: 'update_type',
    name: '更新方式',
    description: '',
    builtin: true,
    items: [
      { id: 'b', label: '强制更新', labelEn: 'Forced', value: '2', color: 'red', sort: 2, enabled: true },
      { id: 'a', label: '用户同意更新', labelEn: 'Ask the user', value: '1', color: 'blue', sort: 1, enabled: true },
      { id: 'c', label: '静默更新', labelEn: '', value: '3', color: 'purple', sort: 3, enabled: false },
    ],
  },
]

describe('dictionary store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
  })

  it('labels values in the current language, sorted, enabled options only', async () => {
    const { adapter, calls } = mockAdapter({ 'GET /v1/dicts': () => ok(dicts) })
    api.transport = adapter
    const s = useDictStore()
    await Promise.all([s.load(), s.load()])
    expect(calls).toHaveLength(1)
    setLocale('en')
    expect(s.label('update_type', 2)).toBe('Forced')
    expect(s.label('update_type', '3')).toBe('静默更新') // no English label: falls back
    expect(s.label('update_type', 9)).toBe('9')
    expect(s.color('update_type', 2)).toBe('red')
    expect(s.options('update_type').map((o) => o.label)).toEqual(['Ask the user', 'Forced'])
    setLocale('zh-CN')
    expect(s.label('update_type', 1)).toBe('用户同意更新')
  })

  it('names and describes a dictionary in the current language, else the other', () => {
    const s = useDictStore()
    const d = { code: 'x', name: '更新方式', nameEn: 'Update types', description: '应用如何安装更新', descriptionEn: '', builtin: true, items: [], createdTime: '', updatedTime: '' }
    setLocale('en')
    expect(s.nameOf(d)).toBe('Update types')
    expect(s.descriptionOf(d)).toBe('应用如何安装更新') // no English description: falls back
    setLocale('zh-CN')
    expect(s.nameOf(d)).toBe('更新方式')
    expect(s.nameOf({ ...d, name: '' })).toBe('Update types')
  })
})

describe('session store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
  })

  it('keeps the access token in memory and only the refresh token in localStorage', () => {
    const s = useSessionStore()
    s.setSession({
      accessToken: 'secret-access',
      refreshToken: 'r1',
      expiresIn: 900,
      tokenType: 'Bearer',
      user: { id: 'u', username: 'u', nickname: '', email: '', role: 'admin', disabled: false, createdTime: '', updatedTime: '' },
    })
    expect(s.signedIn && s.isAdmin).toBe(true)
    expect(localStorage.getItem(REFRESH_KEY)).toBe('r1')
    expect(JSON.stringify({ ...localStorage })).not.toContain('secret-access')
    s.clear()
    expect(s.signedIn).toBe(false)
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull()
  })
})

describe('locale', () => {
  beforeEach(() => localStorage.clear())

  it('follows the browser, then the saved choice', () => {
    const langs = vi.spyOn(navigator, 'languages', 'get')
    langs.mockReturnValue(['zh-TW', 'en'])
    expect(detectLocale()).toBe('zh-CN')
    langs.mockReturnValue(['fr-FR', 'en-GB'])
    expect(detectLocale()).toBe('en')
    localStorage.setItem('hoist.locale', 'zh-CN')
    expect(detectLocale()).toBe('zh-CN')
  })
})
