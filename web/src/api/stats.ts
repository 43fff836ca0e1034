import { api } from './index'
import type { Stats } from './types'

export interface StatsRange {
  /** First day, YYYY-MM-DD (default: 29 days before to). */
  from?: string
  /** Last day, YYYY-MM-DD (default: today, UTC). */
  to?: string
  /** Only checks, offers and downloads of this channel. */
  channel?: string
}

export const statsApi = {
  get: (projectId: string, r: StatsRange = {}) => api.get<Stats>(`/v1/projects/${projectId}/stats`, { params: r }),
}
