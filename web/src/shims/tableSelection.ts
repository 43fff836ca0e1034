import { computed, type Ref } from 'vue'

// ant-design-vue's Table takes rowSelection through useSelection, which
// brings checkboxes, radios and the tree utilities. No table of the panel
// selects rows: vite.config.ts (leaveOut) resolves the hook here. A table
// given rowSelection fails loudly instead of showing no checkboxes.
export const SELECTION_COLUMN = {}
export const SELECTION_ALL = 'SELECT_ALL'
export const SELECTION_INVERT = 'SELECT_INVERT'
export const SELECTION_NONE = 'SELECT_NONE'

export default function useSelection(rowSelection: Ref<unknown>) {
  const transformColumns = (columns: unknown[]) => {
    if (rowSelection.value) {
      throw new Error('Table rowSelection is left out of the build: remove useSelection from leaveOut in web/vite.config.ts to use it')
    }
    return columns.filter((c) => c !== SELECTION_COLUMN)
  }
  return [transformColumns, computed(() => new Set<unknown>())] as const
}
