import { createClient } from './client'
import { useSessionStore } from '@/stores/session'
import { i18n } from '@/i18n'

/** Web Locks serialise refreshes between tabs where the browser has them. */
function webLock<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined
  if (!locks) return run()
  return locks.request('hoist.refresh', run) as Promise<T>
}

/** The panel's API client; main.ts sets hooks.onError and hooks.onSessionLost. */
export const api = createClient({
  baseURL: '/api',
  lock: webLock,
  language: () => i18n.global.locale.value,
  tokens: {
    accessToken: () => useSessionStore().accessToken,
    refreshToken: () => useSessionStore().refreshToken(),
    setSession: (s) => useSessionStore().setSession(s),
    clearSession: () => useSessionStore().clear(),
  },
})

export { ApiError } from './errors'
