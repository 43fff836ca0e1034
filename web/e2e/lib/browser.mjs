// Drives Debian's Chromium with playwright-core (no downloaded browser).
// Every console error and page error is recorded; a test declares the few
// it provokes on purpose (an API answer of 409 it expects) with expectErrors.
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { chromium } from 'playwright-core'

const require = createRequire(import.meta.url)
/** The axe-core engine, injected into a page to check it. */
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
/** jsQR, a QR code reader, injected into a page to read a code as a phone's camera would. */
const jsqrSource = readFileSync(require.resolve('jsqr/dist/jsQR.js'), 'utf8')

/** PHONE is the screen of a phone: 390 × 844 CSS pixels, touch, the mobile viewport. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }

/**
 * AXE_RULES are the checks the panel must pass: WCAG 2.1 AA contrast and a
 * name for every control (buttons, links, form fields, selects, ARIA
 * widgets such as switches, comboboxes and pagination).
 */
export const AXE_RULES = [
  'color-contrast',
  'button-name',
  'link-name',
  'label',
  'select-name',
  'input-button-name',
  'aria-input-field-name',
  'aria-toggle-field-name',
  'aria-command-name',
  'aria-progressbar-name',
  'aria-tooltip-name',
]

export const resultsDir = new URL('../../test-results/', import.meta.url).pathname
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const args = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export async function openBrowser(baseURL) {
  mkdirSync(resultsDir, { recursive: true })
  // Screenshots are numbered per run: drop those of an earlier run.
  for (const f of readdirSync(resultsDir)) if (f.endsWith('.png')) rmSync(join(resultsDir, f))
  const browser = await chromium.launch({ executablePath, args, headless: true })
  const context = await browser.newContext({ baseURL, locale: 'en-US', viewport: { width: 1366, height: 900 } })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL })
  const page = await context.newPage()
  const errors = []
  let expected = []
  /** record keeps a page's console errors (but those expected) and page errors. */
  const record = (p, label = '') => {
    p.on('console', (m) => {
      if (m.type() !== 'error') return
      const text = m.text()
      const i = expected.findIndex((e) => !e.seen && e.pattern.test(text))
      if (i >= 0) expected[i].seen = true
      else errors.push(`console${label}: ${text}`)
    })
    p.on('pageerror', (e) => errors.push(`page error${label}: ${e.stack || e.message}`))
  }
  record(page)

  let shot = 0
  return {
    browser,
    context,
    page,
    errors,
    /** screenshot saves test-results/NN-name.png (of the phone's page when given). */
    async screenshot(name, on = page) {
      shot++
      await on.waitForTimeout(400) // let ant-design's motions settle
      await on.screenshot({ path: join(resultsDir, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true })
    },
    /**
     * openPhone opens a page in a context of its own (nobody signed in) on a
     * phone's screen (PHONE); its errors are recorded with the others.
     * Close its context when done.
     */
    async openPhone() {
      const phone = await browser.newContext({ baseURL, locale: 'en-US', ...PHONE })
      const p = await phone.newPage()
      record(p, ' (phone)')
      return { context: phone, page: p }
    },
    /**
     * scanQr reads the QR code shown by an <img> as a camera would (jsQR on
     * its pixels) and returns the text it encodes ('' when none is found).
     */
    async scanQr(img) {
      const p = img.page()
      if (!(await p.evaluate(() => 'jsQR' in window))) await p.evaluate(jsqrSource)
      return img.evaluate((el) => {
        // On white, as the popover shows it: a camera sees the margin around the code.
        const pad = 24
        const c = document.createElement('canvas')
        c.width = el.naturalWidth + 2 * pad
        c.height = el.naturalHeight + 2 * pad
        const g = c.getContext('2d')
        g.fillStyle = '#fff'
        g.fillRect(0, 0, c.width, c.height)
        g.drawImage(el, pad, pad)
        const data = g.getImageData(0, 0, c.width, c.height)
        return window.jsQR(data.data, c.width, c.height)?.data ?? ''
      })
    },
    /**
     * expectErrors runs fn and allows exactly these console errors during
     * it (the browser logs every HTTP error answer); each must occur.
     */
    async expectErrors(patterns, fn) {
      expected = patterns.map((pattern) => ({ pattern, seen: false }))
      try {
        await fn()
        // Console messages arrive asynchronously.
        const deadline = Date.now() + 3000
        while (expected.some((e) => !e.seen) && Date.now() < deadline) await page.waitForTimeout(50)
        const missing = expected.filter((e) => !e.seen).map((e) => String(e.pattern))
        if (missing.length) throw new Error(`expected console errors did not occur: ${missing.join(', ')}`)
      } finally {
        expected = []
      }
    },
    /**
     * axe checks the current page with axe-core (AXE_RULES) and returns its
     * violations, one entry per rule: id, impact, help and the offending
     * elements (selector and why).
     */
    async axe() {
      if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
      return page.evaluate(async (rules) => {
        const r = await window.axe.run(document, { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] })
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160), why: n.failureSummary?.split('\n').slice(1).join(' ').trim() })),
        }))
      }, AXE_RULES)
    },
    /**
     * measure loads path in a fresh page until the element with data-testid
     * ready shows, and sums what it downloaded (document, scripts, styles): raw and gzip (level 9) bytes of the
     * bodies, and transfer, the bytes that crossed the wire as the server
     * encoded them (Content-Encoding counted in encodings). uncompressed
     * lists the files above 1 KiB that came without an encoding.
     */
    async measure(path, ready) {
      const p = await context.newPage()
      p.on('pageerror', (e) => errors.push(`page error (measure ${path}): ${e.stack || e.message}`))
      // The browser cache off (as DevTools does): every file crosses the
      // wire, so its transfer size is known (a cached one reports -1).
      const cdp = await context.newCDPSession(p)
      await cdp.send('Network.enable')
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
      const responses = []
      p.on('response', (r) => {
        const t = r.request().resourceType()
        if (['document', 'script', 'stylesheet'].includes(t)) responses.push(r)
      })
      // The page shown (ready, a data-testid) and then the network idle: an
      // idle network alone can come while the app's code still runs, before
      // the route's chunks load or a session refresh is written (its
      // rotated token lost, the next refresh would end the session).
      await p.goto(path)
      await p.getByTestId(ready).first().waitFor()
      await p.waitForLoadState('networkidle')
      const seen = await Promise.all(
        responses.map(async (r) => {
          const body = await r.body().catch(() => Buffer.alloc(0))
          const sizes = await r.request().sizes()
          return { url: r.url(), body, encoding: r.headers()['content-encoding'] ?? 'none', transfer: sizes.responseBodySize }
        }),
      )
      await p.close()
      const encodings = {}
      for (const s of seen) encodings[s.encoding] = (encodings[s.encoding] ?? 0) + 1
      return {
        files: seen.length,
        raw: seen.reduce((n, s) => n + s.body.length, 0),
        gzip: seen.reduce((n, s) => n + gzipSync(s.body, { level: 9 }).length, 0),
        transfer: seen.reduce((n, s) => n + s.transfer, 0),
        encodings,
        uncompressed: seen.filter((s) => s.encoding === 'none' && s.body.length > 1024).map((s) => new URL(s.url).pathname),
      }
    },
  }
}
