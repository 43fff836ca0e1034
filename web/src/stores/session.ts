import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Session, User } from '@/api/types'

/** Where the refresh token is kept so that a reload stays signed in. */
export const REFRESH_KEY = 'hoist.refreshToken'

function readRefresh(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY)
  } catch {
    return null
  }
}

function writeRefresh(token: string | null): void {
  try {
    if (token) localStorage.setItem(REFRESH_KEY, token)
    else localStorage.removeItem(REFRESH_KEY)
  } catch {
    /* storage unavailable (private mode): the session lasts until reload */
  }
}

/**
 * The signed-in session. The access token lives in memory only; the refresh
 * token is in localStorage and is always read from there, so that several
 * tabs share the latest one (refresh tokens rotate).
 */
export const useSessionStore = defineStore('session', () => {
  const accessToken = ref<string | null>(null)
  const user = ref<User | null>(null)
  const expiresAt = ref(0)

  const signedIn = computed(() => accessToken.value !== null && user.value !== null)
  const isAdmin = computed(() => user.value?.role === 'admin')

  function refreshToken(): string | null {
    return readRefresh()
  }

  function hasRefreshToken(): boolean {
    return readRefresh() !== null
  }

  function setSession(s: Session): void {
    accessToken.value = s.accessToken
    user.value = s.user
    expiresAt.value = Date.now() + s.expiresIn * 1000
    writeRefresh(s.refreshToken)
  }

  function setUser(u: User): void {
    user.value = u
  }

  function clear(): void {
    accessToken.value = null
    user.value = null
    expiresAt.value = 0
    writeRefresh(null)
  }

  return { accessToken, user, expiresAt, signedIn, isAdmin, refreshToken, hasRefreshToken, setSession, setUser, clear }
})
