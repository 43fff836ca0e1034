import type { CampaignTarget } from '@/api/types'
import { t } from '@/i18n'

/** targetText names a campaign's devices: a device, a tag, or all. */
export function targetText(target: CampaignTarget | null | undefined): string {
  if (target?.device) return target.device
  if (target?.tag) return t('ota.tagTarget', { tag: target.tag })
  return t('ota.everyDevice')
}
