// Prints what a browser downloads for the first page of a route of the
// built panel (dist/app): index.html, the entry chunk and its preloads and
// styles, plus the route's lazy chunk and everything it preloads (and, for
// the pages inside the signed-in layout, the layout's chunk and preloads,
// which the router loads together with them). Sizes are
// raw, gzip (level 9) and as served: the build's precompressed .br when
// there is one (what a browser sending Accept-Encoding: br gets). Usage: node scripts/bundle-size.mjs [View ...]
// (default: every lazily loaded view). Exits 1 above the e2e suite's budget:
// LIMIT_BROTLI_KB (250) as served, LIMIT_GZIP_KB (280) as gzip.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = new URL('../dist/app/', import.meta.url).pathname
const LIMIT_BROTLI_KB = Number(process.env.LIMIT_BROTLI_KB ?? 250)
const LIMIT_GZIP_KB = Number(process.env.LIMIT_GZIP_KB ?? 280)
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
const chunks = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'))

/** Every view the router loads lazily: import("./NameView-hash.js"). */
function lazyViews() {
  const found = new Set()
  for (const c of chunks) {
    const src = readFileSync(join(dist, 'assets', c), 'utf8')
    for (const m of src.matchAll(/import\(["`']\.\/(\w+View)-[\w-]+\.js["`']\)/g)) found.add(m[1])
  }
  return [...found].sort()
}

const views = process.argv.slice(2).length ? process.argv.slice(2) : lazyViews()
/** Pages outside the signed-in layout (AppLayout). */
const PUBLIC = new Set(['LoginView', 'RegisterView'])

/**
 * routeDeps finds import(`./View-x.js`),__vite__mapDeps([..]) and resolves
 * the indexes. A module the build put into a chunk every page loads (the
 * layout is in the core chunk) has no lazy chunk: optional gives [] then.
 */
function routeDeps(view, optional = false) {
  for (const c of chunks) {
    const src = readFileSync(join(dist, 'assets', c), 'utf8')
    const table = /m\.f=(\[[^\]]*\])/.exec(src)
    const re = new RegExp(`import\\(["\x60']\\./(${view}-[\\w-]+\\.js)["\x60']\\)(?:\\.then\\([^)]*\\))?,__vite__mapDeps\\(\\[([\\d,]+)\\]\\)`)
    const hit = re.exec(src)
    if (!hit || !table) continue
    const files = JSON.parse(table[1])
    return [`assets/${hit[1]}`, ...hit[2].split(',').map((i) => files[Number(i)])]
  }
  if (optional) return []
  throw new Error(`no lazy chunk for ${view}`)
}

let failed = false
for (const view of views) {
  const layout = PUBLIC.has(view) ? [] : routeDeps('AppLayout', true)
  const files = new Set(['index.html', ...initial, ...layout, ...routeDeps(view)])
  let raw = 0
  let gz = 0
  let br = 0
  for (const f of files) {
    const buf = readFileSync(join(dist, f))
    raw += buf.length
    gz += gzipSync(buf, { level: 9 }).length
    br += existsSync(join(dist, `${f}.br`)) ? statSync(join(dist, `${f}.br`)).size : buf.length
  }
  const kb = (n) => (n / 1024).toFixed(1)
  const over = [gz / 1024 > LIMIT_GZIP_KB && `gzip over ${LIMIT_GZIP_KB}`, br / 1024 > LIMIT_BROTLI_KB && `brotli over ${LIMIT_BROTLI_KB}`].filter(Boolean)
  failed ||= over.length > 0
  console.log(`${view}: ${files.size} files, ${kb(raw)} KiB raw, ${kb(gz)} KiB gzip, ${kb(br)} KiB brotli${over.length ? ` (${over.join(', ')})` : ''}`)
}
process.exit(failed ? 1 : 0)
