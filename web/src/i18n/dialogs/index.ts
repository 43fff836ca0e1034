import { i18n } from '@/i18n'
import en from './en'
import zhCN from './zh-CN'

let installed = false

/**
 * installDialogMessages adds the messages of lazily loaded parts (connect.*,
 * import.*, deleteProject.*) to the panel's i18n. They come with those
 * parts' chunks, not with the pages (the project page is near its size
 * budget); each part calls this before it renders. Safe to call again.
 */
export function installDialogMessages(): void {
  if (installed) return
  installed = true
  i18n.global.mergeLocaleMessage('en', en)
  i18n.global.mergeLocaleMessage('zh-CN', zhCN)
}
