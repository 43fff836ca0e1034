import { shallowReactive } from 'vue'
import { resourcesApi } from '@/api/resources'
import type { Resource } from '@/api/types'
import { t } from '@/i18n'
import { releaseName } from '@/utils/releases'

/** The changelog a rollback starts with (the server writes it): "Rollback of 1.0.2 (102): ...". */
const ROLLBACK_OF = /^Rollback of (.+ \(\d+\)):/

/**
 * useOrigins names where promoted and rolled-back releases come from. note
 * learns the releases of a loaded page and fetches the origins it does not
 * know (once each; a deleted origin stays unnamed); text is the line shown
 * under the version, in the current language.
 */
export function useOrigins() {
  const known = shallowReactive(new Map<string, Resource | null>())

  function note(rows: readonly Resource[]): void {
    for (const r of rows) known.set(r.id, r)
    for (const r of rows) {
      const id = r.originId
      if (!r.origin || !id || known.has(id)) continue
      known.set(id, null)
      resourcesApi.get(id, true).then(
        (o) => known.set(id, o),
        () => undefined,
      )
    }
  }

  function text(r: Resource): string {
    const o = r.originId ? known.get(r.originId) : null
    if (r.origin === 'promoted') return o ? t('resource.originPromoted', { channel: o.channel }) : t('resource.originPromotedUnknown')
    if (r.origin !== 'rollback') return ''
    const of = ROLLBACK_OF.exec(r.changelog)?.[1]
    if (o && of) return t('resource.originRollbackOf', { bad: of, release: releaseName(o) })
    if (o) return t('resource.originRollback', { release: releaseName(o) })
    return t('resource.originRollbackUnknown')
  }

  return { note, text }
}
