import { computed, ref, shallowRef, type App } from 'vue'
import type { MessageCompiler, MessageContext } from 'vue-i18n'
import { compileMessage } from './compile'

// The part of vue-i18n's composition API the panel uses, which the build
// puts in place of vue-i18n (vite.config.ts resolves the import "vue-i18n"
// here; the types stay vue-i18n's): createI18n, useI18n and $t, with t
// (named and list values, plural choice, a default), te, tm and the
// locale messages. vue-i18n's runtime was about 15 KiB gzip of every page
// for formatting the panel does not use (dates, numbers, linked messages,
// custom modifiers). tests/unit/i18nLite.test.ts checks that every message
// of both languages comes out as vue-i18n renders it.

type Tree = { [key: string]: unknown }
type Values = Record<string, unknown>

/** The options of vue-i18n's createI18n that this implementation takes. */
export interface LiteOptions {
  legacy?: false
  locale?: string
  fallbackLocale?: string
  messages?: Record<string, Tree>
  messageCompiler?: MessageCompiler
  /** Accepted for vue-i18n compatibility; missing keys render as the key. */
  missingWarn?: boolean
  fallbackWarn?: boolean
}

function isPlainObject(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
}

/** toDisplayString is vue-i18n's interpolation of a value. */
function toDisplayString(v: unknown): string {
  if (v == null) return ''
  if (Array.isArray(v) || (isPlainObject(v) && v.toString === Object.prototype.toString)) return JSON.stringify(v, null, 2)
  return String(v)
}

/** pluralIndex is vue-i18n's default rule: "a | b" is 1 or not; "none | one | many". */
function pluralIndex(choice: number, cases: number): number {
  const c = Math.abs(choice)
  if (cases === 2) return c === 1 ? 0 : 1
  return Math.min(c, 2)
}

function merge(into: Tree, from: Tree): Tree {
  const out: Tree = { ...into }
  for (const [k, v] of Object.entries(from)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Tree, v) : v
  return out
}

/** resolve walks a dotted key ("ota.waves.countSpec"), else takes it as one flat key. */
function resolve(tree: Tree | undefined, key: string): unknown {
  if (!tree) return undefined
  let at: unknown = tree
  for (const part of key.split('.')) {
    if (!isPlainObject(at) || !(part in at)) {
      at = undefined
      break
    }
    at = at[part]
  }
  return at !== undefined ? at : tree[key]
}

function notSupported(name: string): never {
  throw new Error(`i18n: ${name} is not part of src/i18n/lite.ts (the panel's vue-i18n)`)
}

export function createI18n(options: LiteOptions = {}) {
  const locale = ref(options.locale ?? 'en')
  const fallbackLocale = ref(options.fallbackLocale ?? 'en')
  const messages = shallowRef<Record<string, Tree>>({ ...options.messages })
  const compile = options.messageCompiler ?? compileMessage
  const compiled = new Map<string, (ctx: MessageContext) => unknown>()

  /** The languages to look a key up in: the current one, then the fallback. */
  function chain(): string[] {
    return locale.value === fallbackLocale.value ? [locale.value] : [locale.value, fallbackLocale.value]
  }

  function render(l: string, source: string, named: Values, list: unknown[], plural: number | undefined): string {
    let fn = compiled.get(source)
    if (!fn) {
      fn = compile(source, { locale: l, key: source }) as (ctx: MessageContext) => unknown
      compiled.set(source, fn)
    }
    // vue-i18n's choice: a numeric count or n among the values, else the plural argument.
    const choice = typeof named.count === 'number' ? named.count : typeof named.n === 'number' ? named.n : (plural ?? -1)
    if (plural !== undefined) {
      named.count ||= plural
      named.n ||= plural
    }
    const ctx = {
      list: (i: number) => list[i],
      named: (k: string) => named[k],
      plural: (cases: string[]) => cases[pluralIndex(choice, cases.length)],
      linked: () => notSupported('a linked message (@:)'),
      normalize: (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : toDisplayString(p))).join(''),
      interpolate: toDisplayString,
      type: 'text',
      values: named,
    } as unknown as MessageContext
    return String(fn(ctx))
  }

  /** t(key), t(key, named | list | plural | default), t(key, named | list, plural | default): as vue-i18n's. */
  function t(key: string, a?: unknown, b?: unknown): string {
    let named: Values = {}
    let list: unknown[] = []
    let plural: number | undefined
    let fallback: string | undefined
    for (const arg of [a, b]) {
      if (typeof arg === 'number') plural = arg
      else if (typeof arg === 'string') fallback = arg
      else if (Array.isArray(arg)) list = arg
      else if (isPlainObject(arg) && arg === a) named = { ...arg }
      else if (isPlainObject(arg)) {
        // vue-i18n's third argument is options: plural and default are what the panel could pass.
        if (typeof arg.plural === 'number') plural = arg.plural
        if (typeof arg.default === 'string') fallback = arg.default
      }
    }
    for (const l of chain()) {
      const source = resolve(messages.value[l], key)
      if (typeof source === 'string') return render(l, source, named, list, plural)
    }
    return fallback ?? key
  }

  /** te: whether key has a message, in locale only when given, else in the current language or the fallback. */
  function te(key: string, l?: string): boolean {
    if (!key) return false
    return (l ? [l] : chain()).some((x) => typeof resolve(messages.value[x], key) === 'string')
  }

  /** tm: the messages under key (an object, or the message itself), {} when none. */
  function tm(key: string): unknown {
    for (const l of chain()) {
      const v = resolve(messages.value[l], key)
      if (v != null) return v
    }
    return {}
  }

  const global = {
    locale,
    fallbackLocale,
    availableLocales: computed(() => Object.keys(messages.value).sort()),
    t,
    te,
    tm,
    rt: () => notSupported('rt'),
    d: () => notSupported('d (dates)'),
    n: () => notSupported('n (numbers)'),
    getLocaleMessage: (l: string): Tree => messages.value[l] ?? {},
    setLocaleMessage(l: string, m: Tree): void {
      messages.value = { ...messages.value, [l]: m }
    },
    mergeLocaleMessage(l: string, m: Tree): void {
      messages.value = { ...messages.value, [l]: merge(messages.value[l] ?? {}, m) }
    },
  }

  const i18n = {
    mode: 'composition' as const,
    global,
    install(app: App): void {
      current = global
      // Typed by vue-i18n's augmentation of ComponentCustomProperties.
      Object.assign(app.config.globalProperties, { $t: t, $te: te, $tm: tm })
    },
  }
  current ??= global
  return i18n
}

type Composer = ReturnType<typeof createI18n>['global']
let current: Composer | undefined

/** useI18n returns the app's (global) composer; the panel's components use no local messages. */
export function useI18n(): Composer {
  if (!current) throw new Error('i18n: useI18n before createI18n')
  return current
}
