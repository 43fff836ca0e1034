import { api } from '@/api'
import { authApi } from '@/api/auth'
import type { Session } from '@/api/types'
import { useDictStore } from '@/stores/dicts'
import { useProjectStore } from '@/stores/projects'
import { useSessionStore } from '@/stores/session'

/** signIn keeps the session a login, registration or password change returned. */
export function signIn(s: Session): void {
  useSessionStore().setSession(s)
}

/**
 * restoreSession signs in again from the stored refresh token (after a
 * reload). It reports whether there is a session now.
 */
export async function restoreSession(): Promise<boolean> {
  const s = useSessionStore()
  if (s.signedIn) return true
  if (!s.hasRefreshToken()) return false
  try {
    await api.refresh()
  } catch {
    return false
  }
  return s.signedIn
}

/** logout ends the session here and on the server. */
export async function logout(): Promise<void> {
  const s = useSessionStore()
  const token = s.refreshToken()
  s.clear()
  useDictStore().reset()
  useProjectStore().reset()
  if (token) {
    try {
      await authApi.logout(token)
    } catch {
      /* the server may already have ended it; we are signed out anyway */
    }
  }
}
