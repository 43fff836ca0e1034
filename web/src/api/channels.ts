import { api } from './index'
import type { Channel, CodePushPlatform, ExplainQuery, Explanation, Pin } from './types'

export const channelsApi = {
  /** production first, then the others by name. */
  list: (projectId: string) => api.get<Channel[]>(`/v1/projects/${projectId}/channels`),
  create: (projectId: string, name: string) => api.post<Channel>(`/v1/projects/${projectId}/channels`, { name }),
  /** 409 while the channel has releases. */
  remove: (projectId: string, name: string) =>
    api.delete(`/v1/projects/${projectId}/channels/${encodeURIComponent(name)}`),
  /** A new CodePush deployment key for the channel and platform; the old one is refused at once. */
  rotateKey: (projectId: string, name: string, platform: CodePushPlatform) =>
    api.post<{ deploymentKey: string }>(
      `/v1/projects/${projectId}/channels/${encodeURIComponent(name)}/deployment-keys/${platform}/rotate`,
    ),
  pins: (projectId: string, channel?: string) =>
    api.get<Pin[]>(`/v1/projects/${projectId}/pins`, { params: { channel: channel || undefined } }),
  pin: (projectId: string, p: { deviceKey: string; channel: string; note: string }) =>
    api.post<Pin>(`/v1/projects/${projectId}/pins`, p),
  unpin: (projectId: string, deviceKey: string) =>
    api.delete(`/v1/projects/${projectId}/pins/${encodeURIComponent(deviceKey)}`),
  /** What a device would get from the update check, and why (not counted in the statistics). */
  explain: (projectId: string, q: ExplainQuery) =>
    api.get<Explanation>(`/v1/projects/${projectId}/explain`, { params: q }),
}
