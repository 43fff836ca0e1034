import { api } from './index'
import type { Page, PageQuery, Role, User } from './types'

export interface UserCreate {
  username: string
  password: string
  role: Role
  email?: string
  nickname?: string
}

export const usersApi = {
  list: (q: PageQuery & { search?: string }) => api.get<Page<User>>('/v1/users', { params: q }),
  create: (u: UserCreate) => api.post<User>('/v1/users', u),
  update: (id: string, p: { role?: Role; disabled?: boolean; password?: string }) =>
    api.patch<User>(`/v1/users/${id}`, p),
}
