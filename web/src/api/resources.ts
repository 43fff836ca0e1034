import { api } from './index'
import type { NativeLatest, Page, PageQuery, Resource, ResourceCreate, ResourcePatch } from './types'

export interface ResourceQuery extends PageQuery {
  type?: number
  status?: number
}

export const resourcesApi = {
  list: (projectId: string, q: ResourceQuery) =>
    api.get<Page<Resource>>(`/v1/projects/${projectId}/resources`, { params: q }),
  create: (projectId: string, r: ResourceCreate) =>
    api.post<Resource>(`/v1/projects/${projectId}/resources`, r),
  get: (id: string) => api.get<Resource>(`/v1/resources/${id}`),
  update: (id: string, p: ResourcePatch) => api.patch<Resource>(`/v1/resources/${id}`, p),
  remove: (id: string) => api.delete(`/v1/resources/${id}`),
  nativeLatest: (projectId: string) => api.get<NativeLatest>(`/v1/projects/${projectId}/resources/native/latest`),
}
