import { getCurrentInstance, onMounted, reactive, ref, shallowRef, watch, type WatchSource } from 'vue'
import type { Page, PageQuery } from '@/api/types'

interface TableSorter {
  field?: unknown
  columnKey?: unknown
  order?: 'ascend' | 'descend' | null
}

/** PagedTableOptions says when a paged table loads. */
export interface PagedTableOptions {
  /** Rows per page at first (20). */
  pageSize?: number
  /** Load the first page when the component mounts (true); false: the caller loads it, e.g. when its drawer opens. */
  onMount?: boolean
  /** Load from the first page again whenever one of these changes (the filters kept outside the query). */
  filters?: WatchSource[]
}

/**
 * usePagedTable loads a paged API list for an ant-design Table: page, page
 * size and sorting map to pageNum, pageSize, sortKey and order. `table`
 * holds the Table's bindings (rows, loading, pagination, change), which
 * PagedTable applies; reload fetches the current page again (quiet: without
 * the loading state, for polling), first goes back to page 1. A response to
 * an older request than the last is dropped; a failed one leaves the rows
 * as they were (the API client has shown the error).
 */
export function usePagedTable<T>(fetch: (q: PageQuery) => Promise<Page<T>>, opts: PagedTableOptions = {}) {
  const pageSize = opts.pageSize ?? 20
  const rows = shallowRef<T[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const query = reactive<PageQuery>({ pageNum: 1, pageSize })
  const pagination = reactive({
    current: 1,
    pageSize,
    total: 0,
    showSizeChanger: true,
    pageSizeOptions: ['10', '20', '50', '100'],
    hideOnSinglePage: false,
  })
  let seq = 0

  async function reload(quiet = false): Promise<void> {
    const mine = ++seq
    if (!quiet) loading.value = true
    try {
      const page = await fetch({ ...query })
      if (mine !== seq) return
      rows.value = page.records ?? []
      pagination.total = page.total
      pagination.current = page.pageNum || query.pageNum || 1
      pagination.pageSize = page.pageSize || query.pageSize || pageSize
      // A deleted last row can leave us past the end.
      if (rows.value.length === 0 && page.total > 0 && (query.pageNum ?? 1) > 1) {
        query.pageNum = Math.max(1, Math.ceil(page.total / pagination.pageSize))
        await reload(quiet)
      }
    } catch {
      /* the client already showed the error */
    } finally {
      if (mine === seq) {
        loading.value = false
        loaded.value = true
      }
    }
  }

  function onTableChange(p: { current?: number; pageSize?: number }, _f: unknown, sorter: TableSorter | TableSorter[]): void {
    const s = Array.isArray(sorter) ? sorter[0] : sorter
    query.pageNum = p.current ?? 1
    query.pageSize = p.pageSize ?? pageSize
    const key = s?.order ? String(s.columnKey ?? s.field ?? '') : ''
    query.sortKey = key || undefined
    query.order = s?.order === 'ascend' ? 'ASC' : s?.order === 'descend' ? 'DESC' : undefined
    void reload()
  }

  function first(): Promise<void> {
    query.pageNum = 1
    return reload()
  }

  const table = reactive({ dataSource: rows, loading, pagination, onChange: onTableChange })

  if (opts.filters?.length) watch(opts.filters, () => void first())
  if (opts.onMount !== false && getCurrentInstance()) onMounted(() => void reload())

  return { rows, loading, loaded, query, pagination, table, reload, first, onTableChange }
}

/** PagedTable is what usePagedTable returns. */
export type PagedTable<T> = ReturnType<typeof usePagedTable<T>>
