import { api } from './index'
import type { CodePushMetrics, NativeLatest, Page, PageQuery, Resource, ResourceCreate, ResourcePatch, Rolled } from './types'

export interface ResourceQuery extends PageQuery {
  type?: number
  status?: number
  channel?: string
}

/**
 * The update type a form sends comes from the update_type dictionary (its
 * values as numbers); the server checks it is one it knows (1, 2, 3).
 */
type WithUpdateType<T> = Omit<T, 'updateType'> & { updateType?: number }

export const resourcesApi = {
  list: (projectId: string, q: ResourceQuery) =>
    api.get<Page<Resource>>(`/v1/projects/${projectId}/resources`, { params: q }),
  create: (projectId: string, r: WithUpdateType<ResourceCreate>) =>
    api.post<Resource>(`/v1/projects/${projectId}/resources`, r),
  /** silent: the caller handles a failure (a deleted release) itself. */
  get: (id: string, silent = false) => api.get<Resource>(`/v1/resources/${id}`, { silent }),
  update: (id: string, p: WithUpdateType<ResourcePatch>) => api.patch<Resource>(`/v1/resources/${id}`, p),
  remove: (id: string) => api.delete(`/v1/resources/${id}`),
  /** Copies the release into another channel (same file); the target's version rules apply. */
  promote: (id: string, channel: string, rolloutPercent?: number) =>
    api.post<Resource>(`/v1/resources/${id}/promote`, { channel, rolloutPercent }),
  /** Withdraws the release; for a wgt, re-publishes the previous one under the next versionCode. */
  rollback: (id: string) => api.post<Rolled>(`/v1/resources/${id}/rollback`),
  /** What CodePush clients reported for the release (types 6, 7). */
  codePushMetrics: (id: string) => api.get<CodePushMetrics>(`/v1/resources/${id}/codepush-metrics`, { silent: true }),
  nativeLatest: (projectId: string) => api.get<NativeLatest>(`/v1/projects/${projectId}/resources/native/latest`),
}
