// ant-design-vue renders controls without an accessible name: a Select's
// search input (role combobox) does not take the aria-label given to the
// Select (it lands on the wrapper), a pagination's page-size Select has
// none, and a Progress bar (role progressbar) has none. nameControls names
// them as they appear, so that every control has a name (WCAG 4.1.2).

const PAGE_SIZE: Record<string, string> = { en: 'Page size', 'zh-CN': '每页条数' }
const MARK = 'data-auto-name'

function setName(el: Element, name: string): void {
  if (!name || el.getAttribute('aria-label') === name) return
  el.setAttribute('aria-label', name)
  el.setAttribute(MARK, '')
}

/** unnamed: the elements matching selector with no name of their own (or only one given here). */
function unnamed(root: ParentNode, selector: string): Element[] {
  return [...root.querySelectorAll(selector)].filter(
    (el) =>
      el.hasAttribute(MARK) ||
      (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`))),
  )
}

/** selectName: the Select's own aria-label, "Page size" in a pagination, else its placeholder. */
function selectName(input: Element, locale: string): string {
  const select = input.closest('.ant-select')
  if (!select) return ''
  if (select.closest('.ant-pagination-options')) return PAGE_SIZE[locale] ?? PAGE_SIZE.en!
  return select.getAttribute('aria-label') || select.querySelector('.ant-select-selection-placeholder')?.textContent?.trim() || ''
}

/** progressName: the title of the bar's table column, else the card or form item it is in. */
function progressName(bar: Element): string {
  const cell = bar.closest('td')
  if (cell instanceof HTMLTableCellElement) {
    const heads = cell.closest('.ant-table')?.querySelectorAll('thead > tr > th')
    const head = heads?.[cell.cellIndex]?.textContent?.trim()
    if (head) return head
  }
  const around = bar.closest('.ant-card')?.querySelector('.ant-card-head-title') ?? bar.closest('.ant-form-item')?.querySelector('label')
  return around?.textContent?.trim() ?? ''
}

function nameAll(root: ParentNode, locale: string): void {
  for (const input of unnamed(root, '.ant-select input[role=combobox]')) setName(input, selectName(input, locale))
  for (const bar of unnamed(root, '[role=progressbar]')) setName(bar, progressName(bar))
}

/**
 * nameControls names the unnamed ant-design controls under root now and
 * whenever the DOM changes (once per animation frame at most), in the
 * language locale() returns ("en" or "zh-CN").
 */
export function nameControls(root: HTMLElement, locale: () => string): void {
  let queued = false
  const run = () => {
    queued = false
    nameAll(root, locale())
  }
  new MutationObserver(() => {
    if (queued) return
    queued = true
    requestAnimationFrame(run)
  }).observe(root, { childList: true, subtree: true })
  run()
}
