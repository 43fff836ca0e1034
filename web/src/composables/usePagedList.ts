import { reactive, ref, shallowRef } from 'vue'
import type { Page, PageQuery } from '@/api/types'

interface TableSorter {
  field?: unknown
  columnKey?: unknown
  order?: 'ascend' | 'descend' | null
}

/**
 * usePagedList loads a paged API list for an ant-design Table: page, page
 * size and sorting map to pageNum, pageSize, sortKey and order.
 */
export function usePagedList<T>(fetch: (q: PageQuery) => Promise<Page<T>>, pageSize = 20) {
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

  /** reload fetches the current page; quiet skips the loading state (for polling). */
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

  return { rows, loading, loaded, query, pagination, reload, first, onTableChange }
}
