import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { ApiError } from '@/api/errors'
import { campaignsApi } from '@/api/ota'
import type { Campaign } from '@/api/types'
import { usePolling } from './usePolling'

/** How often an active campaign is polled. */
export const CAMPAIGN_POLL_MS = 2000

/** What an operator may do to a campaign in waves. */
export type WaveAction = 'pause' | 'resume' | 'advance' | 'abort'

/**
 * useCampaign loads an OTA campaign and, while it is active (or paused:
 * its devices still move), polls it every 2 s together with `alsoPoll` (its
 * device table); once it stops being active, `alsoPoll` runs one last time
 * so the table shows the final states. Polls are silent: a failed poll
 * shows no error, the next one tries again.
 */
export function useCampaign(id: Ref<string>, alsoPoll?: () => Promise<unknown>) {
  const campaign = shallowRef<Campaign | null>(null)
  const loading = ref(false)
  const missing = ref('')
  const cancelling = ref(false)
  /** The wave action in flight, if any. */
  const acting = ref<WaveAction | null>(null)
  const active = computed(() => campaign.value?.status === 'active' || campaign.value?.status === 'paused')

  async function load(): Promise<void> {
    loading.value = true
    missing.value = ''
    try {
      campaign.value = await campaignsApi.get(id.value)
    } catch (e) {
      campaign.value = null
      missing.value = e instanceof ApiError ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }

  async function poll(): Promise<void> {
    const want = id.value
    const [c] = await Promise.all([campaignsApi.get(want, true), alsoPoll?.()])
    if (want === id.value) campaign.value = c
  }

  async function cancel(): Promise<boolean> {
    if (!campaign.value) return false
    cancelling.value = true
    try {
      campaign.value = await campaignsApi.cancel(campaign.value.id)
      return true
    } catch {
      return false
    } finally {
      cancelling.value = false
    }
  }

  /** act pauses, resumes, advances or aborts the campaign; false when the API refused (it says why). */
  async function act(action: WaveAction): Promise<boolean> {
    if (!campaign.value || acting.value) return false
    const id = campaign.value.id
    acting.value = action
    try {
      if (action === 'resume') campaign.value = (await campaignsApi.resume(id)).campaign
      else campaign.value = await campaignsApi[action](id)
      void alsoPoll?.()
      return true
    } catch {
      return false
    } finally {
      acting.value = null
    }
  }

  const polling = usePolling(poll, { interval: CAMPAIGN_POLL_MS, active })
  watch(active, (now, before) => {
    if (before && !now) void alsoPoll?.()
  })
  watch(id, () => void load(), { immediate: true })

  return { campaign, loading, missing, active, cancelling, acting, load, cancel, act, polling: polling.running }
}
