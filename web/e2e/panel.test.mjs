// End-to-end: the built panel inside a real hoist binary, driven in
// Chromium. Run by `npm run test:e2e` (which builds the panel first).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { openBrowser, resultsDir } from './lib/browser.mjs'
import { buildHoist, startHoist } from './lib/server.mjs'
import { makeZip } from './lib/zip.mjs'

const LIMIT_GZIP_KB = 400
const ADMIN = { username: 'admin', password: 'correct horse battery staple' }

let tmp
let server
let ui

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hoist-e2e-'))
  const bin = await buildHoist(tmp)
  server = await startHoist(bin, join(tmp, 'data'))
  ui = await openBrowser(server.baseURL)
})

after(async () => {
  await ui?.browser.close()
  if (server) {
    const res = await server.stop()
    assert.equal(res.code, 0, `hoist exit after SIGTERM: ${JSON.stringify(res)}`)
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true })
})

const wgt = (size) =>
  makeZip([
    { name: 'manifest.json', data: Buffer.from(JSON.stringify({ name: 'shop', version: { name: '1.0.1', code: 101 } })) },
    { name: 'www/app.js', data: randomBytes(size) },
  ])
const apk = () => makeZip([{ name: 'AndroidManifest.xml', data: randomBytes(256) }, { name: 'classes.dex', data: randomBytes(4096) }])

/** dialog is the open modal with this title. */
const dialog = (title) => ui.page.getByRole('dialog').filter({ has: ui.page.locator('.ant-modal-title', { hasText: title }) })

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

test('panel: register, project, upload with progress, releases, admin pages', async (top) => {
  const { page } = ui
  // Each step saves a screenshot when it fails.
  const t = {
    diagnostic: (m) => top.diagnostic(m),
    test: (name, fn) =>
      top.test(name, async (st) => {
        try {
          await fn(st)
        } catch (e) {
          await ui.screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => {})
          throw e
        }
      }),
  }

  await t.test('first load: the sign-in page, within the bundle budget', async () => {
    const size = await ui.measure('/')
    writeFileSync(join(resultsDir, 'bundle-login.json'), JSON.stringify(size))
    t.diagnostic(`initial route /login: ${size.files} files, ${(size.raw / 1024).toFixed(1)} KiB, ${(size.gzip / 1024).toFixed(1)} KiB gzip`)
    assert.ok(size.gzip / 1024 <= LIMIT_GZIP_KB, `initial bundle ${size.gzip} B gzip`)
    await page.goto('/')
    await page.waitForURL(/\/login$/)
    await page.getByTestId('login-form').waitFor()
    await ui.screenshot('login')
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
    await page.waitForURL('**/projects')
    await page.getByTestId('projects-page').getByText('No projects yet').waitFor()
    await page.getByTestId('menu-users').waitFor() // admin menu
    await ui.screenshot('projects-empty')
  })

  await t.test('create a project; its page shows the update URL with copy and QR', async () => {
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
    await page.getByTestId('update-url-card').getByTestId('qr-button').first().click()
    await page.getByTestId('qr').waitFor()
    await ui.screenshot('project-update-url-qr')
    await page.keyboard.press('Escape')
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
    const file = { name: 'shop-1.0.1.wgt', mimeType: 'application/octet-stream', buffer: wgt(1536 * 1024) }
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
    await d.getByTestId('res-version').fill('1.0.1')
    await d.getByTestId('res-version-code').fill('101')
    await d.getByTestId('res-changelog').fill('Fix the cart')
    await ui.screenshot('resource-form')
    await okIn(title)
    await page.getByText('Release 1.0.1 published').waitFor()
    const row = page.getByTestId('resources-1').locator('tr', { hasText: '1.0.1' })
    await row.waitFor()
    const href = await row.getByTestId('res-download').getAttribute('href')
    assert.ok(href?.startsWith(`${server.baseURL}/files/`), href ?? '')
    const res = await page.request.get(href)
    assert.equal(res.status(), 200)
    assert.equal((await res.body()).length, file.buffer.length)
    await ui.screenshot('resources')
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

  await t.test('disable a release, change its rollout', async () => {
    const row = page.getByTestId('resources-1').locator('tr', { hasText: '1.0.1' })
    await row.getByTestId('res-status-switch').click()
    await page.getByText('Release 1.0.1 disabled').waitFor()
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

  await t.test('a reload stays signed in (refresh token), within the bundle budget', async () => {
    const path = new URL(page.url()).pathname
    const size = await ui.measure(path)
    writeFileSync(join(resultsDir, 'bundle-project.json'), JSON.stringify(size))
    t.diagnostic(`reload of ${path}: ${size.files} files, ${(size.gzip / 1024).toFixed(1)} KiB gzip`)
    assert.ok(size.gzip / 1024 <= LIMIT_GZIP_KB)
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
    await ui.screenshot('members')
  })

  await t.test('dictionary, login log, my account with an API token shown once', async () => {
    await page.getByTestId('menu-dicts').click()
    await page.getByTestId('dicts-page').getByText('update_type').waitFor()
    await page.getByTestId('dicts-page').getByText('更新方式').click()
    await page.getByRole('cell', { name: 'Forced', exact: true }).waitFor()
    await ui.screenshot('dictionary')

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
