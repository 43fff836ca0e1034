import { resourcesApi } from '@/api/resources'
import type { Resource } from '@/api/types'

/**
 * typeReleases loads the newest 100 releases of a type in every channel
 * and status (enough to work out a rollback or a promotion: what matters
 * are the highest codes); an error is shown by the client and gives [].
 */
export async function typeReleases(projectId: string, type: number): Promise<Resource[]> {
  try {
    const page = await resourcesApi.list(projectId, { type, sortKey: 'versionCode', order: 'DESC', pageSize: 100 })
    return page.records ?? []
  } catch {
    return []
  }
}
