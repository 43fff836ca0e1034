import { api } from './index'
import type { Campaign, CampaignDevice, CampaignEvent, CampaignInput, OtaHistoryEntry, Page, PageQuery } from './types'

export interface CampaignQuery extends PageQuery {
  projectId?: string
  product?: string
}

export const campaignsApi = {
  /** silent: a refresh in the background; its failure is not shown. */
  list: (q: CampaignQuery, silent = false) => api.get<Page<Campaign>>('/v1/ota/campaigns', { params: q, silent }),
  /** silent: a poll does not repeat the same error every two seconds. */
  get: (id: string, silent = false) => api.get<Campaign>(`/v1/ota/campaigns/${id}`, { silent }),
  create: (c: CampaignInput) => api.post<Campaign>('/v1/ota/campaigns', c),
  devices: (id: string, q: PageQuery & { state?: string }, silent = false) =>
    api.get<Page<CampaignDevice>>(`/v1/ota/campaigns/${id}/devices`, { params: q, silent }),
  history: (id: string, q: PageQuery & { device?: string }) =>
    api.get<Page<OtaHistoryEntry>>(`/v1/ota/campaigns/${id}/history`, { params: q }),
  cancel: (id: string) => api.post<Campaign>(`/v1/ota/campaigns/${id}/cancel`),
  /** Campaigns in waves: no further wave starts until resumed. */
  pause: (id: string) => api.post<Campaign>(`/v1/ota/campaigns/${id}/pause`),
  /** Unpauses (accepting the failures so far) and sends the command again to open devices. */
  resume: (id: string) => api.post<{ campaign: Campaign; resent: number }>(`/v1/ota/campaigns/${id}/resume`),
  /** Starts the next wave now, whatever the thresholds say. */
  advance: (id: string) => api.post<Campaign>(`/v1/ota/campaigns/${id}/advance`),
  /** The same as cancel, named for campaigns in waves. */
  abort: (id: string) => api.post<Campaign>(`/v1/ota/campaigns/${id}/abort`),
  events: (id: string, silent = false) =>
    api.get<Page<CampaignEvent>>(`/v1/ota/campaigns/${id}/events`, { params: { order: 'ASC', pageSize: 100 }, silent }),
}
