import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { defineComponent, h, nextTick, ref } from 'vue'
import type { Page, PageQuery } from '@/api/types'
import PagedTable from '@/components/PagedTable.vue'
import { usePagedTable } from '@/composables/usePagedTable'
import { i18n, setLocale } from '@/i18n'

interface Row {
  id: string
  name: string
}

function page(records: Row[], total: number, q: PageQuery): Page<Row> {
  return { records, total, pageNum: q.pageNum ?? 1, pageSize: q.pageSize ?? 20 }
}

const rows = (n: number, from = 0): Row[] => Array.from({ length: n }, (_, i) => ({ id: `r${from + i}`, name: `row ${from + i}` }))

/** deferred is a promise settled from outside. */
function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** host mounts a component that uses usePagedTable and returns what it returned. */
function host<T>(use: () => T): { state: T; unmount: () => void } {
  let state!: T
  const w = mount(
    defineComponent({
      setup() {
        state = use()
        return () => h('div')
      },
    }),
  )
  return { state, unmount: () => w.unmount() }
}

describe('usePagedTable', () => {
  it('loads the first page when mounted and binds rows, loading and pagination for the table', async () => {
    const d = deferred<Page<Row>>()
    const fetch = vi.fn((_q: PageQuery) => d.promise)
    const { state } = host(() => usePagedTable(fetch, { pageSize: 10 }))
    await nextTick()
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]![0]).toEqual({ pageNum: 1, pageSize: 10 })
    expect(state.table.loading).toBe(true)
    expect(state.loaded.value).toBe(false)

    d.resolve(page(rows(10), 25, { pageNum: 1, pageSize: 10 }))
    await flushPromises()
    expect(state.table.loading).toBe(false)
    expect(state.loaded.value).toBe(true)
    expect(state.table.dataSource.map((r) => r.id)).toEqual(rows(10).map((r) => r.id))
    expect(state.table.pagination).toMatchObject({ current: 1, pageSize: 10, total: 25 })
  })

  it('maps the table change (page, size, sort) to the query and loads it', async () => {
    const fetch = vi.fn(async (q: PageQuery) => page(rows(5), 55, q))
    const { state } = host(() => usePagedTable(fetch))
    await flushPromises()

    state.table.onChange({ current: 3, pageSize: 50 }, {}, { columnKey: 'createdTime', order: 'descend' })
    await flushPromises()
    expect(fetch.mock.calls.at(-1)![0]).toEqual({ pageNum: 3, pageSize: 50, sortKey: 'createdTime', order: 'DESC' })
    expect(state.table.pagination).toMatchObject({ current: 3, pageSize: 50 })

    state.table.onChange({ current: 1, pageSize: 50 }, {}, [{ field: 'name', order: 'ascend' }])
    await flushPromises()
    expect(fetch.mock.calls.at(-1)![0]).toEqual({ pageNum: 1, pageSize: 50, sortKey: 'name', order: 'ASC' })

    // Sorting switched off: neither key nor order is sent.
    state.table.onChange({ current: 1, pageSize: 50 }, {}, { columnKey: 'name', order: null })
    await flushPromises()
    expect(fetch.mock.calls.at(-1)![0]).toEqual({ pageNum: 1, pageSize: 50, sortKey: undefined, order: undefined })
  })

  it('keeps the answer to the latest request when an older one arrives after it', async () => {
    const answers: ReturnType<typeof deferred<Page<Row>>>[] = []
    const fetch = vi.fn((_q: PageQuery) => {
      const d = deferred<Page<Row>>()
      answers.push(d)
      return d.promise
    })
    const { state } = host(() => usePagedTable(fetch, { onMount: false }))
    void state.reload()
    void state.reload()
    answers[1]!.resolve(page(rows(2, 100), 2, { pageNum: 1 }))
    await flushPromises()
    answers[0]!.resolve(page(rows(2), 2, { pageNum: 1 }))
    await flushPromises()
    expect(state.rows.value.map((r) => r.id)).toEqual(['r100', 'r101'])
    expect(state.loading.value).toBe(false)
  })

  it('goes back to the last page when the page it was on became empty (its last row deleted)', async () => {
    const fetch = vi.fn(async (q: PageQuery) => (q.pageNum === 3 ? page([], 20, q) : page(rows(10, 10), 20, q)))
    const { state } = host(() => usePagedTable(fetch, { pageSize: 10, onMount: false }))
    state.query.pageNum = 3
    await state.reload()
    expect(fetch.mock.calls.map((c) => c[0].pageNum)).toEqual([3, 2])
    expect(state.table.pagination.current).toBe(2)
    expect(state.rows.value).toHaveLength(10)
  })

  it('loads page 1 again when a filter changes, and not on mount when told', async () => {
    const filter = ref('')
    const fetch = vi.fn(async (q: PageQuery & { search?: string }) => page(rows(1), 1, q))
    const { state } = host(() => usePagedTable((q) => fetch({ ...q, search: filter.value }), { onMount: false, filters: [filter] }))
    await flushPromises()
    expect(fetch).not.toHaveBeenCalled()
    expect(state.loaded.value).toBe(false)

    state.query.pageNum = 4
    filter.value = 'abc'
    await flushPromises()
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch.mock.calls[0]![0]).toMatchObject({ pageNum: 1, search: 'abc' })
  })

  it('keeps the rows it had when a request fails, and stops loading', async () => {
    let fail = false
    const fetch = vi.fn(async (q: PageQuery) => {
      if (fail) throw new Error('network')
      return page(rows(3), 3, q)
    })
    const { state } = host(() => usePagedTable(fetch))
    await flushPromises()
    fail = true
    await state.reload()
    expect(state.rows.value).toHaveLength(3)
    expect(state.loading.value).toBe(false)
    expect(state.loaded.value).toBe(true)
  })

  it('polls quietly: a quiet reload does not show the loading state', async () => {
    const d = deferred<Page<Row>>()
    const fetch = vi.fn((_q: PageQuery) => d.promise)
    const { state } = host(() => usePagedTable(fetch, { onMount: false }))
    void state.reload(true)
    expect(state.loading.value).toBe(false)
    d.resolve(page(rows(1), 1, { pageNum: 1 }))
    await flushPromises()
    expect(state.rows.value).toHaveLength(1)
  })
})

describe('PagedTable', () => {
  beforeEach(() => setLocale('en'))

  function mountTable(fetch: (q: PageQuery) => Promise<Page<Row>>, slots: Record<string, unknown> = {}) {
    return mount(
      defineComponent({
        setup() {
          const list = usePagedTable(fetch)
          const columns = [{ title: 'Name', dataIndex: 'name', key: 'name', sorter: true }]
          return () =>
            h(PagedTable, { list, columns, rowKey: 'id', empty: 'Nothing here yet', 'data-testid': 'the-table' }, slots)
        },
      }),
      { global: { plugins: [i18n] } },
    )
  }

  it('is blank until the first answer, then says the list is empty with the empty slot under it', async () => {
    const d = deferred<Page<Row>>()
    const w = mountTable(() => d.promise, { empty: () => h('button', { 'data-testid': 'create-first' }, 'Create one') })
    await nextTick()
    expect(w.get('[data-testid=the-table]').text()).not.toContain('Nothing here yet')
    d.resolve(page([], 0, { pageNum: 1 }))
    await flushPromises()
    expect(w.get('.ant-empty').text()).toContain('Nothing here yet')
    expect(w.find('[data-testid=create-first]').exists()).toBe(true)
  })

  it('renders the rows through the bodyCell slot and sorts through the header', async () => {
    const fetch = vi.fn(async (q: PageQuery) => page(rows(2), 2, q))
    const w = mountTable(fetch, {
      bodyCell: ({ column, record }: { column: { key: string }; record: Row }) =>
        column.key === 'name' ? h('a', { 'data-testid': 'name-link' }, record.name.toUpperCase()) : undefined,
    })
    await flushPromises()
    expect(w.findAll('[data-testid=name-link]').map((a) => a.text())).toEqual(['ROW 0', 'ROW 1'])
    await w.get('th.ant-table-column-has-sorters').trigger('click')
    await flushPromises()
    expect(fetch.mock.calls.at(-1)![0]).toMatchObject({ pageNum: 1, sortKey: 'name', order: 'ASC' })
  })
})
