import { ResourceType } from '@/api/types'

/** isCodePushType: a CodePush bundle (Android or iOS). */
export function isCodePushType(type: number): boolean {
  return type === ResourceType.CodePushAndroid || type === ResourceType.CodePushIOS
}

/**
 * looksLikeRange is the panel's loose check of a targetBinaryRange: npm
 * semver range characters only, with a version number or a wildcard in
 * it. It catches typing slips before the request; the server parses the
 * range strictly (the parser the update check matches with) and names
 * the field when it refuses one this lets through.
 */
export function looksLikeRange(s: string): boolean {
  const v = s.trim()
  return v.length > 0 && v.length <= 256 && /^[0-9A-Za-z.*^~<>=|+\- ]+$/.test(v) && /[0-9*xX]/.test(v)
}

/** shortHash is the start of a package hash, enough to tell releases apart. */
export function shortHash(h: string | undefined): string {
  return h ? h.slice(0, 10) : '—'
}
