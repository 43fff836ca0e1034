import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { api } from '@/api'
import type { Project } from '@/api/types'
import { CURRENT_PROJECT_KEY, useProjectStore } from '@/stores/projects'
import { useSessionStore } from '@/stores/session'
import { mockAdapter, ok } from './helpers/mockAdapter'

const project = (id: string, name: string, myRole: Project['myRole'] = 'owner'): Project => ({
  id: id.repeat(32),
  name,
  description: '',
  ownerId: 'u',
  myRole,
  updateUrl: '',
  createdTime: '',
  updatedTime: '',
})

function signIn(): void {
  useSessionStore().setSession({
    accessToken: 'a',
    refreshToken: 'r',
    expiresIn: 900,
    tokenType: 'Bearer',
    user: { id: 'u', username: 'u', nickname: '', email: '', role: 'user', disabled: false, createdTime: '', updatedTime: '' },
  })
}

describe('project store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    localStorage.clear()
    signIn()
  })

  it('loads the first 100 projects by name once; concurrent loads share the request', async () => {
    const { adapter, calls } = mockAdapter({ 'GET /v1/projects': () => ok({ total: 2, records: [project('a', 'App'), project('b', 'Fleet')], pageNum: 1, pageSize: 100 }) })
    api.transport = adapter
    const s = useProjectStore()
    await Promise.all([s.load(), s.load()])
    await s.load()
    expect(calls).toHaveLength(1)
    expect(calls[0]!.params).toEqual({ pageSize: 100, sortKey: 'name', order: 'ASC' })
    expect(s.options).toEqual([
      { value: 'a'.repeat(32), label: 'App' },
      { value: 'b'.repeat(32), label: 'Fleet' },
    ])
    await s.load(true)
    expect(calls).toHaveLength(2)
  })

  it('remembers the chosen project, falls back to the first, forgets one no longer visible', async () => {
    let records = [project('a', 'App'), project('b', 'Fleet')]
    const { adapter } = mockAdapter({ 'GET /v1/projects': () => ok({ total: records.length, records, pageNum: 1, pageSize: 100 }) })
    api.transport = adapter
    const s = useProjectStore()
    await s.load()
    expect(s.current?.name).toBe('App') // nothing chosen yet: the first
    s.setCurrent('b'.repeat(32))
    expect(s.current?.name).toBe('Fleet')
    expect(localStorage.getItem(CURRENT_PROJECT_KEY)).toBe('b'.repeat(32))

    // A reload (new store) keeps the choice...
    setActivePinia(createPinia())
    signIn()
    const again = useProjectStore()
    await again.load()
    expect(again.current?.name).toBe('Fleet')
    // ...until the project is gone.
    records = [project('a', 'App')]
    await again.load(true)
    expect(again.currentId).toBeNull()
    expect(again.current?.name).toBe('App')
    expect(localStorage.getItem(CURRENT_PROJECT_KEY)).toBeNull()
  })
})
