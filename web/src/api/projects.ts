import { api } from './index'
import type * as S from './schema.gen'
import type { Member, Page, PageQuery, Project, ProjectRole } from './types'

export type ProjectInput = S.ProjectRequest

export const projectsApi = {
  list: (q: PageQuery) => api.get<Page<Project>>('/v1/projects', { params: q }),
  get: (id: string) => api.get<Project>(`/v1/projects/${id}`),
  create: (p: ProjectInput) => api.post<Project>('/v1/projects', p),
  update: (id: string, p: ProjectInput) => api.patch<Project>(`/v1/projects/${id}`, p),
  /** Without force a project that still has resources answers 409. */
  remove: (id: string, force = false) =>
    api.delete(`/v1/projects/${id}`, { params: force ? { force: true } : undefined, silent: !force }),
  /** silent: the caller does without the list (e.g. to name the users in a history). */
  members: (id: string, silent = false) => api.get<Member[]>(`/v1/projects/${id}/members`, { silent }),
  addMember: (id: string, userId: string, role: ProjectRole) =>
    api.post<Member>(`/v1/projects/${id}/members`, { userId, role }),
  updateMember: (id: string, userId: string, role: ProjectRole) =>
    api.patch<Member>(`/v1/projects/${id}/members/${userId}`, { role }),
  removeMember: (id: string, userId: string) => api.delete(`/v1/projects/${id}/members/${userId}`),
}
