import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { compile } from '@intlify/core-base'
import { i18n } from '@/i18n'
import { compileMessage } from '@/i18n/compile'
import { installAdoptionMessages } from '@/i18n/adoption'
import { installCodePushMessages } from '@/i18n/codepush'
import { installDialogMessages } from '@/i18n/dialogs'
import { loadWebhookMessages } from '@/components/webhook/messages'

/** Every message key of a tree, with its text. */
function flatten(tree: unknown, prefix = ''): [string, string][] {
  if (typeof tree === 'string') return [[prefix, tree]]
  return Object.entries(tree as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k))
}

describe('the message compiler (src/i18n/compile.ts)', () => {
  it('renders every message of both languages as vue-i18n’s own compiler does', () => {
    installAdoptionMessages()
    installCodePushMessages()
    installDialogMessages()
    loadWebhookMessages()
    let checked = 0
    for (const locale of ['en', 'zh-CN'] as const) {
      const messages = i18n.global.getLocaleMessage(locale)
      // vue-i18n's reference: the same messages through its own compiler.
      const reference = createI18n({ legacy: false, locale, messages: { [locale]: messages }, messageCompiler: compile, missingWarn: false })
      const ours = i18n.global
      ours.locale.value = locale
      try {
        for (const [key, text] of flatten(messages)) {
          const names = [...text.matchAll(/\{\s*(\w+)\s*\}/g)].map((m) => m[1]!)
          const values = Object.fromEntries(names.map((n, i) => [n, `<${n}${i}>`]))
          for (const n of text.includes('|') ? [0, 1, 2, 5] : [undefined]) {
            const v = n === undefined ? values : { ...values, n }
            const want = n === undefined ? reference.global.t(key, v) : reference.global.t(key, v, n)
            const got = n === undefined ? ours.t(key, v) : ours.t(key, v, n)
            expect(got, `${locale} ${key} (${n})`).toBe(want)
            checked++
          }
        }
      } finally {
        ours.locale.value = 'en'
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })

  it('fills named and list placeholders and picks the plural case', () => {
    const x = createI18n({
      legacy: false,
      locale: 'en',
      messages: { en: { a: '{n} of {total} ({pct}%)', b: 'first {0}, then {1}', c: 'no device | one device | {n} devices', d: 'a {b c} d' } },
      messageCompiler: compileMessage,
    })
    const t = x.global.t
    expect(t('a', { n: 1, total: 3, pct: 33 })).toBe('1 of 3 (33%)')
    expect(t('b', ['x', 'y'])).toBe('first x, then y')
    expect([0, 1, 7].map((n) => t('c', { n }, n))).toEqual(['no device', 'one device', '7 devices'])
    expect(t('d')).toBe('a {b c} d')
  })
})
