import type { MessageCompiler, MessageContext } from 'vue-i18n'

// The panel's messages use two features of vue-i18n's format: named
// placeholders ({n}, {percent}) and plural cases split by "|". This
// compiler turns such a message into the function src/i18n/lite.ts (the
// panel's vue-i18n) calls, as vue-i18n's own compiler would; anything else
// in braces is kept as text, as is a lone "@".

type Part = string | { named: string } | { list: number }

/** What vue-i18n passes a message function, with the two members its own compiled messages use (not in its types). */
type Ctx = MessageContext & { normalize(values: unknown[]): string; interpolate(value: unknown): unknown }

const PLACEHOLDER = /\{\s*([A-Za-z_$][\w$]*|\d+)\s*\}/g

function parts(text: string): Part[] {
  const out: Part[] = []
  let at = 0
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (m.index > at) out.push(text.slice(at, m.index))
    const key = m[1]!
    out.push(/^\d+$/.test(key) ? { list: Number(key) } : { named: key })
    at = m.index + m[0].length
  }
  if (at < text.length) out.push(text.slice(at))
  return out
}

function render(ctx: Ctx, items: Part[]): string {
  return ctx.normalize(
    items.map((p) => (typeof p === 'string' ? p : 'named' in p ? ctx.interpolate(ctx.named(p.named)) : ctx.interpolate(ctx.list(p.list)))),
  )
}

/** compileMessage is the createI18n messageCompiler: "{n} device | {n} devices" and the like. */
export const compileMessage: MessageCompiler = (source) => {
  if (typeof source !== 'string') throw new Error('i18n: only string messages are supported')
  const split = source.split('|')
  if (split.length === 1) {
    const only = parts(source)
    return (ctx: MessageContext) => render(ctx as Ctx, only)
  }
  // The spaces around "|" separate the cases: they are not part of them.
  const cases = split.map((c) => parts(c.trim()))
  return (ctx: MessageContext) => (ctx as Ctx).plural(cases.map((c) => render(ctx as Ctx, c)))
}
