import { api } from './index'
import type * as S from './schema.gen'
import type { BasicConfig, Captcha, Session } from './types'

export type LoginInput = S.LoginRequest
export type RegisterInput = S.RegisterRequest

const pub = { anonymous: true } as const

export const authApi = {
  config: () => api.get<BasicConfig>('/basic/config', { anonymous: true }),
  /** 409 when captchas are off; the caller decides what to show. */
  captcha: () => api.get<Captcha>('/v1/auth/captcha', { anonymous: true, silent: true }),
  login: (input: LoginInput) => api.post<Session>('/v1/auth/login', input, pub),
  register: (input: RegisterInput) => api.post<Session>('/v1/auth/register', input, pub),
  logout: (refreshToken: string) => api.post<null>('/v1/auth/logout', { refreshToken }, pub),
}
