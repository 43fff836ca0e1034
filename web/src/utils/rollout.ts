import type { FunnelCounts, Member, RolloutAction, RolloutGates, RolloutPlan, RolloutPlanInput, RolloutState } from '@/api/types'

/** The bounds of a plan, as the server checks them (release.Plan.Validate). */
export const MAX_STAGES = 10
export const MAX_MINUTES = 30 * 24 * 60

/** Gates a new plan starts with. */
export const DEFAULT_GATES: RolloutGates = { minDownloaded: 100, minAppliedPercent: 80, maxNotAppliedPercent: 10 }

export type HoldUnit = 'minutes' | 'hours' | 'days'
const UNIT_MINUTES: Record<HoldUnit, number> = { minutes: 1, hours: 60, days: 1440 }

/** A stage as the form edits it: an emptied input is undefined (or null, as ant-design's InputNumber says it). */
export interface StageDraft {
  percent: number | undefined
  hold: number | undefined
  unit: HoldUnit
}

/** A plan as the form edits it. */
export interface PlanDraft {
  stages: StageDraft[]
  gates: { [K in keyof RolloutGates]: number | undefined }
}

/** What is wrong with a field; the panel says it in the user's language. */
export type PlanProblem = 'required' | 'stageCount' | 'percentGrow' | 'lastNot100' | 'duration' | 'negative' | 'gatePercent'

/** defaultDraft: 10 % for a day, 50 % for a day, then everyone; the default gates. */
export function defaultDraft(): PlanDraft {
  return {
    stages: [
      { percent: 10, hold: 1, unit: 'days' },
      { percent: 50, hold: 1, unit: 'days' },
      { percent: 100, hold: 0, unit: 'minutes' },
    ],
    gates: { ...DEFAULT_GATES },
  }
}

/** holdOf writes minutes in the largest unit that divides them (0 is 0 minutes). */
export function holdOf(minutes: number): { hold: number; unit: HoldUnit } {
  if (minutes > 0 && minutes % UNIT_MINUTES.days === 0) return { hold: minutes / UNIT_MINUTES.days, unit: 'days' }
  if (minutes > 0 && minutes % UNIT_MINUTES.hours === 0) return { hold: minutes / UNIT_MINUTES.hours, unit: 'hours' }
  return { hold: minutes, unit: 'minutes' }
}

/** draftOf turns a plan back into a form (to replace it by an edited one). */
export function draftOf(p: Pick<RolloutPlan, 'stages' | 'gates'>): PlanDraft {
  return { stages: p.stages.map((s) => ({ percent: s.percent, ...holdOf(s.minMinutes) })), gates: { ...p.gates } }
}

/**
 * planInput is what the form sends: durations in whole minutes; the last
 * stage holds for none (it completes the rollout when reached), empty
 * inputs are NaN so that the server refuses what planProblems would.
 */
export function planInput(d: PlanDraft): RolloutPlanInput {
  const n = (v: number | null | undefined) => (v == null ? Number.NaN : v)
  return {
    stages: d.stages.map((s, i) => ({
      percent: n(s.percent),
      minMinutes: i === d.stages.length - 1 ? 0 : Math.round(n(s.hold) * UNIT_MINUTES[s.unit]),
    })),
    gates: { minDownloaded: n(d.gates.minDownloaded), minAppliedPercent: n(d.gates.minAppliedPercent), maxNotAppliedPercent: n(d.gates.maxNotAppliedPercent) },
  }
}

/**
 * planProblems checks a plan the way the server does, keyed by the field
 * names of its 400 answer ("stages", "stages[1].percent",
 * "stages[1].minDuration", "gates.minDownloaded", …): 1 to 10 stages of
 * strictly growing percents within 1..100 ending at 100, holds of 0 to 30
 * days, gate percents within 0..100, minDownloaded not negative. Empty
 * when the plan is good.
 */
export function planProblems(d: PlanDraft): Record<string, PlanProblem> {
  const out: Record<string, PlanProblem> = {}
  const p = planInput(d)
  if (p.stages.length === 0 || p.stages.length > MAX_STAGES) out.stages = 'stageCount'
  let prev = 0
  p.stages.forEach((s, i) => {
    const field = `stages[${i}]`
    if (!Number.isFinite(s.percent)) out[`${field}.percent`] = 'required'
    else if (s.percent <= prev || s.percent > 100) out[`${field}.percent`] = 'percentGrow'
    if (!Number.isFinite(s.minMinutes)) out[`${field}.minDuration`] = 'required'
    else if (s.minMinutes < 0 || s.minMinutes > MAX_MINUTES) out[`${field}.minDuration`] = 'duration'
    if (Number.isFinite(s.percent)) prev = s.percent
  })
  const last = p.stages[p.stages.length - 1]
  if (!out.stages && last && Number.isFinite(last.percent) && last.percent !== 100) out.stages = 'lastNot100'
  const g = p.gates
  if (!Number.isFinite(g.minDownloaded)) out['gates.minDownloaded'] = 'required'
  else if (g.minDownloaded < 0) out['gates.minDownloaded'] = 'negative'
  for (const k of ['minAppliedPercent', 'maxNotAppliedPercent'] as const) {
    if (!Number.isFinite(g[k])) out[`gates.${k}`] = 'required'
    else if (g[k] < 0 || g[k] > 100) out[`gates.${k}`] = 'gatePercent'
  }
  return out
}

/** ratio is n of `of` in percent with at most one decimal ("83.3%"), "—" when `of` is 0. */
export function ratio(n: number, of: number): string {
  if (!(of > 0)) return '—'
  return `${Math.round((1000 * n) / of) / 10}%`
}

/** FunnelStep is one bar of the funnel: its count, its width (percent of the widest) and its conversion. */
export interface FunnelStep {
  key: keyof FunnelCounts
  count: number
  /** 0..100, for the bar. */
  width: number
  /** Offered: none; downloaded: of offered; applied and not applied: of downloaded. */
  of?: 'offered' | 'downloaded'
  percent?: string
}

/** funnelSteps shapes the four counts for the funnel bars. */
export function funnelSteps(f: FunnelCounts): FunnelStep[] {
  const top = Math.max(1, f.offered, f.downloaded, f.applied, f.notApplied)
  const w = (n: number) => Math.round((1000 * n) / top) / 10
  return [
    { key: 'offered', count: f.offered, width: w(f.offered) },
    { key: 'downloaded', count: f.downloaded, width: w(f.downloaded), of: 'offered', percent: ratio(f.downloaded, f.offered) },
    { key: 'applied', count: f.applied, width: w(f.applied), of: 'downloaded', percent: ratio(f.applied, f.downloaded) },
    { key: 'notApplied', count: f.notApplied, width: w(f.notApplied), of: 'downloaded', percent: ratio(f.notApplied, f.downloaded) },
  ]
}

/** allowedActions: what the server lets an operator do in a state (release.Rollouts.Act). */
export function allowedActions(state: RolloutState): RolloutAction[] {
  switch (state) {
    case 'running':
      return ['pause', 'advance', 'abort']
    case 'paused':
    case 'halted':
      return ['resume', 'advance', 'abort']
    default:
      return []
  }
}

/**
 * advanceTarget says what "advance" does to a plan: the percent of the
 * next stage, and whether the rollout then completes (the next stage is
 * the last and holds for none, or the plan is at its last stage already).
 */
export function advanceTarget(p: Pick<RolloutPlan, 'stages' | 'stage' | 'percent'>): { percent: number; completes: boolean } {
  const next = p.stages[p.stage] // stage is 1-based: this is the one after it
  if (!next) return { percent: p.percent, completes: true }
  return { percent: next.percent, completes: p.stage === p.stages.length - 1 && next.minMinutes === 0 }
}

/** CONTROLLER is the actor of the changes Hoist made by itself. */
export const CONTROLLER = 'hoist'

/**
 * actorName names who made a change: "Hoist" for the controller, else the
 * member (nickname, else username) or the signed-in user with that id,
 * else the id itself.
 */
export function actorName(actor: string, members: readonly Pick<Member, 'userId' | 'username' | 'nickname'>[], me?: { id: string; username: string; nickname: string } | null): string {
  if (actor === CONTROLLER) return 'Hoist'
  const m = members.find((x) => x.userId === actor)
  if (m) return m.nickname || m.username
  if (me && me.id === actor) return me.nickname || me.username
  return actor
}
