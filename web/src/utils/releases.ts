import { ResourceType, type Resource } from '@/api/types'

/** isWgt: a hot-update package (Android or iOS). */
export function isWgtType(type: number): boolean {
  return type === ResourceType.WgtAndroid || type === ResourceType.WgtIOS
}

/**
 * RollbackPlan is what a rollback of a release will do, worked out the way
 * the server does it (release.Service.Rollback) from the releases of its
 * type:
 *  - wgt: the release is withdrawn and the previous enabled wgt of the same
 *    channel and native build is published again under the channel's next
 *    versionCode (a CodePush bundle likewise, under the next label);
 *  - native: the release is only withdrawn;
 *  - refused: nothing can be rolled back (why says which rule).
 */
export type RollbackPlan =
  | { kind: 'wgt'; bad: Resource; previous: Resource; nextCode: number }
  | { kind: 'native'; bad: Resource }
  | { kind: 'refused'; bad: Resource; why: 'firmware' | 'disabled' | 'noPrevious' }

/**
 * rollbackPlan computes the plan for rolling back bad, given the releases
 * of its project and type (any channel, any status; bad may be among
 * them). The next versionCode is one above the highest of the channel and
 * type, disabled releases included (the server's rule); the previous
 * release is the enabled one of the same channel and native build with the
 * highest versionCode below bad's.
 */
export function rollbackPlan(bad: Resource, releases: readonly Resource[]): RollbackPlan {
  if (bad.type === ResourceType.Firmware) return { kind: 'refused', bad, why: 'firmware' }
  if (bad.status !== 1) return { kind: 'refused', bad, why: 'disabled' }
  // CodePush bundles (6, 7) go back like wgt (their nativeVersionCode is 0).
  if (!isWgtType(bad.type) && bad.type < ResourceType.CodePushAndroid) return { kind: 'native', bad }
  const same = releases.filter((r) => r.type === bad.type && r.channel === bad.channel && r.id !== bad.id)
  let previous: Resource | undefined
  for (const r of same) {
    if (r.status !== 1 || r.nativeVersionCode !== bad.nativeVersionCode || r.versionCode >= bad.versionCode) continue
    if (!previous || r.versionCode > previous.versionCode) previous = r
  }
  if (!previous) return { kind: 'refused', bad, why: 'noPrevious' }
  const top = same.reduce((m, r) => Math.max(m, r.versionCode), bad.versionCode)
  return { kind: 'wgt', bad, previous, nextCode: top + 1 }
}

/**
 * PromoteCheck says whether a promotion to a channel can pass its version
 * rule: the versionCode must be greater than every release of that type in
 * the target channel (blocking is that highest release, if it is not).
 */
export interface PromoteCheck {
  ok: boolean
  blocking?: Resource
}

/**
 * promoteCheck checks src against the releases (any channel) of its type.
 * A CodePush bundle takes the target deployment's next label instead: it
 * is blocked only while the latest release there is enabled with an
 * unfinished rollout.
 */
export function promoteCheck(src: Resource, target: string, releases: readonly Resource[]): PromoteCheck {
  let top: Resource | undefined
  for (const r of releases) {
    if (r.type !== src.type || r.channel !== target) continue
    if (!top || r.versionCode > top.versionCode) top = r
  }
  const blocked = src.label ? top && top.status === 1 && top.rolloutPercent < 100 : top && top.versionCode >= src.versionCode
  return blocked ? { ok: false, blocking: top } : { ok: true }
}

/** releaseName is "1.0.1 (101)", or "v3 (^1.2.0)" for a CodePush bundle (its label and version). */
export function releaseName(r: Pick<Resource, 'version' | 'versionCode' | 'label'>): string {
  return r.label ? `${r.label} (${r.version})` : `${r.version} (${r.versionCode})`
}
