import { describe, expect, it } from 'vitest'
import { i18n } from '@/i18n'
import { installAdoptionMessages } from '@/i18n/adoption'
import {
  actorName,
  advanceTarget,
  allowedActions,
  defaultDraft,
  draftOf,
  funnelSteps,
  holdOf,
  planInput,
  planProblems,
  ratio,
  type PlanDraft,
} from '@/utils/rollout'

const draft = (stages: [number | undefined, number | undefined, 'minutes' | 'hours' | 'days'][], gates: Partial<PlanDraft['gates']> = {}): PlanDraft => ({
  stages: stages.map(([percent, hold, unit]) => ({ percent, hold, unit })),
  gates: { minDownloaded: 100, minAppliedPercent: 80, maxNotAppliedPercent: 10, ...gates },
})

describe('staged rollout plans', () => {
  it('the default plan is one the server accepts, with the default gates', () => {
    expect(planProblems(defaultDraft())).toEqual({})
    expect(planInput(defaultDraft())).toEqual({
      stages: [
        { percent: 10, minMinutes: 1440 },
        { percent: 50, minMinutes: 1440 },
        { percent: 100, minMinutes: 0 },
      ],
      gates: { minDownloaded: 100, minAppliedPercent: 80, maxNotAppliedPercent: 10 },
    })
  })

  it('planInput sends whole minutes, and none for the last stage', () => {
    expect(planInput(draft([[1, 90, 'minutes'], [10, 2, 'hours'], [100, 5, 'days']])).stages).toEqual([
      { percent: 1, minMinutes: 90 },
      { percent: 10, minMinutes: 120 },
      { percent: 100, minMinutes: 0 },
    ])
  })

  it('planProblems mirrors the server: growing percents within 1..100 ending at 100', () => {
    expect(planProblems(draft([[100, 0, 'minutes']]))).toEqual({})
    expect(planProblems(draft([[10, 1, 'hours'], [10, 1, 'hours'], [100, 0, 'minutes']]))).toEqual({ 'stages[1].percent': 'percentGrow' })
    expect(planProblems(draft([[50, 1, 'hours'], [20, 1, 'hours'], [100, 0, 'minutes']]))).toEqual({ 'stages[1].percent': 'percentGrow' })
    expect(planProblems(draft([[0, 1, 'hours'], [100, 0, 'minutes']]))).toEqual({ 'stages[0].percent': 'percentGrow' })
    expect(planProblems(draft([[10, 1, 'hours'], [50, 0, 'minutes']]))).toEqual({ stages: 'lastNot100' })
    expect(planProblems(draft([[10, 1, 'hours'], [101, 0, 'minutes']]))).toEqual({ 'stages[1].percent': 'percentGrow', stages: 'lastNot100' })
    expect(planProblems(draft([[undefined, 1, 'hours'], [100, 0, 'minutes']]))).toEqual({ 'stages[0].percent': 'required' })
    // An empty percent does not hide a later stage that does not grow over the one before it.
    expect(planProblems(draft([[40, 1, 'hours'], [undefined, 1, 'hours'], [30, 1, 'hours'], [100, 0, 'minutes']]))).toEqual({
      'stages[1].percent': 'required',
      'stages[2].percent': 'percentGrow',
    })
  })

  it('planProblems counts the stages: 1 to 10', () => {
    expect(planProblems(draft([]))).toEqual({ stages: 'stageCount' })
    const eleven = draft(Array.from({ length: 11 }, (_, i) => [(i + 1) * 9, 0, 'minutes'] as [number, number, 'minutes']))
    eleven.stages[10]!.percent = 100
    expect(planProblems(eleven)).toEqual({ stages: 'stageCount' })
    eleven.stages.splice(0, 1)
    expect(planProblems(eleven)).toEqual({})
  })

  it('planProblems holds a stage 0 to 30 days, named as the server names it', () => {
    expect(planProblems(draft([[10, 30, 'days'], [100, 0, 'minutes']]))).toEqual({})
    expect(planProblems(draft([[10, 721, 'hours'], [100, 0, 'minutes']]))).toEqual({ 'stages[0].minDuration': 'duration' })
    expect(planProblems(draft([[10, -1, 'minutes'], [100, 0, 'minutes']]))).toEqual({ 'stages[0].minDuration': 'duration' })
    expect(planProblems(draft([[10, undefined, 'minutes'], [100, 0, 'minutes']]))).toEqual({ 'stages[0].minDuration': 'required' })
  })

  it('planProblems checks the gates', () => {
    const ok = [[100, 0, 'minutes']] as [number, number, 'minutes'][]
    expect(planProblems(draft(ok, { minDownloaded: 0, minAppliedPercent: 0, maxNotAppliedPercent: 100 }))).toEqual({})
    expect(planProblems(draft(ok, { minDownloaded: -1, minAppliedPercent: 101, maxNotAppliedPercent: -5 }))).toEqual({
      'gates.minDownloaded': 'negative',
      'gates.minAppliedPercent': 'gatePercent',
      'gates.maxNotAppliedPercent': 'gatePercent',
    })
    expect(planProblems(draft(ok, { minDownloaded: undefined }))).toEqual({ 'gates.minDownloaded': 'required' })
  })

  it('every problem has a message in both languages', () => {
    installAdoptionMessages()
    for (const k of ['required', 'stageCount', 'percentGrow', 'lastNot100', 'duration', 'negative', 'gatePercent']) {
      for (const l of ['en', 'zh-CN'] as const) expect(i18n.global.te(`adoption.form.problems.${k}`, l), `${l} ${k}`).toBe(true)
    }
  })

  it('holdOf writes minutes in the largest unit that divides them; draftOf goes back to a form', () => {
    expect([0, 45, 60, 90, 1440, 2880, 1500].map(holdOf)).toEqual([
      { hold: 0, unit: 'minutes' },
      { hold: 45, unit: 'minutes' },
      { hold: 1, unit: 'hours' },
      { hold: 90, unit: 'minutes' },
      { hold: 1, unit: 'days' },
      { hold: 2, unit: 'days' },
      { hold: 25, unit: 'hours' },
    ])
    const plan = { stages: [{ percent: 10, minMinutes: 60 }, { percent: 100, minMinutes: 0 }], gates: { minDownloaded: 5, minAppliedPercent: 0, maxNotAppliedPercent: 100 } }
    expect(planInput(draftOf(plan))).toEqual(plan)
  })
})

describe('adoption funnel', () => {
  it('ratio gives one decimal at most, a dash when there is nothing to divide by', () => {
    expect(ratio(5, 6)).toBe('83.3%')
    expect(ratio(3, 3)).toBe('100%')
    expect(ratio(0, 7)).toBe('0%')
    expect(ratio(1, 0)).toBe('—')
  })

  it('funnelSteps converts downloads from offers, installs from downloads; bars relative to the widest', () => {
    const steps = funnelSteps({ offered: 200, downloaded: 120, applied: 90, notApplied: 12 })
    expect(steps.map((s) => [s.key, s.count, s.width, s.of, s.percent])).toEqual([
      ['offered', 200, 100, undefined, undefined],
      ['downloaded', 120, 60, 'offered', '60%'],
      ['applied', 90, 45, 'downloaded', '75%'],
      ['notApplied', 12, 6, 'downloaded', '10%'],
    ])
    expect(funnelSteps({ offered: 0, downloaded: 0, applied: 0, notApplied: 0 }).map((s) => [s.width, s.percent])).toEqual([
      [0, undefined],
      [0, '—'],
      [0, '—'],
      [0, '—'],
    ])
  })
})

describe('rollout actions', () => {
  it('allowedActions are the ones the server accepts in each state', () => {
    expect(allowedActions('running')).toEqual(['pause', 'advance', 'abort'])
    expect(allowedActions('paused')).toEqual(['resume', 'advance', 'abort'])
    expect(allowedActions('halted')).toEqual(['resume', 'advance', 'abort'])
    expect(allowedActions('completed')).toEqual([])
    expect(allowedActions('aborted')).toEqual([])
  })

  it('advanceTarget: the next stage, completing when it is the last and holds for none', () => {
    const stages = [
      { percent: 10, minMinutes: 60 },
      { percent: 50, minMinutes: 60 },
      { percent: 100, minMinutes: 0 },
    ]
    expect(advanceTarget({ stages, stage: 1, percent: 10 })).toEqual({ percent: 50, completes: false })
    expect(advanceTarget({ stages, stage: 2, percent: 50 })).toEqual({ percent: 100, completes: true })
    expect(advanceTarget({ stages: [stages[0]!, { percent: 100, minMinutes: 30 }], stage: 1, percent: 10 })).toEqual({ percent: 100, completes: false })
    expect(advanceTarget({ stages: [{ percent: 100, minMinutes: 30 }], stage: 1, percent: 100 })).toEqual({ percent: 100, completes: true })
  })

  it('actorName: Hoist, a member, me, else the id', () => {
    const members = [{ userId: 'u1', username: 'alice', nickname: 'Alice' }, { userId: 'u2', username: 'bob', nickname: '' }]
    expect(actorName('hoist', members)).toBe('Hoist')
    expect(actorName('u1', members)).toBe('Alice')
    expect(actorName('u2', members)).toBe('bob')
    expect(actorName('u3', members, { id: 'u3', username: 'root', nickname: '' })).toBe('root')
    expect(actorName('u4', members, { id: 'u3', username: 'root', nickname: '' })).toBe('u4')
  })
})
