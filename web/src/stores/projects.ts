import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { projectsApi } from '@/api/projects'
import type { Project } from '@/api/types'

/** Where the project last chosen on the dashboard, stats, products and OTA pages is kept. */
export const CURRENT_PROJECT_KEY = 'hoist.project'

function readCurrent(): string | null {
  try {
    return localStorage.getItem(CURRENT_PROJECT_KEY)
  } catch {
    return null
  }
}

function writeCurrent(id: string | null): void {
  try {
    if (id) localStorage.setItem(CURRENT_PROJECT_KEY, id)
    else localStorage.removeItem(CURRENT_PROJECT_KEY)
  } catch {
    /* no storage */
  }
}

/** The API caps a page at 100: pickers offer the first 100 projects by name. */
const PICKER_SIZE = 100

/**
 * The projects I can see, for the project pickers of the dashboard, the
 * stats, products and OTA pages, and the project each of them works on
 * (remembered across pages and reloads).
 */
export const useProjectStore = defineStore('projects', () => {
  const projects = ref<Project[]>([])
  const total = ref(0)
  const loaded = ref(false)
  const currentId = ref<string | null>(readCurrent())
  let loading: Promise<Project[]> | null = null

  /** load fetches the list once; force fetches it again (concurrent calls share one request). */
  function load(force = false): Promise<Project[]> {
    if (loaded.value && !force && !loading) return Promise.resolve(projects.value)
    loading ??= projectsApi
      .list({ pageSize: PICKER_SIZE, sortKey: 'name', order: 'ASC' })
      .then((page) => {
        projects.value = page.records ?? []
        total.value = page.total
        loaded.value = true
        if (currentId.value && !projects.value.some((p) => p.id === currentId.value)) setCurrent(null)
        return projects.value
      })
      .finally(() => {
        loading = null
      })
    return loading
  }

  function byId(id: string | null | undefined): Project | undefined {
    return id ? projects.value.find((p) => p.id === id) : undefined
  }

  function setCurrent(id: string | null): void {
    currentId.value = id
    writeCurrent(id)
  }

  /**
   * current is the chosen project, else the first one (chosen then), else
   * null when I see no project.
   */
  const current = computed<Project | null>(() => byId(currentId.value) ?? projects.value[0] ?? null)

  const options = computed(() => projects.value.map((p) => ({ value: p.id, label: p.name })))

  function reset(): void {
    projects.value = []
    total.value = 0
    loaded.value = false
  }

  return { projects, total, loaded, currentId, current, options, load, byId, setCurrent, reset }
})
