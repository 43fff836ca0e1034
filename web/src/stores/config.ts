import { defineStore } from 'pinia'
import { ref } from 'vue'
import { authApi } from '@/api/auth'
import type { BasicConfig } from '@/api/types'

/** The public instance configuration (GET /api/basic/config). */
export const useConfigStore = defineStore('config', () => {
  const config = ref<BasicConfig | null>(null)
  let loading: Promise<BasicConfig> | null = null

  function load(): Promise<BasicConfig> {
    if (config.value) return Promise.resolve(config.value)
    loading ??= authApi
      .config()
      .then((c) => (config.value = c))
      .finally(() => {
        loading = null
      })
    return loading
  }

  return { config, load }
})
