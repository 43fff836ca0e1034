// End-to-end: the built panel inside a real hoist binary, driven in
// Chromium. Run by `npm run test:e2e` (which builds the panel first).
import assert from 'node:assert/strict'
import { createHmac, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { openBrowser, resultsDir } from './lib/browser.mjs'
import { keyColumn, onScreen, overflow } from './lib/phone.mjs'
import { buildHoist, startDeviceSim, startHoist } from './lib/server.mjs'
import { makeZip } from './lib/zip.mjs'

/** What a page may transfer: the server's brotli, as browsers ask for it. */
const LIMIT_TRANSFER_KB = 250
/** The same files as gzip (level 9), for a client without brotli (web/README.md: not yet within 250). */
const LIMIT_GZIP_KB = 280
const ADMIN = { username: 'admin', password: 'correct horse battery staple' }

let tmp
let projectId
let bin
let server
let ui
let sim

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hoist-e2e-'))
  bin = await buildHoist(tmp)
  // The embedded MQTT broker on a free port: devices (device-sim) connect to it.
  server = await startHoist(bin, join(tmp, 'data'), {
    HOIST_MQTT_MODE: 'embedded',
    HOIST_MQTT_TCP_ADDR: '127.0.0.1:0',
    HOIST_MQTT_WS_ADDR: '127.0.0.1:0',
  })
  assert.ok(server.mqttAddr, 'hoist announced its MQTT address')
  ui = await openBrowser(server.baseURL)
})

after(async () => {
  await sim?.stop()
  await ui?.browser.close()
  if (server) {
    const res = await server.stop()
    assert.equal(res.code, 0, `hoist exit after SIGTERM: ${JSON.stringify(res)}`)
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

/** wgt is a hot-update package; its manifest declares version when given. */
const wgt = (size, version) =>
  makeZip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'shop', ...(version ? { version } : {}) })) },
    { name: 'www/app.js', data: randomBytes(size) },
  ])
const apk = () => makeZip([{ name: 'AndroidManifest.xml', data: randomBytes(256) }, { name: 'classes.dex', data: randomBytes(4096) }])

/** axeResults holds each checked page's axe-core violations (asserted together). */
const axeResults = {}

/** settledAxe waits for spinners and motions to end, then runs axe-core on the page. */
async function settledAxe() {
  await ui.page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' }).catch(() => {})
  await ui.page.waitForTimeout(600) // ant-design's fade-ins change colours while they run
  return ui.axe()
}

/** dialog is the open modal with this title. */
const dialog = (title) => ui.page.getByRole('dialog').filter({ has: ui.page.locator('.ant-modal-title', { hasText: title }) })

/**
 * checkSize reports what loading a page transferred and asserts it came
 * compressed (the server's precompressed brotli or gzip) within the budget.
 */
function checkSize(t, label, size) {
  const kib = (n) => (n / 1024).toFixed(1)
  t.diagnostic(
    `${label}: ${size.files} files, ${kib(size.raw)} KiB raw, ${kib(size.gzip)} KiB gzip, ` +
      `${kib(size.transfer)} KiB transferred (${JSON.stringify(size.encodings)})`,
  )
  assert.ok(size.files > 10, `${label}: only ${size.files} files loaded: the app did not start`)
  assert.ok(size.transfer > 0, `${label}: nothing transferred`)
  assert.deepEqual(size.uncompressed, [], `${label}: sent without Content-Encoding`)
  assert.ok(size.transfer < size.raw / 2, `${label}: ${size.transfer} B transferred of ${size.raw} B`)
  assert.ok(size.transfer / 1024 <= LIMIT_TRANSFER_KB, `${label}: ${size.transfer} B transferred (limit ${LIMIT_TRANSFER_KB} KiB)`)
  assert.ok(size.gzip / 1024 <= LIMIT_GZIP_KB, `${label}: ${size.gzip} B gzip (limit ${LIMIT_GZIP_KB} KiB)`)
}

async function okIn(title) {
  await dialog(title).locator('.ant-modal-footer .ant-btn-primary').click()
}

async function openTab(name) {
  await ui.page.getByRole('tab', { name, exact: true }).click()
}

/** uploadIn picks a file in the open "New release" dialog and waits for the result. */
async function uploadIn(title, file) {
  const d = dialog(title)
  await d.locator('input[type=file]').setInputFiles(file)
  await d.getByTestId('upload-result').waitFor()
}

test('panel: register, project, upload with progress, releases, update check, devices, OTA, admin pages', async (top) => {
  const { page } = ui
  // Each step saves a screenshot when it fails and adds what the page and
  // the server said to the error; the steps after a failed one are skipped
  // (they depend on it), so the first failure is the one reported last.
  let failed = ''
  /** The size of the first wgt published (its QR code downloads it). */
  let wgtSize = 0
  const t = {
    diagnostic: (m) => top.diagnostic(m),
    test: (name, fn) =>
      top.test(name, async (st) => {
        if (failed) {
          st.skip(`an earlier step failed: ${failed}`)
          return
        }
        try {
          await fn(st)
        } catch (e) {
          failed = name
          await ui.screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => {})
          if (e instanceof Error) e.message += `\n${await failureContext()}`
          throw e
        }
      }),
  }

  /** failureContext: the messages on screen, the page's errors, the server's warnings. */
  async function failureContext() {
    const shown = await page
      .locator('.ant-message, .ant-alert, .ant-form-item-explain-error')
      .allTextContents()
      .catch(() => [])
    const logged = readFileSync(server.logPath, 'utf8')
      .split('\n')
      .filter((l) => /"level":"(WARN|ERROR)"/.test(l))
      .slice(-15)
    return [
      `on screen: ${JSON.stringify(shown)}`,
      `page errors: ${JSON.stringify(ui.errors)}`,
      'server warnings and errors (last 15):',
      ...logged,
    ].join('\n')
  }

  await t.test('first load: the sign-in page, within the bundle budget', async () => {
    const size = await ui.measure('/', 'login-form')
    writeFileSync(join(resultsDir, 'bundle-login.json'), JSON.stringify(size))
    checkSize(t, 'initial route /login', size)
    await page.goto('/')
    await page.waitForURL(/\/login$/)
    await page.getByTestId('login-form').waitFor()
    await ui.screenshot('login')
    axeResults.login = await settledAxe()
  })

  await t.test('language switch: Chinese and back, remembered', async () => {
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-zh-CN').click()
    await page.getByRole('button', { name: '登 录' }).or(page.getByRole('button', { name: '登录' })).waitFor()
    await ui.screenshot('login-zh')
    assert.equal(await page.evaluate(() => localStorage.getItem('hoist.locale')), 'zh-CN')
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-en').click()
    await page.getByRole('button', { name: 'Sign in' }).waitFor()
  })

  await t.test('register the first account (the administrator)', async () => {
    await page.getByTestId('to-register').click()
    await page.waitForURL('**/register')
    await page.getByTestId('username').fill(ADMIN.username)
    await page.getByTestId('password').fill(ADMIN.password)
    await page.getByTestId('confirm').fill(ADMIN.password)
    await page.getByTestId('nickname').fill('Admin')
    await ui.screenshot('register')
    await page.getByTestId('submit').click()
    await page.waitForURL(`${server.baseURL}/`) // the dashboard is the home page
    await page.getByTestId('dashboard-empty').waitFor()
    await page.getByTestId('menu-users').waitFor() // admin menu
    for (const entry of ['dashboard', 'projects', 'products', 'campaigns', 'stats']) await page.getByTestId(`menu-${entry}`).waitFor()
    await ui.screenshot('dashboard-empty')
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('projects-page').getByText('No projects yet').waitFor()
    await ui.screenshot('projects-empty')
  })

  await t.test('create a project; its page shows the update URL with copy (no QR code: scanning an API endpoint does nothing)', async () => {
    await page.getByTestId('new-project').click()
    await dialog('New project').getByTestId('project-description').fill('uni-app shop, Android and iOS')
    await dialog('New project').getByTestId('project-name').fill('Shop app')
    await dialog('New project').getByTestId('project-name').press('Enter') // keyboard submits the form
    await page.waitForURL(/\/projects\/[0-9a-f]{32}$/)
    const url = page.getByTestId('update-url-card').getByTestId('copy-value').first()
    assert.equal(await url.textContent(), `${server.baseURL}/api/basic/update`)
    await page.getByTestId('update-url-card').getByTestId('copy').first().click()
    await page.getByText('Copied').first().waitFor()
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.baseURL}/api/basic/update`)
    assert.equal(await page.getByTestId('update-url-card').getByTestId('qr-button').count(), 0)
    await ui.screenshot('project-update-url')
  })

  await t.test('publish a native Android build (apk)', async () => {
    await openTab('Android (apk)')
    await page.getByTestId('resources-3').getByTestId('new-resource').click()
    const title = 'New release: Android (apk)'
    await uploadIn(title, { name: 'shop-1.0.0.apk', mimeType: 'application/vnd.android.package-archive', buffer: apk() })
    await dialog(title).getByTestId('res-version').fill('1.0.0')
    await dialog(title).getByTestId('res-version-code').fill('100')
    await dialog(title).getByTestId('res-changelog').fill('First native build')
    await okIn(title)
    await page.getByText('Release 1.0.0 published').waitFor()
    await page.getByTestId('resources-3').getByRole('cell', { name: '1.0.0', exact: true }).waitFor()
  })

  await t.test('upload a wgt with a visible progress bar, then publish it', async () => {
    await openTab('Wgt (Android)')
    await page.getByTestId('resources-1').getByTestId('new-resource').click()
    const title = 'New release: Wgt (Android)'
    const d = dialog(title)
    await d.getByTestId('res-native').waitFor() // the native build to run on is offered
    // Slow the upload down so that the progress bar is seen moving.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 384 * 1024 })
    const file = { name: 'shop-1.0.1.wgt', mimeType: 'application/octet-stream', buffer: wgt(1536 * 1024, { name: '1.0.1', code: '101' }) }
    await d.locator('input[type=file]').setInputFiles(file)
    const progress = d.getByTestId('upload-progress')
    await progress.waitFor()
    const seen = new Set()
    for (let i = 0; i < 200 && !(await d.getByTestId('upload-result').isVisible()); i++) {
      const text = (await progress.locator('.ant-progress-text').textContent().catch(() => '')) ?? ''
      const pct = Number.parseInt(text, 10)
      if (pct > 0 && pct < 99 && !seen.has('shot')) {
        seen.add('shot')
        await ui.screenshot('upload-progress')
      }
      if (!Number.isNaN(pct)) seen.add(pct)
      await page.waitForTimeout(50)
    }
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    await d.getByTestId('upload-result').waitFor()
    const between = [...seen].filter((p) => typeof p === 'number' && p > 0 && p < 99)
    t.diagnostic(`progress values seen: ${[...seen].filter((p) => typeof p === 'number').sort((a, b) => a - b).join(', ')}`)
    assert.ok(between.length > 0, 'the progress bar showed intermediate values')
    assert.equal(await progress.getAttribute('aria-valuenow').catch(() => null) ?? '100', '100')
    // The version the package declares is the default.
    assert.equal(await d.getByTestId('res-version').inputValue(), '1.0.1')
    assert.equal(await d.getByTestId('res-version-code').inputValue(), '101')
    await d.getByTestId('res-changelog').fill('Fix the cart')
    await ui.screenshot('resource-form')
    await okIn(title)
    await page.getByText('Release 1.0.1 published').waitFor()
    const row = page.getByTestId('resources-1').locator('tr', { hasText: '1.0.1' })
    await row.waitFor()
    const href = await row.getByTestId('res-download').getAttribute('href')
    // The stable link, ending in .wgt as the upushy SDK needs; it redirects to the file.
    assert.ok(href?.startsWith(`${server.baseURL}/d/`) && href.endsWith('/1.0.1.wgt'), href ?? '')
    const res = await page.request.get(href)
    assert.equal(res.status(), 200)
    assert.equal((await res.body()).length, file.buffer.length)
    wgtSize = file.buffer.length
    await ui.screenshot('resources')
  })

  await t.test("a release's QR code is its download link: scanned, it downloads the package", async () => {
    const row = page.getByTestId('resources-1').locator('tr', { hasText: '1.0.1' })
    const href = await row.getByTestId('res-download').getAttribute('href')
    await row.getByTestId('qr-button').click()
    const pop = page.locator('.ant-popover', { has: page.getByTestId('qr-popover') })
    await pop.locator('.ant-popover-title', { hasText: 'Download Wgt (Android) 1.0.1 (code 101)' }).waitFor()
    await pop.getByTestId('qr').waitFor()
    const scanned = await ui.scanQr(pop.getByTestId('qr'))
    assert.equal(scanned, href)
    const res = await page.request.get(scanned)
    assert.equal(res.status(), 200)
    assert.equal((await res.body()).length, wgtSize)
    // Hoist runs on 127.0.0.1 here: the popover says that a phone cannot reach that.
    await pop.getByTestId('qr-loopback').getByText('This link names 127.0.0.1, which a phone cannot reach', { exact: false }).waitFor()
    assert.equal(await pop.getByTestId('qr-url').getByTestId('copy-value').textContent(), href)
    await ui.screenshot('release-qr')
    await row.getByTestId('qr-button').click()
    await pop.waitFor({ state: 'hidden' })
  })

  await t.test('the update check offers the published wgt', async () => {
    projectId = new URL(page.url()).pathname.split('/').pop()
    const res = await page.request.post(`${server.baseURL}/api/basic/update`, {
      data: {
        projectId,
        platform: 'android',
        wgtVersion: '1.0.0',
        wgtVersionCode: 100,
        nativeVersion: '1.0.0',
        nativeVersionCode: 100,
        systemInfo: { uuid: 'e2e-phone-1', brand: 'e2e', platform: 'android' },
      },
    })
    assert.equal(res.status(), 200)
    const body = await res.json()
    assert.equal(body.success, true)
    assert.equal(body.data.wgt?.version, '1.0.1')
    assert.equal(body.data.wgt?.versionCode, 101)
    assert.equal(body.data.wgt?.nativeVersionCode, 100)
    assert.ok(/\.wgt$/i.test(body.data.wgt?.url) && body.data.wgt?.url.startsWith(`${server.baseURL}/d/`), body.data.wgt?.url)
    assert.equal(body.data.native?.versionCode, 100) // not newer than the device's: the client keeps it
  })

  await t.test('version rules come back as form errors', async () => {
    await page.getByTestId('resources-1').getByTestId('new-resource').click()
    const title = 'New release: Wgt (Android)'
    const d = dialog(title)
    await uploadIn(title, { name: 'shop-1.0.2.wgt', mimeType: 'application/octet-stream', buffer: wgt(2048) })
    await d.getByTestId('res-version').fill('1.0.2')
    await d.getByTestId('res-version-code').fill('101')
    await ui.expectErrors([/status of 409/], async () => {
      await okIn(title)
      await d.locator('.ant-form-item', { has: page.getByTestId('res-version-code') }).getByText('must be greater than 101').waitFor()
    })
    await ui.screenshot('version-rule-error')
    await d.getByTestId('res-version-code').fill('102')
    await okIn(title)
    await page.getByText('Release 1.0.2 published').waitFor()
  })

  await t.test('disable a release (the confirmation names its type and code): dimmed, no QR code, its link gone; change its rollout', async () => {
    const row = page.getByTestId('resources-1').locator('tr', { hasText: '1.0.1' })
    const href = await row.getByTestId('res-download').getAttribute('href')
    await row.getByTestId('res-status-switch').click()
    const confirm = page.locator('.res-disable-confirm')
    await confirm.getByText('Disable Wgt (Android) 1.0.1 (code 101)? Devices are no longer offered it and its download link stops working.').waitFor()
    await ui.screenshot('release-disable-confirm')
    await confirm.getByRole('button', { name: 'Disable' }).click()
    await page.getByText('Wgt (Android) 1.0.1 (code 101) disabled').waitFor()
    await page.locator('tr.row--disabled', { hasText: '1.0.1' }).waitFor()
    const alpha = (version) =>
      page
        .getByTestId('resources-1')
        .getByRole('cell', { name: version, exact: true })
        .evaluate((td) => Number(getComputedStyle(td).color.match(/rgba?\(([^)]*)\)/)[1].split(',')[3] ?? 1))
    const [dimmed, enabled] = [await alpha('1.0.1'), await alpha('1.0.2')]
    assert.ok(dimmed < enabled, `a disabled release's text is lighter: ${dimmed} against ${enabled}`)
    assert.equal(await row.getByTestId('qr-button').isDisabled(), true)
    assert.equal((await page.request.get(href)).status(), 404)
    await row.getByTestId('res-edit').click()
    const d = dialog('Edit release 1.0.1 (101)')
    await d.locator('input[data-testid=rollout-input], [data-testid=rollout-input] input').fill('30')
    await okIn('Edit release 1.0.1 (101)')
    await row.locator('.ant-progress-text', { hasText: '30%' }).waitFor()
  })

  await t.test('an App Store release needs no file', async () => {
    await openTab('iOS (App Store)')
    await page.getByTestId('resources-4').getByTestId('new-resource').click()
    const title = 'New release: iOS (App Store)'
    await dialog(title).getByTestId('res-url').fill('https://apps.apple.com/app/id1234567890')
    await dialog(title).getByTestId('res-version').fill('1.0.0')
    await dialog(title).getByTestId('res-version-code').fill('100')
    await okIn(title)
    await page.getByTestId('resources-4').getByRole('cell', { name: '1.0.0', exact: true }).waitFor()
  })

  await t.test('deleting a release names its type and code (the apk is 1.0.0 too)', async () => {
    const row = page.getByTestId('resources-4').locator('tr.ant-table-row', { hasText: '1.0.0' })
    await row.getByTestId('res-delete').click()
    const confirm = page.locator('.ant-popconfirm', { hasText: 'Delete iOS (App Store) 1.0.0 (code 100)?' })
    await confirm.waitFor()
    await confirm.getByRole('button', { name: 'Delete' }).click()
    await page.getByText('iOS (App Store) 1.0.0 (code 100) deleted').waitFor()
    await row.waitFor({ state: 'detached' })
    await openTab('Android (apk)')
    await page.getByTestId('resources-3').getByRole('cell', { name: '1.0.0', exact: true }).waitFor()
  })

  await t.test('dashboard: update checks per day and version adoption of the project', async () => {
    await page.getByTestId('menu-dashboard').click()
    await page.getByTestId('dashboard-page').waitFor()
    // Checks are counted in memory and written every few seconds.
    const tile = page.getByTestId('tile-checks').locator('.ant-statistic-content-value')
    for (let i = 0; i < 30 && (await tile.textContent()) === '0'; i++) {
      await page.waitForTimeout(1000)
      await page.getByTestId('dashboard-page').getByRole('button', { name: 'Reload' }).click()
    }
    assert.equal(await tile.textContent(), '1')
    const bars = page.getByTestId('checks-card').locator('rect[data-count]')
    assert.ok((await bars.count()) >= 30, 'one bar per day of the last 30 days')
    assert.equal(await page.getByTestId('checks-card').locator('rect[data-count="1"]').count(), 1)
    // Devices per version are written every few seconds too.
    const shipped = page.getByTestId('adoption-card').getByText('As shipped in the app package (code 100)', { exact: true }) // the wgt the phone runs (no release of it here)
    for (let i = 0; i < 30 && (await shipped.count()) === 0; i++) {
      await page.waitForTimeout(1000)
      await page.getByTestId('dashboard-page').getByRole('button', { name: 'Reload' }).click()
    }
    await shipped.waitFor()
    await page.getByTestId('adoption-card').getByText('Native', { exact: true }).click()
    await page.getByTestId('adoption-card').getByText('1.0.0 (100)', { exact: true }).waitFor() // its native build, named after the release
    await page.getByTestId('adoption-channel').click() // checks by channel: so far all on production
    await page.getByTestId('adoption-card').getByText('production', { exact: true }).waitFor()
    await ui.screenshot('dashboard')
  })

  await t.test('statistics page with a date range', async () => {
    await page.getByTestId('menu-stats').click()
    await page.getByTestId('stats-page').waitFor()
    await page.getByTestId('stats-total-checks').getByText('1').waitFor()
    await page.getByTestId('offers-card').getByText('Wgt (Android) 1.0.1 (101)', { exact: true }).waitFor()
    await page.getByTestId('stats-page').locator('.ant-picker-range').click()
    await page.locator('.ant-picker-presets').getByText('Last 7 days').click()
    await page.waitForURL(/from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}/)
    const days = page.getByTestId('stats-page').locator('[data-testid=day-chart]').first().locator('rect[data-count]')
    for (let i = 0; i < 50 && (await days.count()) !== 7; i++) await page.waitForTimeout(100)
    assert.equal(await days.count(), 7)
    await ui.screenshot('stats')
  })

  await t.test('channels: add beta; its update URL is shown with copy', async () => {
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('project-link').first().click()
    await openTab('Channels')
    const panel = page.getByTestId('channels-panel')
    await panel.getByTestId('channels-table').getByText('production').waitFor() // every project has it
    await panel.getByTestId('channel-name').fill('Beta')
    await ui.expectErrors([/status of 400/], async () => {
      await panel.getByTestId('add-channel').click()
      await panel.locator('.ant-form-item-explain-error').first().waitFor()
    })
    await panel.getByTestId('channel-name').fill('beta')
    await panel.getByTestId('add-channel').click()
    await page.getByText('Channel beta added').waitFor()
    const url = panel.getByTestId('channel-url-beta').getByTestId('copy-value')
    assert.equal(await url.textContent(), `${server.baseURL}/api/basic/update?channel=beta`)
  })

  /** pick chooses an option of an ant-design select. */
  async function pick(select, option) {
    await select.click()
    await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`).click()
  }

  await t.test('publish a wgt to beta', async () => {
    await openTab('Releases')
    await openTab('Wgt (Android)')
    await page.getByTestId('resources-1').getByTestId('new-resource').click()
    const title = 'New release: Wgt (Android)'
    const d = dialog(title)
    await pick(d.getByTestId('res-channel'), 'beta')
    await uploadIn(title, { name: 'shop-1.1.0.wgt', mimeType: 'application/octet-stream', buffer: wgt(2048, { name: '1.1.0', code: '110' }) })
    assert.equal(await d.getByTestId('res-version-code').inputValue(), '110')
    await d.getByTestId('res-changelog').fill('New checkout, for testers')
    await okIn(title)
    await page.getByText('Release 1.1.0 published').waitFor()
    await page.getByTestId('resources-1').locator('tr', { hasText: '1.1.0' }).getByText('beta', { exact: true }).waitFor()
    // The channel filter shows beta's releases only.
    await pick(page.getByTestId('resources-1').getByTestId('channel-filter'), 'beta')
    await page.waitForURL(/channel=beta/)
    await page.getByTestId('resources-1').locator('tr', { hasText: '1.0.2' }).waitFor({ state: 'detached' })
    await page.getByTestId('resources-1').locator('tr', { hasText: '1.1.0' }).waitFor()
    await ui.screenshot('releases-beta')
    await page.getByTestId('resources-1').getByTestId('channel-filter').locator('.ant-select-clear').click()
    await page.getByTestId('resources-1').locator('tr', { hasText: '1.0.2' }).waitFor()
  })

  await t.test('pin a device to beta', async () => {
    await openTab('Channels')
    const pins = page.getByTestId('pins-panel')
    await pins.getByTestId('pin-device').fill('e2e-beta-phone')
    await pins.getByTestId('pin-channel').getByText('beta').waitFor() // the first channel besides production
    await pins.getByTestId('pin-note').fill('QA phone')
    await pins.getByTestId('add-pin').click()
    await page.getByText('e2e-beta-phone pinned to beta').waitFor()
    await pins.getByTestId('pins-table').locator('tr', { hasText: 'e2e-beta-phone' }).getByText('QA phone').waitFor()
    const beta = page.getByTestId('channels-table').locator('tr', { hasText: 'beta' })
    await beta.locator('td').nth(2).getByText('1', { exact: true }).waitFor() // one release
    await beta.locator('td').nth(3).getByText('1', { exact: true }).waitFor() // one pinned device
    await ui.screenshot('channels')
  })

  await t.test('simulate the pinned device: the beta wgt is offered, production skipped as another channel', async () => {
    await page.getByTestId('pins-table').locator('tr', { hasText: 'e2e-beta-phone' }).getByTestId('pin-simulate').click()
    const title = 'Simulate a device'
    const d = dialog(title)
    assert.equal(await d.getByTestId('sim-uuid').inputValue(), 'e2e-beta-phone')
    await d.getByTestId('sim-native').fill('100')
    await d.getByTestId('sim-wgt').fill('100')
    await okIn(title)
    await d.getByTestId('sim-channel-got').getByText('beta', { exact: true }).waitFor()
    await d.getByTestId('sim-answer').getByText('pinned', { exact: true }).waitFor()
    assert.equal(await d.getByTestId('sim-wgt-offered').textContent(), '1.1.0 (110)')
    assert.equal(await d.getByTestId('sim-applies').textContent(), 'Install the wgt update')
    const trace = d.getByTestId('sim-trace')
    await trace.locator('tr', { hasText: '1.1.0 (110)' }).getByTestId('sim-verdict').getByText('Offered').waitFor()
    const prod = trace.locator('tr', { hasText: '1.0.2 (102)' })
    await prod.getByTestId('sim-verdict').getByText('Other channel').waitFor()
    await prod.getByText('It is in channel production; this device gets channel beta.').waitFor()
    await ui.screenshot('simulate')
    await page.keyboard.press('Escape')
    await d.waitFor({ state: 'hidden' })
    await page.waitForURL((u) => !new URL(u).searchParams.has('simulate'))
    // The same in Chinese.
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-zh-CN').click()
    await page.getByTestId('pins-table').locator('tr', { hasText: 'e2e-beta-phone' }).getByTestId('pin-simulate').click()
    const zh = dialog('模拟设备')
    await zh.getByTestId('sim-native').fill('100')
    await zh.getByTestId('sim-wgt').fill('100')
    await okIn('模拟设备')
    await zh.getByTestId('sim-trace').locator('tr', { hasText: '1.0.2 (102)' }).getByText('其他渠道').waitFor()
    await ui.screenshot('simulate-zh')
    await page.keyboard.press('Escape')
    await zh.waitFor({ state: 'hidden' })
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-en').click()
    await page.getByRole('tab', { name: 'Channels', exact: true }).waitFor()
  })

  await t.test('promote the beta wgt to production', async () => {
    await openTab('Releases')
    const table = page.getByTestId('resources-1')
    await table.locator('tr', { hasText: '1.1.0' }).getByTestId('res-promote').click()
    const title = 'Promote 1.1.0 (110)'
    const d = dialog(title)
    await d.getByTestId('promote-preview')
      .getByText('Devices on production that run a lower version code get 1.1.0 (110): the same file as in beta, no upload.')
      .waitFor()
    await ui.screenshot('promote-confirm')
    await okIn(title)
    await page.getByText('1.1.0 (110) promoted to production').waitFor()
    const copy = table.locator('tr', { hasText: 'promoted from beta' })
    await copy.getByText('production', { exact: true }).waitFor()
    await copy.getByRole('cell', { name: '110', exact: true }).waitFor()
  })

  await t.test('roll back the promoted wgt: the confirmation says what devices get', async () => {
    const table = page.getByTestId('resources-1')
    const copy = table.locator('tr', { hasText: 'promoted from beta' })
    await copy.getByTestId('res-rollback').click()
    const title = 'Roll back 1.1.0 (110)?'
    const d = dialog(title)
    // The previous enabled release of production is 1.0.2 (1.0.1 is disabled); the next code is 111.
    await d.getByTestId('rollback-preview')
      .getByText('1.1.0 (110) is withdrawn; devices that installed it get 1.0.2 again as 111.', { exact: true })
      .waitFor()
    await ui.screenshot('rollback-confirm')
    await d.getByTestId('rollback-confirm').click()
    const result = d.getByTestId('rollback-result')
    await result.getByText('1.1.0 (110) is withdrawn.').waitFor()
    await result.getByText('1.0.2 is published again as 111 in production.').waitFor()
    await ui.screenshot('rollback-done')
    await d.getByTestId('rollback-close').click()
    await d.waitFor({ state: 'hidden' })
    const again = table.locator('tr', { hasText: 'rollback of 1.1.0 (110): 1.0.2 (102) again' })
    await again.getByRole('cell', { name: '111', exact: true }).waitFor()
    await copy.locator('[data-testid=res-status-switch][aria-checked=false]').waitFor() // withdrawn
    assert.match((await copy.getAttribute('class')) ?? '', /row--disabled/) // and dimmed
    await ui.screenshot('releases-after-rollback')
  })

  await t.test('statistics: checks per channel and a channel filter; a link to simulate', async () => {
    // The pinned phone checks with the plain update URL: it gets beta.
    const res = await page.request.post(`${server.baseURL}/api/basic/update`, {
      data: { projectId, platform: 'android', wgtVersionCode: 100, nativeVersionCode: 100, systemInfo: { uuid: 'e2e-beta-phone', platform: 'android' } },
    })
    assert.equal((await res.json()).data.wgt?.versionCode, 110)
    await page.getByTestId('menu-stats').click()
    const card = page.getByTestId('channels-card')
    for (let i = 0; i < 30 && !(await card.getByText('beta', { exact: true }).isVisible()); i++) {
      await page.waitForTimeout(1000)
      await page.getByTestId('stats-page').getByRole('button', { name: 'Reload' }).click()
    }
    await card.getByText('beta', { exact: true }).waitFor()
    await card.getByText('production', { exact: true }).waitFor()
    await page.getByTestId('stats-total-checks').getByText('2').waitFor()
    await pick(page.getByTestId('stats-channel'), 'beta')
    await page.waitForURL(/channel=beta/)
    await page.getByTestId('stats-total-checks').getByText('1').waitFor()
    await ui.screenshot('stats-beta')
    await page.getByTestId('stats-simulate').click()
    const d = dialog('Simulate a device')
    await d.getByTestId('sim-uuid').waitFor()
    await d.locator('.ant-modal-close').click()
    await d.waitFor({ state: 'hidden' })
  })

  await t.test('adoption of the beta wgt: its funnel, and a staged rollout created, paused, resumed and advanced by hand', async () => {
    // The pinned phone is offered 1.1.0, downloads it through the link the check gave, then reports it installed.
    const check = (wgtVersionCode) =>
      page.request.post(`${server.baseURL}/api/basic/update`, {
        data: { projectId, platform: 'android', wgtVersionCode, nativeVersionCode: 100, systemInfo: { uuid: 'e2e-beta-phone', platform: 'android' } },
      })
    const offer = (await (await check(100)).json()).data.wgt
    assert.equal(offer?.versionCode, 110)
    assert.equal((await page.request.get(offer.url)).status(), 200)
    assert.equal((await check(110)).status(), 200) // it runs 1.1.0 now: applied

    await openTab('Releases')
    await openTab('Wgt (Android)')
    const row = page.getByTestId('resources-1').locator('tr', { hasText: '1.1.0' }).filter({ has: page.getByText('beta', { exact: true }) })
    const drawer = page.getByTestId('insight-drawer')
    const form = drawer.getByTestId('plan-form')
    // No plan yet: the API answers 404, which the browser logs.
    await ui.expectErrors([/status of 404/], async () => {
      await row.getByTestId('res-adoption').click()
      await form.waitFor()
    })
    await page.locator('.ant-drawer-title', { hasText: 'Adoption of 1.1.0 (110)' }).waitFor()
    const input = (stage, testid) => form.getByTestId(`plan-stage-${stage}`).locator(`input[data-testid=${testid}], [data-testid=${testid}] input`)
    // 10 % for 60 minutes, then everyone: remove the 50 % stage of the default plan.
    await form.getByTestId('plan-stage-1').getByTestId('plan-remove-stage').click()
    await form.getByTestId('plan-stage-1').getByText('completes the rollout').waitFor()
    // Checked as the server does before sending: percents must grow.
    await input(0, 'plan-percent').fill('100')
    await form.getByTestId('plan-stage-1').getByText('Must grow from stage to stage, within 1..100').waitFor()
    assert.equal(await form.getByTestId('plan-submit').isDisabled(), true)
    await input(0, 'plan-percent').fill('10')
    await input(0, 'plan-hold').fill('60')
    await pick(form.getByTestId('plan-stage-0').getByTestId('plan-unit'), 'minutes')
    assert.equal(await form.getByTestId('plan-min-downloaded').inputValue(), '100') // the default gates
    await form.getByTestId('plan-preview')
      .getByText('The release goes to 10% of devices at once (now 100%), then further stage by stage while the gates pass.')
      .waitFor()
    await ui.screenshot('adoption-plan-form')
    await form.getByTestId('plan-submit').click()
    await page.getByText('Staged rollout started at 10%').waitFor()
    const status = drawer.getByTestId('plan-status')
    await drawer.locator('[data-testid=plan-status][data-state=running][data-percent="10"]').waitFor()
    await status.getByTestId('plan-state').getByText('Running').waitFor()
    await status.getByText('Stage 1 of 2', { exact: false }).waitFor()
    const events = drawer.getByTestId('plan-events')
    const started = events.locator('tr', { hasText: 'Started' })
    await started.getByText('Admin', { exact: true }).waitFor()
    await started.getByText('100% → 10%').waitFor()
    await row.locator('.ant-progress-text', { hasText: '10%' }).waitFor() // the table follows

    /** act presses an action button and confirms, checking what the confirmation says. */
    async function act(action, label, says) {
      await status.getByTestId(`plan-${action}`).click()
      const confirm = page.locator('.ant-popover:not(.ant-popover-hidden)', { hasText: says })
      await confirm.waitFor()
      await confirm.getByRole('button', { name: label }).click()
    }
    await act('pause', 'Pause', 'Pause the rollout? It stops advancing; the release stays at 10% of devices.')
    await page.getByText('Rollout paused').waitFor()
    await drawer.locator('[data-testid=plan-status][data-state=paused]').waitFor()
    assert.equal(await status.getByTestId('plan-pause').count(), 0) // only what the state allows
    const paused = events.locator('tr', { hasText: 'Paused' })
    await paused.getByText('Admin', { exact: true }).waitFor()
    await paused.getByText('by hand').waitFor()
    await paused.getByText('10% → 10%').waitFor()
    await ui.screenshot('adoption-paused')
    await act('resume', 'Resume', 'Resume the rollout? Stage 1 starts again now: 1 h at 10%, then the gates are judged.')
    await page.getByText('Rollout resumed').waitFor()
    await drawer.locator('[data-testid=plan-status][data-state=running]').waitFor()
    await events.locator('tr', { hasText: 'Resumed' }).getByText('Admin', { exact: true }).waitFor()

    // The funnel: counted in memory, written every 5 s.
    const count = (step) => drawer.getByTestId(`funnel-${step}`).getAttribute('data-count')
    for (let i = 0; i < 30 && (await count('applied')) !== '1'; i++) {
      await page.waitForTimeout(1000)
      await page.getByTestId('insight-reload').click()
    }
    assert.deepEqual(
      [await count('offered'), await count('downloaded'), await count('applied'), await count('notApplied')],
      ['1', '1', '1', '0'],
    )
    await drawer.getByTestId('funnel-downloaded').getByText('100% of offered').waitFor()
    await drawer.getByTestId('funnel-applied').getByText('100% of downloaded').waitFor()
    await drawer.locator('svg rect[data-count="1"]').waitFor() // today: one device ran it
    await ui.screenshot('adoption-funnel')

    await act('advance', 'Advance', 'Advance now? The release goes to 100% of devices now, whatever the gates, and the rollout completes.')
    await drawer.locator('[data-testid=plan-status][data-state=completed][data-percent="100"]').waitFor()
    await events.locator('tr', { hasText: 'Completed' }).getByText('10% → 100%').waitFor()
    assert.equal(await status.locator('button[data-testid^=plan-]').count(), 0) // nothing left to do
    const shell = page.locator('.ant-drawer-content-wrapper', { has: drawer })
    await shell.locator('.ant-drawer-close').click()
    await drawer.waitFor({ state: 'hidden' })

    // On a phone, in Chinese: the drawer takes the screen's width and nothing is wider.
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-zh-CN').click()
    try {
      await row.getByTestId('res-adoption').click()
      await drawer.getByTestId('plan-state').getByText('已完成').waitFor()
      await page.locator('.ant-drawer-title', { hasText: '1.1.0 (110) 的采用情况' }).waitFor()
      await events.locator('tr', { hasText: '暂停' }).getByText('Admin', { exact: true }).waitFor()
      await page.waitForTimeout(400) // the drawer slides in
      const sizes = await page.evaluate(() => {
        const body = document.querySelector('.ant-drawer-content-wrapper:has([data-testid=insight-drawer]) .ant-drawer-body')
        return {
          drawer: Math.round(body.closest('.ant-drawer-content-wrapper').getBoundingClientRect().width),
          body: [body.scrollWidth, body.clientWidth],
          page: [document.documentElement.scrollWidth, window.innerWidth],
        }
      })
      assert.ok(sizes.drawer <= 390 && sizes.body[0] <= sizes.body[1] && sizes.page[0] <= sizes.page[1], JSON.stringify(sizes))
      await ui.screenshot('phone-adoption-zh')
      await shell.locator('.ant-drawer-close').click()
      await drawer.waitFor({ state: 'hidden' })
    } finally {
      await page.getByTestId('lang-switch').click()
      await page.getByTestId('lang-en').click()
      await page.setViewportSize({ width: 1366, height: 900 })
    }
  })

  await t.test('delete an empty channel; one with releases cannot be', async () => {
    await openTab('Channels')
    const panel = page.getByTestId('channels-panel')
    await panel.getByTestId('channel-name').fill('canary')
    await panel.getByTestId('add-channel').click()
    await page.getByText('Channel canary added').waitFor()
    const rows = panel.getByTestId('channels-table')
    assert.equal(await rows.locator('tr', { hasText: 'beta' }).getByTestId('delete-channel').isDisabled(), true)
    await rows.locator('tr', { hasText: 'canary' }).getByTestId('delete-channel').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click()
    await page.getByText('Channel canary deleted').waitFor()
    await rows.locator('tr', { hasText: 'canary' }).waitFor({ state: 'detached' })
  })

  await t.test('webhooks: add one to a local receiver, test it, see the delivery succeed', async () => {
    // A receiver on loopback (where plain http is allowed) that keeps what it gets.
    const got = []
    const receiver = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        got.push({ headers: req.headers, body })
        res.writeHead(200, { 'Content-Type': 'application/json' })
        res.end('{"received":true}')
      })
    })
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/hoist`
      await openTab('Webhooks')
      const panel = page.getByTestId('webhooks-panel')
      await panel.getByTestId('add-webhook').click()
      const title = 'Add webhook'
      const d = dialog(title)
      // https only, or http to a loopback address: the server names the field.
      await d.getByTestId('webhook-url-input').fill('http://example.com/hoist')
      await ui.expectErrors([/status of 400/], async () => {
        await okIn(title)
        await d.locator('.ant-form-item-explain-error', { hasText: 'https' }).waitFor()
      })
      await d.getByTestId('webhook-url-input').fill(url)
      const secret = await d.getByTestId('webhook-secret').inputValue() // generated
      await okIn(title)
      await page.getByText('Webhook added').waitFor()
      const row = panel.getByTestId('webhooks-table').locator('tr', { hasText: url })
      await row.getByText(`…${secret.slice(-4)}`).waitFor() // only the end of the secret is shown
      await row.getByTestId('webhook-test').click()
      await page.getByText('Test delivery queued').waitFor()
      const drawer = page.getByTestId('deliveries-drawer')
      const delivery = drawer.getByTestId('deliveries-table').locator('tr', { hasText: 'webhook.test' })
      await delivery.getByTestId('delivery-state').getByText('Succeeded').waitFor()
      assert.equal(await delivery.getByTestId('delivery-status').textContent(), '200')
      await delivery.locator('.ant-table-row-expand-icon').click()
      await drawer.getByTestId('attempts-table').getByText('{"received":true}').waitFor()
      await ui.screenshot('webhook-deliveries')
      // What arrived is signed with the secret over timestamp "." body.
      assert.equal(got.length, 1)
      const { headers, body } = got[0]
      const sig = createHmac('sha256', secret).update(`${headers['x-hoist-timestamp']}.${body}`).digest('hex')
      assert.equal(headers['x-hoist-signature'], `sha256=${sig}`)
      assert.equal(JSON.parse(body).event, 'webhook.test')
      await page.locator('.ant-drawer-content-wrapper', { hasText: 'Deliveries to' }).locator('.ant-drawer-close').click()
      await row.getByTestId('delete-webhook').click()
      await page.locator('.ant-popconfirm').getByRole('button', { name: 'Delete' }).click()
      await page.getByText('Webhook deleted').waitFor()
      await row.waitFor({ state: 'detached' })
    } finally {
      receiver.close()
    }
  })

  await t.test('CodePush: publish a bundle (a zip built here) at 50%; it is listed with its label, range and hash; raise the rollout; edit the range', async () => {
    await openTab('Releases')
    await openTab('CodePush (Android)')
    const table = page.getByTestId('resources-6')
    await table.getByText('No releases of this type yet').waitFor()
    await table.getByTestId('new-resource').click()
    const title = 'New release: CodePush (Android)'
    const bundle = makeZip([
      { name: 'CodePush/index.android.bundle', data: Buffer.from(`var v='${randomBytes(8).toString('hex')}';`) },
      { name: 'CodePush/assets/logo.png', data: randomBytes(2048) },
    ])
    await uploadIn(title, { name: 'bundle.zip', mimeType: 'application/zip', buffer: bundle })
    const d = dialog(title)
    await d.getByTestId('res-range').fill('banana')
    await okIn(title)
    await d.getByText('Not a semver range').waitFor() // checked before the API
    await d.getByTestId('res-range').fill('^1.0.0')
    await d.locator('input[data-testid=rollout-input], [data-testid=rollout-input] input').fill('50')
    await d.getByTestId('res-changelog').fill('First bundle')
    await ui.screenshot('codepush-create')
    await okIn(title)
    await page.getByText('Release v1 published').waitFor()
    const row = table.locator('tr', { hasText: 'v1' })
    await row.getByTestId('cp-label').getByText('v1', { exact: true }).waitFor()
    await row.getByTestId('cp-range').getByText('^1.0.0', { exact: true }).waitFor()
    await row.getByTestId('cp-reports').waitFor() // the clients' report counts (none yet)
    await row.locator('.ant-progress-text', { hasText: '50%' }).waitFor()
    await ui.screenshot('codepush-releases')

    await row.getByTestId('cp-raise').click()
    const raise = dialog('Raise the rollout of v1 (^1.0.0)')
    await raise.getByText('A CodePush rollout only grows').waitFor()
    await okIn('Raise the rollout of v1 (^1.0.0)')
    await page.getByText('v1 (^1.0.0) rolled out to 100%').waitFor()
    await row.locator('.ant-progress-text', { hasText: '100%' }).waitFor()
    assert.equal(await row.getByTestId('cp-raise').count(), 0)

    await row.getByTestId('res-edit').click()
    const edit = dialog('Edit release v1 (^1.0.0)')
    await edit.getByTestId('res-range').fill('1.x || 2.x')
    await okIn('Edit release v1 (^1.0.0)')
    await row.getByTestId('cp-range').getByText('1.x || 2.x', { exact: true }).waitFor()
  })

  await t.test('CodePush: the channels show the deployment keys; rotate one, the old key is refused at once', async () => {
    await openTab('Channels')
    const cell = page.getByTestId('deployment-key-production-android')
    const oldKey = (await cell.getByTestId('copy-value').textContent()).trim()
    assert.match(oldKey, /^[A-Za-z0-9]{40}$/)
    const check = (key) => fetch(`${server.baseURL}/v0.1/public/codepush/update_check?deployment_key=${key}&app_version=2.1.0&client_unique_id=e2e`)
    const before = await check(oldKey)
    assert.equal(before.status, 200)
    const offered = await before.json()
    assert.equal(offered.update_info.label, 'v1') // within the edited range 1.x || 2.x
    await cell.getByTestId('rotate-key').click()
    const confirm = page.locator('.ant-modal-confirm')
    await confirm.getByText('The old key stops working at once').waitFor()
    await ui.screenshot('codepush-rotate')
    await confirm.getByRole('button', { name: 'Rotate' }).click()
    await page.getByText('New Android deployment key for production').waitFor()
    await cell.getByTestId('copy-value').filter({ hasNotText: oldKey }).waitFor()
    const newKey = (await cell.getByTestId('copy-value').textContent()).trim()
    assert.notEqual(newKey, oldKey)
    assert.equal((await check(oldKey)).status, 400)
    assert.equal((await (await check(newKey)).json()).update_info.label, 'v1')
  })

  await t.test('products: create one in the project', async () => {
    await page.getByTestId('menu-products').click()
    await page.getByTestId('products-page').getByText('No device products yet').waitFor()
    await page.getByTestId('new-product').click()
    const d = dialog('New product')
    await d.getByTestId('product-name').fill('thermo/x')
    await okIn('New product')
    await d.getByText('Only letters, digits, _ . - (1 to 64)').waitFor() // checked before the API
    await d.getByTestId('product-name').fill('thermo')
    await d.getByTestId('product-description').fill('Thermostat v2')
    await ui.screenshot('product-form')
    await okIn('New product')
    await page.waitForURL('**/products/thermo')
    await page.getByTestId('product-title').getByText('thermo').waitFor()
    await page.getByTestId('devices-panel').getByText('No devices yet').waitFor()
    // Where devices connect: the embedded broker, on loopback here (said so).
    const connect = page.getByTestId('broker-connect')
    assert.equal(await connect.getByTestId('broker-url').getByTestId('copy-value').textContent(), `mqtt://${server.mqttAddr}`)
    await connect.getByTestId('broker-local-only').getByText('only programs on Hoist’s own machine can connect').waitFor()
    await connect.getByText('Connection examples').click()
    const example = await connect.getByTestId('example-mqttjs').textContent()
    assert.match(example ?? '', new RegExp(`mqtt\\.connect\\("mqtt://${server.mqttAddr.replace(/\./g, '\\.')}"`))
    assert.match(example ?? '', /username: "thermo\/<device>"/)
    await ui.screenshot('product-connect')
  })

  let device
  await t.test('devices: create one; its secret is shown once with the MQTT identity', async () => {
    await page.getByTestId('new-device').click()
    const d = dialog('New device')
    await d.getByTestId('device-name').fill('dev-0001')
    const tags = d.getByTestId('tags-input').locator('input')
    await tags.fill('floor-2')
    await tags.press('Enter')
    await tags.fill('beta')
    await tags.press('Enter')
    await okIn('New device')
    const s = dialog('Device dev-0001 created')
    const secret = await s.getByTestId('device-secret').getByTestId('copy-value').textContent()
    assert.match(secret ?? '', /^hsd_/)
    assert.equal(await s.getByTestId('device-mqtt-username').getByTestId('copy-value').textContent(), 'thermo/dev-0001')
    assert.equal(await s.getByTestId('device-client-id').getByTestId('copy-value').textContent(), 'thermo/dev-0001')
    assert.equal(await s.getByTestId('broker-url').getByTestId('copy-value').textContent(), `mqtt://${server.mqttAddr}`)
    await s.getByText('Connection examples').click()
    await s.getByRole('tab', { name: 'mosquitto_pub' }).click()
    const [host, port] = server.mqttAddr.split(':')
    const sh = (await s.getByTestId('example-mosquitto').textContent()) ?? ''
    assert.ok(sh.includes(`mosquitto_pub -h ${host} -p ${port} -q 1`), sh)
    assert.ok(sh.includes(`-i thermo/dev-0001 -u thermo/dev-0001 -P ${secret}`), sh)
    assert.ok(sh.includes('-t "update_status/thermo/dev-0001/$(date +%s)"') && sh.includes("-t 'cmd/thermo/dev-0001/#'"), sh)
    await ui.screenshot('device-secret-once')
    device = { product: 'thermo', name: 'dev-0001', secret, tags: ['floor-2', 'beta'] }
    await s.getByTestId('device-secret-done').click()
    await s.waitFor({ state: 'hidden' })
    const row = page.getByTestId('devices-table').locator('tr', { hasText: 'dev-0001' })
    await row.getByText('floor-2').waitFor()
    await row.getByText('Offline').waitFor()
  })

  let batch
  await t.test('devices: import a batch (CSV) and download their secrets as JSON', async () => {
    await page.getByTestId('batch-import').click()
    const d = dialog('Import devices')
    // Errors name the CSV line and column, once (no toast besides).
    await d.getByTestId('batch-text').fill('sim-0002,floor-3\nbad/name\n\nsim-0004,a+b')
    await ui.expectErrors([/status of 400/], async () => {
      await d.getByTestId('batch-submit').click()
      await d.getByTestId('batch-error').getByText('The import has 2 errors; nothing was created.').waitFor()
    })
    const errs = await d.getByTestId('batch-errors').locator('li').allTextContents()
    assert.deepEqual(errs, [
      'Line 2, column name: must be 1 to 64 characters of A-Z a-z 0-9 _ . - (no / + # $ or spaces)',
      'Line 4, column tags: each tag must be 1 to 64 characters of A-Z a-z 0-9 _ . - (no / + # $ or spaces); "a+b" is not',
    ])
    assert.equal(await page.locator('.ant-message-error').count(), 0, 'the errors are not repeated in a toast')
    await ui.screenshot('device-batch-errors')
    await d.getByTestId('batch-text').fill('sim-0002,floor-3\nsim-0003,floor-3;beta')
    await d.getByTestId('batch-submit').getByText('Create 2 devices').waitFor()
    await d.getByTestId('batch-submit').click()
    await d.getByTestId('batch-result').getByText('sim-0003').waitFor()
    await ui.screenshot('device-batch')
    const [download] = await Promise.all([page.waitForEvent('download'), d.getByTestId('batch-download').click()])
    assert.equal(download.suggestedFilename(), 'thermo-devices.json')
    const file = join(tmp, 'batch.json')
    await download.saveAs(file)
    batch = JSON.parse(readFileSync(file, 'utf8'))
    assert.equal(batch.count, 2)
    assert.deepEqual(batch.devices.map((x) => [x.product, x.name, x.tags]), [['thermo', 'sim-0002', ['floor-3']], ['thermo', 'sim-0003', ['beta', 'floor-3']]])
    assert.ok(batch.devices.every((x) => x.secret.startsWith('hsd_')))
    await d.getByTestId('batch-done').click()
    await page.getByTestId('devices-table').getByText('sim-0003').waitFor()
  })

  await t.test('device-sim connects the devices: they show online with their firmware', async () => {
    // The file device-sim reads: the batch answer, here the UI's device and the downloaded batch.
    const file = join(tmp, 'sim-devices.json')
    writeFileSync(file, JSON.stringify({ count: 3, devices: [device, ...batch.devices] }))
    sim = await startDeviceSim(bin, ['-broker', `tcp://${server.mqttAddr}`, '-devices', file, '-step', '400ms'], join(tmp, 'device-sim.log'))
    // No reload: the page refreshes the devices and the counts by itself.
    await page.locator('[data-testid=online-dev-0001][data-online=true]').waitFor({ timeout: 20_000 })
    await page.getByTestId('product-counts').getByText('3 of 3 online').waitFor({ timeout: 20_000 })
    await page.getByTestId('devices-table').locator('tr', { hasText: 'dev-0001' }).getByText('1.0.0').waitFor()
    await ui.screenshot('devices-online')
  })

  await t.test('a command to the device shows its reply', async () => {
    await page.getByTestId('devices-table').locator('tr', { hasText: 'dev-0001' }).getByTestId('device-command').click()
    const d = dialog('Send a command')
    await d.getByTestId('command-name').fill('ping')
    await d.getByTestId('command-data').fill('{"n":1}')
    await d.getByTestId('command-send').click()
    const reply = d.getByTestId('command-reply').first()
    await reply.waitFor({ timeout: 15_000 })
    assert.match((await reply.textContent()) ?? '', /"ok":true/)
    await ui.screenshot('command-reply')
    await d.getByRole('button', { name: 'Done' }).click()
    await d.waitFor({ state: 'hidden' })
  })

  await t.test('firmware: upload it and publish a firmware release for the product', async () => {
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('project-link').first().click()
    await openTab('Firmware')
    await page.getByTestId('resources-5').getByTestId('new-resource').click()
    const title = 'New release: Firmware'
    await uploadIn(title, { name: 'thermo-1.1.0.bin', mimeType: 'application/octet-stream', buffer: randomBytes(96 * 1024) })
    await dialog(title).getByTestId('res-version').fill('1.1.0')
    await dialog(title).getByTestId('res-version-code').fill('110')
    // The product is picked from the project's products, not typed.
    await dialog(title).getByTestId('res-product').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: 'thermo' }).click()
    await dialog(title).getByTestId('res-product').locator('.ant-select-selection-item', { hasText: 'thermo' }).waitFor()
    await dialog(title).getByTestId('res-changelog').fill('Better heating curve')
    await okIn(title)
    await page.getByText('Release 1.1.0 published').waitFor()
    await page.getByTestId('resources-5').getByRole('cell', { name: 'thermo', exact: true }).waitFor()
  })

  let campaignPath
  await t.test('OTA: start a campaign in the UI targeting the device', async () => {
    await page.getByTestId('menu-campaigns').click()
    await page.getByTestId('campaigns-page').getByText('No OTA campaigns yet').waitFor()
    await page.getByTestId('new-campaign').click()
    const d = dialog('Start an OTA campaign')
    await d.getByTestId('campaign-resource').getByText('1.1.0 (110) · thermo').waitFor() // the product's enabled firmware
    await d.getByTestId('campaign-product').getByText('thermo').waitFor()
    await d.getByTestId('campaign-device').click()
    await page.locator('.ant-select-item-option', { hasText: 'dev-0001' }).click()
    await ui.screenshot('campaign-form')
    await okIn('Start an OTA campaign')
    await page.waitForURL(/\/ota\/[0-9a-f]{32}$/)
    campaignPath = new URL(page.url()).pathname
    await page.getByText('Campaign started: 1 device').waitFor()
  })

  await t.test('campaign detail: live progress until the device succeeded', async () => {
    const p = page.getByTestId('campaign-page')
    // Every state of the ota_state dictionary has a column, zeros included.
    for (const st of ['sent', 'accepted', 'downloading', 'downloaded', 'verified', 'installing', 'rebooting', 'succeeded', 'failed', 'rejected', 'skipped', 'expired', 'cancelled']) {
      await p.getByTestId(`state-${st}`).waitFor()
    }
    let shot = false
    const state = p.getByTestId('device-state-dev-0001')
    for (let i = 0; i < 120; i++) {
      const s = await state.getAttribute('data-state').catch(() => null)
      if (s === 'succeeded') break
      if (!shot && s && s !== 'sent' && (await p.getByTestId('campaign-live').isVisible())) {
        shot = true
        await ui.screenshot('campaign-progress')
      }
      await page.waitForTimeout(250)
    }
    assert.equal(await state.getAttribute('data-state'), 'succeeded')
    assert.equal(await p.getByTestId('state-succeeded').getAttribute('data-count'), '1')
    assert.equal(await p.getByTestId('state-sent').getAttribute('data-count'), '0')
    await p.getByTestId('campaign-status').getByText('Completed').waitFor()
    await p.getByTestId('campaign-live').waitFor({ state: 'detached' }) // polling stopped
    await ui.screenshot('campaign-succeeded')
  })

  await t.test('campaign detail: the device history, filter by state', async () => {
    const p = page.getByTestId('campaign-page')
    await p.getByTestId('device-history').first().click()
    const drawer = page.locator('.ant-drawer-content-wrapper', { hasText: 'OTA history of dev-0001' })
    // History is written in batches, a few seconds after the reports.
    for (let i = 0; i < 20 && (await drawer.locator('tbody tr.ant-table-row').count()) === 0; i++) {
      await page.waitForTimeout(1000)
      await drawer.getByRole('button', { name: 'Reload' }).click()
    }
    await drawer.locator('tbody tr.ant-table-row', { hasText: 'Succeeded' }).first().waitFor()
    await ui.screenshot('campaign-history')
    await drawer.locator('.ant-drawer-close').click()
    await drawer.waitFor({ state: 'hidden' })
    await p.getByTestId('state-failed').locator('button').click() // clicking a state filters the devices
    await p.getByTestId('campaign-devices').getByText('No data').waitFor()
    await p.getByTestId('state-succeeded').locator('button').click()
    await p.getByTestId('campaign-devices').getByText('dev-0001').waitFor()
    const size = await ui.measure(campaignPath, 'campaign-page')
    writeFileSync(join(resultsDir, 'bundle-campaign.json'), JSON.stringify(size))
    checkSize(t, `campaign page ${campaignPath}`, size)
  })

  await t.test('OTA list and dashboard show the campaign and the devices online', async () => {
    await page.getByTestId('menu-campaigns').click()
    const row = page.getByTestId('campaigns-table').locator('tr', { hasText: 'thermo' })
    await row.getByText('Completed').waitFor()
    await row.getByText('1 of 1 succeeded').waitFor()
    await ui.screenshot('campaigns')
    await page.getByTestId('menu-dashboard').click()
    await page.getByTestId('recent-campaigns').getByText('Completed').waitFor()
    await page.getByTestId('online-card').getByText('3 of 3 online').waitFor()
    const size = await ui.measure('/', 'dashboard-page')
    checkSize(t, 'dashboard /', size)
    await ui.screenshot('dashboard-devices')
    // The devices leave: the product page follows without a reload.
    await page.getByTestId('menu-products').click()
    await page.getByTestId('product-link').first().click()
    await page.getByTestId('product-counts').getByText('3 of 3 online').waitFor()
    await sim.stop()
    sim = null
    await page.locator('[data-testid=online-dev-0001][data-online=false]').waitFor({ timeout: 20_000 })
    await page.getByTestId('product-counts').getByText('0 of 3 online').waitFor({ timeout: 20_000 })
  })

  await t.test('a campaign to a tag of offline devices waits; cancel it', async () => {
    await page.getByTestId('menu-campaigns').click()
    await page.getByTestId('new-campaign').click()
    const d = dialog('Start an OTA campaign')
    await d.getByTestId('campaign-resource').getByText('1.1.0 (110) · thermo').waitFor()
    await d.getByText('A tag', { exact: true }).click()
    await d.getByTestId('campaign-tag').fill('floor-3')
    await okIn('Start an OTA campaign')
    await page.getByText('Campaign started: 2 devices').last().waitFor()
    const p = page.getByTestId('campaign-page')
    await p.getByTestId('campaign-live').waitFor()
    assert.equal(await p.getByTestId('state-sent').getAttribute('data-count'), '2')
    await p.getByTestId('campaign-cancel').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Cancel campaign' }).click()
    await page.getByText('Campaign cancelled').waitFor()
    await p.getByTestId('campaign-status').getByText('Cancelled').waitFor()
    assert.equal(await p.getByTestId('state-cancelled').getAttribute('data-count'), '2')
    assert.equal(await p.getByTestId('state-sent').getAttribute('data-count'), '0')
    await p.getByTestId('campaign-devices').locator('[data-state=cancelled]').nth(1).waitFor()
    await ui.screenshot('campaign-cancelled')
  })

  await t.test('a campaign in waves: only the first wave is sent; pause, resume and abort by hand', async () => {
    await page.getByTestId('menu-campaigns').click()
    await page.getByTestId('new-campaign').click()
    const d = dialog('Start an OTA campaign')
    await d.getByTestId('campaign-resource').getByText('1.1.0 (110) · thermo').waitFor()
    await d.getByText('A tag', { exact: true }).click()
    await d.getByTestId('campaign-tag').fill('floor-3')
    await d.getByTestId('campaign-waves-toggle').click()
    // A first wave of one device; the other device of the tag is the rest.
    const first = d.getByTestId('campaign-wave-0')
    await first.getByTestId('wave-kind').click()
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: 'Devices' }).click()
    await first.locator('.ant-input-number input').fill('1')
    await d.getByTestId('campaign-wave-1').getByRole('button', { name: 'Remove wave' }).click()
    await d.getByTestId('campaign-wave-1').waitFor({ state: 'detached' })
    await ui.screenshot('campaign-waves-form')
    await okIn('Start an OTA campaign')
    await page.getByText('Campaign started: 2 devices').last().waitFor() // the previous step's toast may still be up
    const p = page.getByTestId('campaign-page')
    const waves = p.getByTestId('campaign-waves')
    await waves.getByTestId('waves-current').getByText('Wave 1 of 2').waitFor()
    assert.equal(await waves.getByTestId('wave-1').getAttribute('data-status'), 'running')
    assert.equal(await waves.getByTestId('wave-2').getAttribute('data-status'), 'waiting')
    assert.equal(await p.getByTestId('state-sent').getAttribute('data-count'), '1')
    assert.equal(await p.getByTestId('state-waiting').getAttribute('data-count'), '1')
    await waves.getByTestId('wave-events').locator('[data-kind=wave_started]').waitFor()
    await ui.screenshot('campaign-waves')

    await waves.getByTestId('waves-pause').click()
    await page.getByText('Campaign paused').first().waitFor()
    await p.getByTestId('campaign-status').getByText('Paused').waitFor()
    await waves.getByTestId('waves-paused').waitFor()
    await waves.getByTestId('wave-events').locator('[data-kind=paused]').waitFor()
    await ui.screenshot('campaign-waves-paused')
    await waves.getByTestId('waves-resume').click()
    await page.getByText('Campaign resumed').first().waitFor()
    await p.getByTestId('campaign-status').getByText('Active').waitFor()
    await waves.getByTestId('wave-events').locator('[data-kind=resumed]').waitFor()

    await p.getByTestId('campaign-cancel').click()
    await page.locator('.ant-popconfirm').getByRole('button', { name: 'Abort campaign' }).click()
    await page.getByText('Campaign aborted').first().waitFor()
    await p.getByTestId('campaign-status').getByText('Cancelled').waitFor()
    assert.equal(await p.getByTestId('state-cancelled').getAttribute('data-count'), '2')
    assert.equal(await p.getByTestId('state-waiting').getAttribute('data-count'), '0')
    await waves.getByTestId('wave-events').locator('[data-kind=finished]').waitFor()
    await ui.screenshot('campaign-waves-aborted')
  })

  await t.test('a reload stays signed in (refresh token), within the bundle budget', async () => {
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('project-link').first().click()
    await page.waitForURL(/\/projects\/[0-9a-f]{32}$/)
    const path = new URL(page.url()).pathname
    const size = await ui.measure(path, 'project-title')
    writeFileSync(join(resultsDir, 'bundle-project.json'), JSON.stringify(size))
    checkSize(t, `reload of ${path}`, size)
    await page.reload()
    await page.getByTestId('project-title').getByText('Shop app').waitFor()
  })

  await t.test('users: create one, then make them a project member', async () => {
    await page.getByTestId('menu-users').click()
    await page.getByTestId('users-page').waitFor()
    await page.getByTestId('new-user').click()
    await dialog('New user').getByTestId('new-username').fill('bob')
    await dialog('New user').getByTestId('new-password').fill('another horse battery')
    await okIn('New user')
    await page.getByText('User bob created').waitFor()
    await page.getByTestId('users-page').getByRole('cell', { name: 'bob' }).waitFor()
    await ui.screenshot('users')

    await page.getByTestId('menu-projects').click()
    await page.getByTestId('project-link').first().click()
    await page.getByRole('tab', { name: 'Members' }).click()
    await page.getByTestId('member-user').click()
    await page.locator('.ant-select-item-option', { hasText: 'bob' }).click()
    await page.getByTestId('add-member').click()
    await page.getByText('bob added').waitFor()
    await page.getByTestId('members-panel').getByRole('cell', { name: /bob/ }).waitFor()
    // The only owner is not offered to leave (the server would refuse).
    const me = page.getByTestId('members-panel').locator('tr', { hasText: ADMIN.username })
    await me.getByTestId('sole-owner').waitFor()
    assert.equal(await me.getByRole('button', { name: 'Remove' }).count(), 0)
    await ui.screenshot('members')
  })

  await t.test('accessibility (axe-core): contrast and names on the main pages at desktop width', async () => {
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('project-link').first().click()
    await page.waitForURL(/\/projects\/[0-9a-f]{32}$/)
    const project = new URL(page.url()).pathname
    const pages = [
      ['dashboard', '/', 'dashboard-page'],
      ['projects', '/projects', 'projects-page'],
      ['project', project, 'project-title'],
      ['products', '/products', 'products-page'],
      ['product', '/products/thermo', 'devices-table'],
      ['campaigns', '/ota', 'campaigns-table'],
      ['users', '/users', 'users-page'],
      ['dicts', '/dicts', 'dicts-page'],
    ]
    for (const [name, path, testid] of pages) {
      await page.goto(path)
      await page.getByTestId(testid).waitFor()
      axeResults[name] = await settledAxe()
    }
    writeFileSync(join(resultsDir, 'axe.json'), JSON.stringify(axeResults, null, 2))
    const found = Object.entries(axeResults).flatMap(([name, vs]) =>
      vs.map((v) => `${name}: ${v.id} (${v.impact}) ×${v.nodes.length}: ${v.help}\n    ${v.nodes.slice(0, 4).map((n) => `${n.target} — ${n.why}`).join('\n    ')}`),
    )
    t.diagnostic(`axe-core: ${Object.keys(axeResults).length} pages, ${found.length} violated rules`)
    assert.deepEqual(found, [], 'axe-core violations (test-results/axe.json has them all)')

    // Keyboard focus shows on links, sort headers and row expanders (axe does not check it).
    await page.goto('/products/thermo')
    await page.getByTestId('devices-table').locator('tbody tr.ant-table-row').first().waitFor()
    const unseen = []
    for (const sel of ['.ant-breadcrumb a[href]', '[data-testid=devices-table] th.ant-table-column-has-sorters', '[data-testid=devices-table] .ant-table-row-expand-icon']) {
      await page.keyboard.press('Tab') // keyboard use: the next focus is shown
      const el = page.locator(sel).first()
      await el.focus()
      const ring = await el.evaluate((e) => {
        const st = getComputedStyle(e)
        return e.matches(':focus-visible') ? `${st.outlineStyle} ${st.outlineWidth}` : 'not focused'
      })
      if (!/^solid [2-9]/.test(ring)) unseen.push(`${sel}: ${ring}`)
    }
    assert.deepEqual(unseen, [], 'elements without a visible focus')
  })

  await t.test('a phone (390 px): sign in, the menu is a drawer, every page fits with its key column readable, dialogs and row actions open on screen', async () => {
    const phone = await ui.openPhone()
    const p = phone.page
    /** problems lists what does not fit, page by page. */
    const problems = []
    const note = (where, problem) => problem && problems.push(`${where}: ${problem}`)
    /** settled waits for the page's spinners to stop. */
    const settled = () => p.locator('.ant-spin-spinning').first().waitFor({ state: 'detached' }).catch(() => {})
    /** check notes the page's overflow and whether each [table, header] key column is readable. */
    async function check(where, columns = []) {
      await settled()
      note(where, await overflow(p))
      for (const [table, header] of columns) {
        await p.getByTestId(table).locator('tbody tr.ant-table-row').first().waitFor()
        note(where, await keyColumn(p, table, header))
      }
    }
    const shot = (name) => ui.screenshot(`phone-${name}`, p)
    try {
      await p.goto('/projects')
      await p.waitForURL('**/login?redirect=/projects')
      await p.getByTestId('login-form').waitFor()
      await check('sign-in')
      await p.getByTestId('username').fill(ADMIN.username)
      await p.getByTestId('password').fill(ADMIN.password)
      await p.getByTestId('submit').click()
      await p.getByTestId('projects-page').waitFor()
      await check('/projects', [['projects-table', 'Name']])
      await shot('projects')

      // The menu is off screen, in the closed drawer, until the header's button opens it.
      await p.waitForFunction(() => document.querySelector('[data-testid=sider]')?.getBoundingClientRect().right <= 0)
      await p.getByTestId('menu-toggle').click()
      await p.getByTestId('menu-backdrop').waitFor()
      // It slides in (0.2 s) and then lies on the screen, narrower than it.
      await p.waitForFunction(() => {
        const r = document.querySelector('[data-testid=sider]').getBoundingClientRect()
        return r.left >= 0 && r.right < document.documentElement.clientWidth
      })
      await shot('drawer')
      await p.getByTestId('menu-dashboard').click()
      await p.getByTestId('menu-backdrop').waitFor({ state: 'detached' })
      await p.getByTestId('dashboard-page').waitFor()
      await check('/')

      // A project: its releases, a new release's dialog, a row's actions.
      await p.goto('/projects')
      await p.getByTestId('project-link').first().click()
      await p.waitForURL(/\/projects\/[0-9a-f]{32}$/)
      const releases = p.getByTestId('resources-1')
      await check('project', [['resources-1', 'Version']])
      await shot('project')
      await releases.getByTestId('new-resource').click()
      const create = p.getByRole('dialog').filter({ has: p.locator('.ant-modal-title', { hasText: 'New release: Wgt (Android)' }) })
      note('new release dialog', await onScreen(create, 'the dialog'))
      await create.getByTestId('res-version').waitFor()
      note('new release dialog', await overflow(p))
      await shot('new-release')
      await create.getByRole('button', { name: 'Cancel' }).click()
      await create.waitFor({ state: 'hidden' })
      const row = releases.locator('tr.ant-table-row:not(.row--disabled)').first()
      await row.getByTestId('res-delete').scrollIntoViewIfNeeded()
      await row.getByTestId('res-delete').click()
      const confirm = p.locator('.ant-popconfirm', { hasText: /^Delete Wgt \(Android\) \S+ \(code \d+\) in \S+\?/ })
      note('delete confirmation', await onScreen(confirm, 'the delete confirmation'))
      await shot('release-delete-confirm')
      await confirm.getByRole('button', { name: 'Cancel' }).click()
      await confirm.waitFor({ state: 'hidden' })
      await row.getByTestId('qr-button').click()
      const qr = p.locator('.ant-popover', { has: p.getByTestId('qr-popover') })
      note('release QR code', await onScreen(qr, 'the QR code'))
      await qr.getByTestId('qr').waitFor()
      await shot('release-qr')
      await row.getByTestId('qr-button').click()
      await qr.waitFor({ state: 'hidden' })

      // Devices, OTA campaigns, administration.
      await p.goto('/products')
      await check('/products', [['products-table', 'Product name']])
      await p.getByTestId('product-link').first().click()
      await p.getByTestId('product-title').waitFor()
      await check('product', [['devices-table', 'Device name']])
      await shot('product')
      await p.goto('/ota')
      await check('/ota', [['campaigns-table', 'Started'], ['campaigns-table', 'Product']])
      await shot('campaigns')
      await p.getByTestId('campaign-link').first().click()
      await p.getByTestId('campaign-page').waitFor()
      await check('campaign', [['campaign-devices', 'Device']])
      await shot('campaign')
      await p.goto('/users')
      await check('/users', [['users-table', 'Username']])
      await p.goto('/dicts')
      await check('/dicts', [['dict-items', 'Label (English)']])
      await shot('dicts')
      for (const [path, testid] of [['/stats', 'stats-page'], ['/logs/login', 'login-log-page'], ['/account', 'account-page']]) {
        await p.goto(path)
        await p.getByTestId(testid).waitFor()
        await check(path)
      }
      assert.deepEqual(problems, [], 'what does not fit a 390 px screen')
    } finally {
      await phone.context.close()
    }
  })

  await t.test('dictionary, login log, my account with an API token shown once', async () => {
    await page.getByTestId('menu-dicts').click()
    await page.getByTestId('dicts-page').getByText('update_type').waitFor()
    // Names and descriptions in the panel's language, without code identifiers.
    await page.getByTestId('dicts-page').getByText('Update types').click()
    await page.getByRole('cell', { name: 'Forced', exact: true }).waitFor()
    assert.equal(await page.getByTestId('dict-description').textContent(), "How an app installs an update: with the user's consent, forced, or silently")
    assert.equal(await page.getByTestId('dicts-page').getByText('更新方式').count(), 0)
    await ui.screenshot('dictionary')
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-zh-CN').click()
    await page.getByTestId('dicts-page').getByText('OTA 状态', { exact: true }).click()
    assert.equal(await page.getByTestId('dict-description').textContent(), '设备在一次 OTA 升级中所处的阶段，按先后顺序')
    await ui.screenshot('dictionary-zh')
    await page.getByTestId('lang-switch').click()
    await page.getByTestId('lang-en').click()
    await page.getByTestId('dicts-page').getByText('OTA states', { exact: true }).waitFor()

    await page.getByTestId('user-menu').click()
    await page.getByTestId('menu-account').click()
    await page.getByTestId('account-page').waitFor()
    await page.getByTestId('new-token').click()
    await dialog('New token').getByTestId('token-name').fill('ci')
    await okIn('New token')
    const token = await page.getByTestId('token-value').getByTestId('copy-value').textContent()
    assert.match(token ?? '', /^hst_/)
    await ui.screenshot('account-token-once')
    await page.getByTestId('token-done').click()
    await page.getByTestId('tokens-card').getByRole('cell', { name: 'ci', exact: true }).waitFor()
    const api = await page.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } })
    assert.equal(api.status(), 200)
    await ui.screenshot('account')
  })

  await t.test('deleting a project says what goes with it; while it has products it cannot be', async () => {
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('delete-project').first().click()
    const d = dialog('Delete project Shop app?')
    const effects = d.getByTestId('delete-project-effects')
    await effects.getByText('every release of every channel is deleted with its uploaded files', { exact: false }).waitFor()
    await effects.getByText('its OTA campaigns are deleted with their per-device progress and history;').waitFor()
    await d.getByTestId('delete-project-products').getByText('This project has 1 device product: delete it, and its devices with it, first.').waitFor()
    assert.equal(await d.locator('.ant-modal-footer .ant-btn-primary').isDisabled(), true)
    await ui.screenshot('project-delete-blocked')
    await d.locator('.ant-modal-footer .ant-btn').first().click()
    await d.waitFor({ state: 'hidden' })
  })

  await t.test('deleting a product with devices asks again; the owner forces', async () => {
    await page.getByTestId('menu-products').click()
    await page.getByTestId('product-link').first().click()
    await page.getByTestId('product-delete').click()
    const title = 'Delete product thermo?'
    await ui.expectErrors([/status of 409/], async () => {
      await okIn(title)
      await dialog(title).getByTestId('force-name').waitFor()
    })
    await dialog(title).getByTestId('force-name').fill('thermo')
    await ui.screenshot('product-delete-force')
    await okIn(title)
    await page.getByText('Product thermo deleted').waitFor()
    await page.getByTestId('products-page').getByText('No device products yet').waitFor()
  })

  await t.test('deleting a project with releases asks again, then forces', async () => {
    await page.getByTestId('menu-projects').click()
    await page.getByTestId('delete-project').first().click()
    const title = 'Delete project Shop app?'
    await ui.expectErrors([/status of 409/], async () => {
      await okIn(title)
      await dialog(title).getByTestId('force-name').waitFor()
    })
    await dialog(title).getByTestId('force-name').fill('Shop app')
    await ui.screenshot('delete-force')
    await okIn(title)
    await page.getByText('Project Shop app deleted').waitFor()
    await page.getByTestId('projects-page').getByText('No projects yet').waitFor()
  })

  await t.test('sign out', async () => {
    await page.getByTestId('user-menu').click()
    await page.getByTestId('logout').click()
    await page.waitForURL('**/login')
    assert.equal(await page.evaluate(() => localStorage.getItem('hoist.refreshToken')), null)
    await page.goto('/dicts')
    await page.waitForURL('**/login?redirect=/dicts')
  })

  await t.test('sign in again; the login log shows it', async () => {
    await page.getByTestId('username').fill(ADMIN.username)
    await page.getByTestId('password').fill('wrong password')
    await ui.expectErrors([/status of 401/], async () => {
      await page.getByTestId('submit').click()
      await page.locator('.ant-message').getByText(/wrong|invalid|incorrect/i).waitFor()
    })
    await page.getByTestId('password').fill(ADMIN.password)
    await page.getByTestId('submit').click()
    await page.waitForURL('**/dicts') // back where the sign-in was asked for
    await page.getByTestId('menu-login-log').click()
    await page.getByTestId('login-log-page').getByText('Signed in').first().waitFor()
    await page.getByTestId('login-log-page').getByText('Wrong password').first().waitFor()
    await ui.screenshot('login-log')
  })

  await t.test('no console or page errors', () => {
    assert.deepEqual(ui.errors, [])
  })
})
