import { describe, expect, it } from 'vitest'
import type { Resource } from '@/api/types'
import { promoteCheck, releaseName, rollbackPlan } from '@/utils/releases'

let n = 0
function res(p: Partial<Resource> & Pick<Resource, 'type' | 'version' | 'versionCode'>): Resource {
  n++
  return {
    id: `r${n}`,
    projectId: 'p',
    nativeVersionCode: 100,
    url: '',
    updateType: 1,
    status: 1,
    changelog: '',
    remark: '',
    rolloutPercent: 100,
    size: 0,
    md5: '',
    sha256: '',
    channel: 'production',
    createdBy: 'u',
    createdTime: '',
    updatedTime: '',
    ...p,
  }
}

describe('rollbackPlan', () => {
  it('re-publishes the previous enabled wgt of the same channel and native build as the next code of the channel', () => {
    const old = res({ type: 1, version: '1.0.0', versionCode: 100 })
    const disabled = res({ type: 1, version: '1.0.1', versionCode: 101, status: 0 })
    const prev = res({ type: 1, version: '1.0.2', versionCode: 102 })
    const otherNative = res({ type: 1, version: '1.0.3', versionCode: 103, nativeVersionCode: 200 })
    const bad = res({ type: 1, version: '1.1.0', versionCode: 110 })
    // Higher codes count for the next code, whatever their status or native build.
    const higherDisabled = res({ type: 1, version: '1.2.0', versionCode: 120, status: 0 })
    // Other channels and types count for nothing.
    const beta = res({ type: 1, version: '1.0.9', versionCode: 109, channel: 'beta' })
    const betaTop = res({ type: 1, version: '9', versionCode: 900, channel: 'beta' })
    const ios = res({ type: 2, version: '1.0.5', versionCode: 500 })
    const all = [old, disabled, prev, otherNative, bad, higherDisabled, beta, betaTop, ios]
    expect(rollbackPlan(bad, all)).toEqual({ kind: 'wgt', bad, previous: prev, nextCode: 121 })
    // The list need not hold the release itself (a page of another filter).
    expect(rollbackPlan(bad, [old])).toEqual({ kind: 'wgt', bad, previous: old, nextCode: 111 })
  })

  it('works per channel: a beta wgt goes back to the previous beta wgt', () => {
    const p1 = res({ type: 1, version: '1.0.0', versionCode: 100, channel: 'beta' })
    const prodHigher = res({ type: 1, version: '1.0.5', versionCode: 105 })
    const bad = res({ type: 1, version: '1.1.0', versionCode: 110, channel: 'beta' })
    expect(rollbackPlan(bad, [p1, prodHigher, bad])).toEqual({ kind: 'wgt', bad, previous: p1, nextCode: 111 })
  })

  it('only withdraws a native build', () => {
    const bad = res({ type: 3, version: '2.0.0', versionCode: 200 })
    expect(rollbackPlan(bad, [res({ type: 3, version: '1.0.0', versionCode: 100 }), bad])).toEqual({ kind: 'native', bad })
  })

  it('refuses without a previous release, for a disabled release and for firmware', () => {
    const first = res({ type: 1, version: '1.0.0', versionCode: 100 })
    const otherNative = res({ type: 1, version: '0.9.0', versionCode: 90, nativeVersionCode: 90 })
    expect(rollbackPlan(first, [first, otherNative])).toMatchObject({ kind: 'refused', why: 'noPrevious' })
    const off = res({ type: 1, version: '1.0.1', versionCode: 101, status: 0 })
    expect(rollbackPlan(off, [first, off])).toMatchObject({ kind: 'refused', why: 'disabled' })
    const fw = res({ type: 5, version: '1.0.0', versionCode: 100 })
    expect(rollbackPlan(fw, [fw])).toMatchObject({ kind: 'refused', why: 'firmware' })
  })
})

describe('promoteCheck', () => {
  it('needs a version code above every release of the type in the target channel', () => {
    const src = res({ type: 1, version: '1.1.0', versionCode: 110, channel: 'beta' })
    const prod = res({ type: 1, version: '1.0.2', versionCode: 102 })
    expect(promoteCheck(src, 'production', [src, prod])).toEqual({ ok: true })
    const prodTop = res({ type: 1, version: '1.2.0', versionCode: 110, status: 0 })
    expect(promoteCheck(src, 'production', [src, prod, prodTop])).toEqual({ ok: false, blocking: prodTop })
    expect(promoteCheck(src, 'canary', [src, prod, prodTop])).toEqual({ ok: true })
    // Another type does not block.
    expect(promoteCheck(src, 'production', [res({ type: 3, version: '9', versionCode: 900 })])).toEqual({ ok: true })
  })
})

describe('releaseName', () => {
  it('is the version with its code', () => {
    expect(releaseName({ version: '1.0.1', versionCode: 101 })).toBe('1.0.1 (101)')
  })
})

describe('CodePush bundles', () => {
  const cp = (p: Partial<Resource> & { versionCode: number }) =>
    res({ type: 6, version: '^1.0.0', nativeVersionCode: 0, label: `v${p.versionCode}`, targetBinaryRange: '^1.0.0', ...p })

  it('are named by label and version', () => {
    expect(releaseName(cp({ versionCode: 3 }))).toBe('v3 (^1.0.0)')
  })

  it('roll back like wgt: the previous enabled bundle of the channel under the next label', () => {
    const v1 = cp({ versionCode: 1 })
    const v2 = cp({ versionCode: 2, status: 0 })
    const bad = cp({ versionCode: 3 })
    const beta = cp({ versionCode: 7, channel: 'beta' })
    expect(rollbackPlan(bad, [v1, v2, bad, beta])).toEqual({ kind: 'wgt', bad, previous: v1, nextCode: 4 })
    expect(rollbackPlan(v1, [v1, bad])).toMatchObject({ kind: 'refused', why: 'noPrevious' })
  })

  it('promote into a deployment unless its latest release is still rolling out', () => {
    const src = cp({ versionCode: 5, channel: 'beta' })
    // Labels are per deployment: a higher one in the target does not block.
    const prod = cp({ versionCode: 9 })
    expect(promoteCheck(src, 'production', [src, prod])).toEqual({ ok: true })
    const rolling = cp({ versionCode: 10, rolloutPercent: 20 })
    expect(promoteCheck(src, 'production', [src, prod, rolling])).toEqual({ ok: false, blocking: rolling })
    const rollingOff = cp({ versionCode: 10, rolloutPercent: 20, status: 0 })
    expect(promoteCheck(src, 'production', [src, prod, rollingOff])).toEqual({ ok: true })
  })
})
