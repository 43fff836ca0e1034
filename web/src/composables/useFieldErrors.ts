import { reactive, watch, type WatchSource } from 'vue'
import { ApiError } from '@/api/errors'

export interface FieldBinding {
  validateStatus?: 'error'
  help?: string
}

/**
 * useFieldErrors shows the API's field errors (errors[] of the error
 * envelope) on the form items they name, until the field is edited.
 * `aliases` maps an API field to the form field that shows it.
 */
export function useFieldErrors(model?: Record<string, unknown>, aliases: Record<string, string> = {}) {
  const errors = reactive<Record<string, string>>({})

  function clear(field?: string): void {
    for (const k of Object.keys(errors)) if (!field || k === field) delete errors[k]
  }

  /** apply takes the field errors of err; it reports whether it found any. */
  function apply(err: unknown): boolean {
    clear()
    if (!(err instanceof ApiError)) return false
    const map = err.fieldMap()
    for (const [field, msg] of Object.entries(map)) errors[aliases[field] ?? field] = msg
    return Object.keys(map).length > 0
  }

  function bind(field: string): FieldBinding {
    const msg = errors[field]
    return msg ? { validateStatus: 'error', help: msg } : {}
  }

  if (model) {
    const src: WatchSource<Record<string, unknown>> = () => ({ ...model })
    watch(src, (now, before) => {
      for (const k of Object.keys(now)) if (now[k] !== before[k]) clear(k)
    })
  }

  return { errors, apply, clear, bind }
}
