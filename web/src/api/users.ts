import { api } from './index'
import type * as S from './schema.gen'
import type { Page, PageQuery, User } from './types'

export type UserCreate = S.UserCreateRequest

export const usersApi = {
  list: (q: PageQuery & { search?: string }) => api.get<Page<User>>('/v1/users', { params: q }),
  create: (u: UserCreate) => api.post<User>('/v1/users', u),
  update: (id: string, p: S.UserPatchRequest) =>
    api.patch<User>(`/v1/users/${id}`, p),
}
