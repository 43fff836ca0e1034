import { ref, watch, type Ref } from 'vue'

/**
 * onceOpened turns true the first time `open` does and stays true: render a
 * modal that is loaded on demand (defineAsyncComponent) with v-if on it, so
 * its code and ant-design parts are fetched on first use, not with the page.
 */
export function onceOpened(open: Ref<boolean>): Ref<boolean> {
  const used = ref(open.value)
  watch(open, (o) => {
    if (o) used.value = true
  })
  return used
}
