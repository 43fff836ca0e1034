import { ApiError } from '@/api/errors'
import { t } from '@/i18n'

/** errorText is what the user reads for a failed call. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.code === 'network') return t('error.network')
    if (e.code === 'bad_response' || e.code === 'http') return t('error.server', { status: e.status })
    return e.message
  }
  return e instanceof Error ? e.message : String(e)
}
