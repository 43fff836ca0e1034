import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { mount } from '@vue/test-utils'
import { createI18n as realCreateI18n } from 'vue-i18n/dist/vue-i18n.mjs'
import { createI18n, useI18n } from 'vue-i18n'
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

describe('the panel’s vue-i18n (src/i18n/lite.ts and compile.ts)', () => {
  it('is what the build uses for "vue-i18n"', () => {
    expect(createI18n).not.toBe(realCreateI18n)
  })

  it('renders every message of both languages as vue-i18n does, with each way of passing values', () => {
    installAdoptionMessages()
    installCodePushMessages()
    installDialogMessages()
    loadWebhookMessages()
    const ours = i18n.global
    let checked = 0
    for (const locale of ['en', 'zh-CN'] as const) {
      const messages = { en: ours.getLocaleMessage('en'), 'zh-CN': ours.getLocaleMessage('zh-CN') }
      const real = realCreateI18n({ legacy: false, locale, fallbackLocale: 'en', messages, missingWarn: false, fallbackWarn: false }).global
      ours.locale.value = locale
      try {
        for (const [key, text] of flatten(messages[locale])) {
          const names = [...text.matchAll(/\{\s*(\w+)\s*\}/g)].map((m) => m[1]!)
          const values = Object.fromEntries(names.map((n, i) => [n, i % 2 ? i * 7 : `<${n}>`]))
          const calls: unknown[][] = [[key], [key, values], [key, 'the default']]
          if (text.includes('|')) for (const n of [0, 1, 2, 5]) calls.push([key, n], [key, { ...values, n }, n], [key, values, n])
          // vue-i18n writes count and n into the values it is given: each gets its own copy.
          const copy = (args: unknown[]) => args.map((a) => (typeof a === 'object' && a !== null ? { ...a } : a))
          for (const args of calls) {
            const want = (real.t as (...a: unknown[]) => string)(...copy(args))
            const got = (ours.t as (...a: unknown[]) => string)(...copy(args))
            expect(got, `${locale} t(${JSON.stringify(args)})`).toBe(want)
            checked++
          }
          expect(ours.te(key), `${locale} te(${key})`).toBe(real.te(key))
        }
        for (const key of ['no.such.key', 'ota', 'ota.statuses']) {
          expect(ours.t(key)).toBe(real.t(key))
          expect(ours.te(key)).toBe(real.te(key))
          expect(ours.te(key, 'en')).toBe(real.te(key, 'en'))
        }
        // A message only English has falls back to it.
        expect(ours.tm('ota.statuses')).toEqual(real.tm('ota.statuses'))
      } finally {
        ours.locale.value = 'en'
      }
    }
    expect(checked).toBeGreaterThan(4000)
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

  it('re-renders a component when the language changes and when messages are merged in', async () => {
    const x = createI18n({ legacy: false, locale: 'en', fallbackLocale: 'en', messages: { en: { hi: 'Hello' }, 'zh-CN': { hi: '你好' } } })
    const Hi = defineComponent({
      setup() {
        const { t } = useI18n()
        return () => h('p', [t('hi'), ' ', t('later.word')])
      },
    })
    const w = mount(Hi, { global: { plugins: [x] } })
    expect(w.text()).toBe('Hello later.word')
    x.global.locale.value = 'zh-CN'
    await nextTick()
    expect(w.text()).toBe('你好 later.word')
    x.global.mergeLocaleMessage('en', { later: { word: 'now' } })
    await nextTick()
    expect(w.text()).toBe('你好 now') // missing in Chinese: English
  })
})
