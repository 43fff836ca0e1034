import { api } from './index'

export type ImportOutcome = 'imported' | 'present' | 'skipped'
export type ImportKind = 'user' | 'project' | 'resource'

/** One upushy record of an import report. */
export interface ImportEntry {
  kind: ImportKind
  id: string
  name: string
  outcome: ImportOutcome
  reason?: string
  /** A user's Hoist username when it is not the upushy one. */
  newName?: string
  /** A project's owner when its upushy owner was not imported (--owner). */
  owner?: string
}

/** Records of one kind by outcome. */
export interface ImportTotal {
  kind: ImportKind
  imported: number
  present: number
  skipped: number
}

/**
 * The report of the last `hoist import upushy`. A long one keeps only the
 * entries with something to say (entriesOmitted counts the others); totals
 * count them all.
 */
export interface ImportReport {
  time: string
  dryRun: boolean
  source?: string
  urlBase?: string
  times?: string
  owner?: string
  totals?: ImportTotal[]
  entriesOmitted?: number
  entries: ImportEntry[]
  changedProjects: string[]
}

export const importsApi = {
  /** The last upushy import's report; null before the first one. Errors are left to the caller. */
  lastUpushy: () => api.get<ImportReport | null>('/v1/imports/upushy/last', { silent: true }),
}
