import { describe, expect, it } from 'vitest'
import { isCodePushType, looksLikeRange, shortHash } from '@/utils/codepush'

describe('looksLikeRange', () => {
  it('lets npm semver ranges through', () => {
    for (const r of ['1.2.3', '1.x', '^1.2.0', '~1.2', '>=1.0.0 <2.0.0', '1.2.3 - 1.4.0', '*', '1.x || 2.x', '2.0.0-beta.1', ' 1.0.0 ', 'X']) {
      expect(looksLikeRange(r), r).toBe(true)
    }
  })

  it('stops what is clearly not one', () => {
    for (const r of ['', '   ', 'banana', 'v1;drop', '1.0.0/2', '(1.x)', '1'.repeat(257), '>=', 'latest']) {
      expect(looksLikeRange(r), r).toBe(false)
    }
  })
})

describe('CodePush helpers', () => {
  it('know the CodePush types and shorten hashes', () => {
    expect([1, 2, 3, 4, 5, 6, 7].filter(isCodePushType)).toEqual([6, 7])
    expect(shortHash('0123456789abcdef')).toBe('0123456789')
    expect(shortHash(undefined)).toBe('—')
  })
})
