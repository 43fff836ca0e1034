import { shallowRef } from 'vue'
import { createI18n } from 'vue-i18n'
import dayjs from 'dayjs'
import antEn from 'ant-design-vue/es/locale/en_US'
import type { Locale as AntLocale } from 'ant-design-vue/es/locale'
import { compileMessage } from './compile'
import en from './en'

export type Locale = 'zh-CN' | 'en'
export type MessageSchema = typeof en

export const LOCALE_KEY = 'hoist.locale'
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
]

function isLocale(v: unknown): v is Locale {
  return v === 'zh-CN' || v === 'en'
}

/** detectLocale: the saved choice, else the browser's languages, else English. */
export function detectLocale(): Locale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY)
    if (isLocale(saved)) return saved
  } catch {
    /* no storage */
  }
  const langs = typeof navigator !== 'undefined' ? (navigator.languages ?? [navigator.language]) : []
  for (const l of langs) {
    const low = (l ?? '').toLowerCase()
    if (low.startsWith('zh')) return 'zh-CN'
    if (low.startsWith('en')) return 'en'
  }
  return 'en'
}

// English is in the main bundle (it is also the fallback); Chinese comes
// in its own chunk, loaded before the app mounts when it is the language
// (loadLocaleMessages), so a page carries one language, not two.
export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: detectLocale(),
  fallbackLocale: 'en',
  messages: { en } as Record<Locale, MessageSchema>,
  messageCompiler: compileMessage,
})

const loaded = new Set<Locale>(['en'])
/** ant-design's texts (pagination, empty lists, pickers) per language, loaded with the messages. */
const antLocales: Partial<Record<Locale, AntLocale>> = { en: antEn }

/** antLocale is ant-design's locale for the current language (App.vue gives it to ConfigProvider). */
export const antLocale = shallowRef<AntLocale>(antEn)

/**
 * loadLocaleMessages makes a language available: its messages (merged, so
 * lazily loaded parts' messages stay), ant-design's and dayjs's texts.
 */
export async function loadLocaleMessages(l: Locale): Promise<void> {
  if (loaded.has(l)) return
  const [m, ant] = await Promise.all([import('./zh-CN'), import('ant-design-vue/es/locale/zh_CN'), import('dayjs/locale/zh-cn')])
  i18n.global.mergeLocaleMessage('zh-CN', m.default)
  antLocales[l] = ant.default
  loaded.add(l)
  if (i18n.global.locale.value === l) apply(l)
}

function apply(l: Locale): void {
  // A language not loaded yet stays English here until loadLocaleMessages applies it.
  const ready = loaded.has(l)
  dayjs.locale(ready && l === 'zh-CN' ? 'zh-cn' : 'en')
  antLocale.value = (ready && antLocales[l]) || antEn
  if (typeof document !== 'undefined') document.documentElement.lang = l
}
apply(i18n.global.locale.value)

/**
 * setLocale switches the language and remembers the choice; a language
 * whose messages are not loaded yet switches once they are.
 */
export function setLocale(l: Locale): void | Promise<void> {
  const change = () => {
    i18n.global.locale.value = l
    apply(l)
    try {
      localStorage.setItem(LOCALE_KEY, l)
    } catch {
      /* no storage */
    }
  }
  if (loaded.has(l)) return change()
  return loadLocaleMessages(l).then(change)
}

export const t = i18n.global.t
