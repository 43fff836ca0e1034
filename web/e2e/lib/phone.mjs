// Checks of a page's layout on a narrow screen (a phone): each returns
// what is wrong, '' when nothing is, so that a test lists every problem.

/** overflow says how much wider than the screen the document is. */
export async function overflow(page) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth])
  return scroll > client ? `the document is ${scroll} px wide on a ${client} px screen` : ''
}

/**
 * keyColumn checks the column headed `header` of the table `testid` (its
 * first row's cell, scrolled to vertically, the table not scrolled
 * sideways): at least 40 px wide, inside the screen, its content not cut,
 * and not covered by another element (a fixed column) at its centre.
 */
export async function keyColumn(page, testid, header) {
  return page.evaluate(
    ([testid, header]) => {
      const table = document.querySelector(`[data-testid="${testid}"]`)
      if (!table) return `${testid}: no such table`
      const ths = [...table.querySelectorAll('thead > tr > th')]
      const i = ths.findIndex((th) => th.textContent.trim() === header)
      if (i < 0) return `${testid}: no column ${header} among ${JSON.stringify(ths.map((th) => th.textContent.trim()))}`
      const td = table.querySelector('tbody > tr.ant-table-row')?.children[i]
      if (!td) return `${testid}: no row`
      window.scrollBy(0, td.getBoundingClientRect().top - window.innerHeight / 2)
      const r = td.getBoundingClientRect()
      const screen = document.documentElement.clientWidth
      const where = `${testid} ${header} (${Math.round(r.left)}..${Math.round(r.right)} px)`
      if (r.width < 40) return `${where}: ${Math.round(r.width)} px wide`
      if (r.left < 0 || r.right > screen + 0.5) return `${where}: outside the ${screen} px screen`
      if (td.scrollWidth > td.clientWidth + 1) return `${where}: its content is cut (${td.scrollWidth} px in ${td.clientWidth})`
      const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)
      if (!at || !td.contains(at)) return `${where}: covered by ${at?.outerHTML.slice(0, 80)}`
      return ''
    },
    [testid, header],
  )
}

/**
 * onScreen checks that an element (a dialog, a popover) lies within the
 * screen's width, once it has stopped moving (opening motions zoom or slide).
 */
export async function onScreen(locator, what) {
  await locator.waitFor()
  let box = await locator.boundingBox()
  for (let i = 0; i < 30; i++) {
    await locator.page().waitForTimeout(100)
    const next = await locator.boundingBox()
    if (JSON.stringify(next) === JSON.stringify(box)) break
    box = next
  }
  const screen = await locator.page().evaluate(() => document.documentElement.clientWidth)
  if (!box) return `${what}: not shown`
  if (box.x < 0 || box.x + box.width > screen + 0.5) return `${what}: ${Math.round(box.x)}..${Math.round(box.x + box.width)} px on a ${screen} px screen`
  return ''
}
