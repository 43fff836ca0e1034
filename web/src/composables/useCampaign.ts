import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { ApiError } from '@/api/errors'
import { campaignsApi } from '@/api/ota'
import type { Campaign } from '@/api/types'
import { usePolling } from './usePolling'

/** How often an active campaign is polled. */
export const CAMPAIGN_POLL_MS = 2000

/**
 * useCampaign loads an OTA campaign and, while it is active, polls it every
 * 2 s together with `alsoPoll` (its device table); once it stops being
 * active, `alsoPoll` runs one last time so the table shows the final
 * states. Polls are silent: a failed poll shows no error, the next one
 * tries again.
 */
export function useCampaign(id: Ref<string>, alsoPoll?: () => Promise<unknown>) {
  const campaign = shallowRef<Campaign | null>(null)
  const loading = ref(false)
  const missing = ref('')
  const cancelling = ref(false)
  const active = computed(() => campaign.value?.status === 'active')

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

  const polling = usePolling(poll, { interval: CAMPAIGN_POLL_MS, active })
  watch(active, (now, before) => {
    if (before && !now) void alsoPoll?.()
  })
  watch(id, () => void load(), { immediate: true })

  return { campaign, loading, missing, active, cancelling, load, cancel, polling: polling.running }
}
