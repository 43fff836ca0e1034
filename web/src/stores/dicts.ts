import { defineStore } from 'pinia'
import { ref } from 'vue'
import { dictsApi } from '@/api/dicts'
import type { Dict, DictItem } from '@/api/types'
import { i18n } from '@/i18n'

/** inEnglish picks the English text in the English UI, the Chinese one otherwise; either falls back to the other. */
function inEnglish(en: string | undefined, zh: string): string {
  return i18n.global.locale.value === 'en' ? en || zh : zh || en || ''
}

export interface DictOption {
  value: string
  label: string
  color: string
}

/**
 * Dictionaries give every enum of the UI its label (in the current
 * language) and colour: resource_type, update_type, resource_status, ...
 * Their own names and descriptions follow the language too.
 */
export const useDictStore = defineStore('dicts', () => {
  const dicts = ref<Dict[]>([])
  const loaded = ref(false)
  let loading: Promise<void> | null = null

  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve()
    loading ??= dictsApi
      .list()
      .then((d) => {
        dicts.value = d
        loaded.value = true
      })
      .finally(() => {
        loading = null
      })
    return loading
  }

  function items(code: string): DictItem[] {
    const d = dicts.value.find((x) => x.code === code)
    return d ? [...d.items].sort((a, b) => a.sort - b.sort) : []
  }

  function labelOf(item: DictItem): string {
    return inEnglish(item.labelEn, item.label)
  }

  /** nameOf is a dictionary's name in the current language (the other when it has none). */
  function nameOf(d: Dict): string {
    return inEnglish(d.nameEn, d.name)
  }

  /** descriptionOf is a dictionary's description in the current language, as nameOf. */
  function descriptionOf(d: Dict): string {
    return inEnglish(d.descriptionEn, d.description)
  }

  function find(code: string, value: string | number): DictItem | undefined {
    return items(code).find((i) => i.value === String(value))
  }

  /** label of a value; the raw value when the dictionary does not name it. */
  function label(code: string, value: string | number): string {
    const it = find(code, value)
    return it ? labelOf(it) : String(value)
  }

  function color(code: string, value: string | number): string {
    return find(code, value)?.color ?? ''
  }

  /** options: the enabled items, for selects. */
  function options(code: string): DictOption[] {
    return items(code)
      .filter((i) => i.enabled)
      .map((i) => ({ value: i.value, label: labelOf(i), color: i.color }))
  }

  function reset(): void {
    dicts.value = []
    loaded.value = false
  }

  return { dicts, loaded, load, items, label, color, options, labelOf, nameOf, descriptionOf, reset }
})
