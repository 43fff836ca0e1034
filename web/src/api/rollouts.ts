import { ApiError } from './errors'
import { api } from './index'
import type { Funnel, RolloutAction, RolloutPlan, RolloutPlanInput } from './types'

export interface FunnelRange {
  /** First day, YYYY-MM-DD (default: the release's creation day). */
  from?: string
  /** Last day, YYYY-MM-DD (default: today, UTC). */
  to?: string
}

export const rolloutsApi = {
  /** The release's adoption funnel; silent: a poll shows its failure itself, once. */
  funnel: (id: string, r: FunnelRange = {}, silent = false) =>
    api.get<Funnel>(`/v1/resources/${id}/funnel`, { params: r, silent }),
  /**
   * The release's staged rollout, or null when it has none (404). Silent:
   * the caller shows any other failure (a poll shows it once, in place).
   */
  plan: async (id: string): Promise<RolloutPlan | null> => {
    try {
      return await api.get<RolloutPlan>(`/v1/resources/${id}/rollout-plan`, { silent: true })
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null
      throw e
    }
  },
  /** Sets (or replaces) the plan: the release goes to the first stage's percent at once. 400 with field errors on a bad plan. */
  setPlan: (id: string, p: RolloutPlanInput) => api.put<RolloutPlan>(`/v1/resources/${id}/rollout-plan`, p),
  /** 409 when the plan's state does not allow the action. */
  act: (id: string, action: RolloutAction) => api.post<RolloutPlan>(`/v1/resources/${id}/rollout-plan/${action}`),
}
