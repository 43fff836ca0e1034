import { createI18n } from 'vue-i18n'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import en from './en'
import zhCN from './zh-CN'

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

export const i18n = createI18n<[MessageSchema], Locale, false>({
  legacy: false,
  locale: detectLocale(),
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
})

function apply(l: Locale): void {
  dayjs.locale(l === 'zh-CN' ? 'zh-cn' : 'en')
  if (typeof document !== 'undefined') document.documentElement.lang = l
}
apply(i18n.global.locale.value)

/** setLocale switches the language and remembers the choice. */
export function setLocale(l: Locale): void {
  i18n.global.locale.value = l
  apply(l)
  try {
    localStorage.setItem(LOCALE_KEY, l)
  } catch {
    /* no storage */
  }
}

export const t = i18n.global.t
