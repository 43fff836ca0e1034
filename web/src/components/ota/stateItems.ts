import { OTA_STATES } from '@/api/types'
import { useDictStore } from '@/stores/dicts'
import { cssColor } from '@/utils/colors'

export interface StateItem {
  value: string
  label: string
  /** The dictionary colour (an ant-design tag colour) */
  tagColor: string
  /** ...and as CSS, for SVG. */
  color: string
  count: number
}

/**
 * stateItems lists every state of the ota_state dictionary in its order,
 * with its label, colour and count (0 when absent), then any state the
 * counts name that the dictionary lacks. Before the dictionary has loaded,
 * the states of the API in lifecycle order.
 */
export function stateItems(counts: Record<string, number> | null | undefined): StateItem[] {
  const dicts = useDictStore()
  const c = counts ?? {}
  const items = dicts.items('ota_state')
  const values = items.length ? items.map((i) => i.value) : [...OTA_STATES]
  for (const k of Object.keys(c)) if (!values.includes(k)) values.push(k)
  return values.map((v) => {
    const tagColor = dicts.color('ota_state', v)
    return { value: v, label: dicts.label('ota_state', v), tagColor, color: cssColor(tagColor), count: c[v] ?? 0 }
  })
}
