import { api } from './index'
import type * as S from './schema.gen'
import type { ApiToken, CreatedApiToken, LoginAttempt, Page, PageQuery, Session, User } from './types'

export type TokenInput = S.TokenRequest

export const meApi = {
  get: () => api.get<User>('/v1/me'),
  update: (p: S.ProfileRequest) => api.patch<User>('/v1/me', p),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.put<Session>('/v1/me/password', { currentPassword, newPassword }),
  tokens: () => api.get<ApiToken[]>('/v1/me/tokens'),
  createToken: (t: TokenInput) => api.post<CreatedApiToken>('/v1/me/tokens', t),
  deleteToken: (id: string) => api.delete(`/v1/me/tokens/${id}`),
  loginLog: (q: PageQuery) => api.get<Page<LoginAttempt>>('/v1/logs/login', { params: q }),
}
