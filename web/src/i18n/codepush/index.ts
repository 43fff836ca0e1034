import { i18n } from '@/i18n'
import en from './en'
import zhCN from './zh-CN'

let installed = false

/**
 * installCodePushMessages adds the messages of the CodePush releases and
 * deployment keys (codepush.*) to the panel's i18n. They come with the
 * lazy chunks that use them, not with the project page, which is near its
 * size budget; those components call this before they render. Safe to
 * call again.
 */
export function installCodePushMessages(): void {
  if (installed) return
  installed = true
  i18n.global.mergeLocaleMessage('en', { codepush: en })
  i18n.global.mergeLocaleMessage('zh-CN', { codepush: zhCN })
}
