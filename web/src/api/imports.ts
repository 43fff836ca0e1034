import { api } from './index'
import type * as S from './schema.gen'

export type ImportOutcome = ImportEntry['outcome']
export type ImportKind = ImportEntry['kind']
/** One upushy record of an import report. */
export type ImportEntry = S.ImportEntryView
/** Records of one kind by outcome. */
export type ImportTotal = S.ImportTotalView
/**
 * The report of the last `hoist import upushy`. A long one keeps only the
 * entries with something to say (entriesOmitted counts the others); totals
 * count them all.
 */
export type ImportReport = S.ImportReportView

export const importsApi = {
  /** The last upushy import's report; null before the first one. Errors are left to the caller. */
  lastUpushy: () => api.get<ImportReport | null>('/v1/imports/upushy/last', { silent: true }),
}
