import { i18n } from '@/i18n'
import en from './en'
import zhCN from './zh-CN'

let installed = false

/**
 * installAdoptionMessages adds the messages of the adoption drawer
 * (adoption.*) to the panel's i18n. They come with the drawer's lazy
 * chunk, not with the project page, which is near its size budget; the
 * drawer calls this before it renders. Safe to call again.
 */
export function installAdoptionMessages(): void {
  if (installed) return
  installed = true
  i18n.global.mergeLocaleMessage('en', { adoption: en })
  i18n.global.mergeLocaleMessage('zh-CN', { adoption: zhCN })
}
