// Generates src/api/schema.gen.ts, TypeScript types of the API, from the
// OpenAPI document that `make swagger` writes (docs/swagger.json, swagger
// 2.0 by swag). Deterministic and offline: the same document gives the same
// file, byte for byte, so CI can regenerate it and fail on a difference
// (make types-check). src/api/types.ts gives the types the panel's names.
//
// Usage: node scripts/gen-types.mjs [--check]
//   --check  write nothing; exit 1 when the file is not what it would write.
//
// What it maps (all that swag emits): definitions become interfaces named
// after the Go type (httpapi.resourceView -> ResourceView); a property is
// optional unless the definition lists it as required (swag runs with
// --requiredByDefault: a field is required unless its JSON tag has
// omitempty); x-nullable adds "| null"; enum becomes a union of literals;
// additionalProperties a Record; a generic Go type instantiated by swag
// (httpapi.listView-httpapi_projectView) one generic interface, ListView<T>.
import { readFileSync, writeFileSync } from 'node:fs'

const SOURCE = new URL('../../docs/swagger.json', import.meta.url)
const TARGET = new URL('../src/api/schema.gen.ts', import.meta.url)

/** tsName: httpapi.resourceView -> ResourceView, apperr.Code -> Code. */
function baseName(def) {
  const short = def.slice(def.lastIndexOf('.') + 1)
  return short[0].toUpperCase() + short.slice(1)
}

/**
 * Names of every definition: plain ones, and generic instantiations
 * ("pkg.base-pkg_Arg[-pkg_Arg...]") as Base<Arg, ...>.
 */
function namesOf(defs) {
  const plain = new Map()
  const generic = new Map() // instantiation -> { base, args }
  for (const def of Object.keys(defs)) {
    const [head, ...args] = def.split('-')
    if (args.length) {
      const argDefs = args.map((a) => {
        const hit = Object.keys(defs).find((d) => d.replace(/\./g, '_') === a)
        if (!hit) throw new Error(`gen-types: ${def}: no definition for type argument ${a}`)
        return hit
      })
      generic.set(def, { base: baseName(head), args: argDefs })
    } else {
      plain.set(def, baseName(def))
    }
  }
  const seen = new Map()
  for (const [def, name] of plain) {
    if (seen.has(name)) throw new Error(`gen-types: ${def} and ${seen.get(name)} both map to ${name}`)
    seen.set(name, def)
  }
  return { plain, generic }
}

const IDENT = /^[A-Za-z_$][\w$]*$/

function literal(v) {
  return typeof v === 'string' ? `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : JSON.stringify(v)
}

function comment(text, indent) {
  if (!text) return ''
  const lines = text.replace(/\*\//g, '*\\/').trim().split('\n')
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`
  return `${indent}/**\n${lines.map((l) => `${indent} *${l ? ` ${l}` : ''}`).join('\n')}\n${indent} */\n`
}

function createRenderer(names) {
  /** ref names a $ref target, with T... substituted for the type arguments of the definition being rendered. */
  function ref(target, subst) {
    const def = target.replace('#/definitions/', '')
    if (subst.has(def)) return subst.get(def)
    if (names.plain.has(def)) return names.plain.get(def)
    const g = names.generic.get(def)
    if (g) return `${g.base}<${g.args.map((a) => ref(a, subst)).join(', ')}>`
    throw new Error(`gen-types: unknown $ref ${target}`)
  }

  function type(s, indent, subst) {
    let t
    if (s.$ref) t = ref(s.$ref, subst)
    else if (s.allOf) t = s.allOf.map((x) => type(x, indent, subst)).join(' & ')
    else if (s.enum) t = s.enum.map(literal).join(' | ')
    else if (s.type === 'string') t = 'string'
    else if (s.type === 'integer' || s.type === 'number') t = 'number'
    else if (s.type === 'boolean') t = 'boolean'
    else if (s.type === 'array') {
      const item = type(s.items ?? {}, indent, subst)
      t = /[ |&]/.test(item) ? `(${item})[]` : `${item}[]`
    } else if (s.type === 'object' || s.properties) {
      if (s.properties) t = object(s, indent, subst)
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        t = `Record<string, ${type(s.additionalProperties, indent, subst)}>`
      } else t = 'Record<string, unknown>'
    } else if (Object.keys(s).filter((k) => k !== 'description' && k !== 'example').length === 0) t = 'unknown'
    else throw new Error(`gen-types: unsupported schema ${JSON.stringify(s)}`)
    return s['x-nullable'] ? `${t} | null` : t
  }

  function object(s, indent, subst) {
    const required = new Set(s.required ?? [])
    const inner = `${indent}  `
    const props = Object.keys(s.properties)
      .sort()
      .map((p) => {
        const ps = s.properties[p]
        const key = IDENT.test(p) ? p : literal(p)
        return `${comment(ps.description, inner)}${inner}${key}${required.has(p) ? '' : '?'}: ${type(ps, inner, subst)}\n`
      })
    return `{\n${props.join('')}${indent}}`
  }

  return { type }
}

/** generate renders the whole file from a swagger 2.0 document. */
export function generate(doc) {
  if (doc.swagger !== '2.0') throw new Error(`gen-types: expected a swagger 2.0 document, got ${doc.swagger ?? doc.openapi}`)
  const defs = doc.definitions ?? {}
  const names = namesOf(defs)
  const r = createRenderer(names)
  const out = []

  for (const [def, name] of names.plain) {
    const s = defs[def]
    const body = r.type({ ...s, description: undefined }, '', new Map())
    const decl = body.startsWith('{') && !s['x-nullable'] ? `export interface ${name} ${body}` : `export type ${name} = ${body}`
    out.push([name, `${comment(s.description, '')}${decl}\n`])
  }

  // One generic interface per generic Go type: every instantiation must
  // render the same once its type arguments are replaced by parameters.
  const bases = new Map()
  for (const [def, g] of names.generic) {
    const params = g.args.map((_, i) => (g.args.length === 1 ? 'T' : `T${i + 1}`))
    const subst = new Map(g.args.map((a, i) => [a, params[i]]))
    const s = defs[def]
    const text = `${comment(s.description, '')}export interface ${g.base}<${params.join(', ')}> ${r.type({ ...s, description: undefined }, '', subst)}\n`
    const prev = bases.get(g.base)
    if (prev && prev.text !== text) throw new Error(`gen-types: the instantiations ${prev.def} and ${def} of ${g.base} differ`)
    if (names.plain.has(g.base) || [...names.plain.values()].includes(g.base)) throw new Error(`gen-types: ${g.base} is also a plain type`)
    bases.set(g.base, { def, text })
  }
  for (const [name, { text }] of bases) out.push([name, text])

  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  const head =
    '// Code generated by scripts/gen-types.mjs from docs/swagger.json; DO NOT EDIT.\n' +
    '// Run `npm run gen:types` (web/) after `make swagger`; src/api/types.ts names them for the panel.\n'
  return `${head}\n${out.map(([, text]) => text).join('\n')}`
}

const isMain = process.argv[1] && new URL(`file://${process.argv[1]}`).pathname === new URL(import.meta.url).pathname
if (isMain) {
  const text = generate(JSON.parse(readFileSync(SOURCE, 'utf8')))
  if (process.argv.includes('--check')) {
    let current = ''
    try {
      current = readFileSync(TARGET, 'utf8')
    } catch {
      /* missing */
    }
    if (current !== text) {
      console.error('src/api/schema.gen.ts is stale: run npm run gen:types (web/) and commit it')
      process.exit(1)
    }
  } else {
    writeFileSync(TARGET, text)
  }
}
