import { message } from 'ant-design-vue'
import { t } from '@/i18n'

/** copyText copies text and says so; falls back to a hidden textarea on http. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
    } else {
      const el = document.createElement('textarea')
      el.value = text
      el.setAttribute('readonly', '')
      el.style.position = 'fixed'
      el.style.opacity = '0'
      document.body.appendChild(el)
      el.select()
      const ok = document.execCommand('copy')
      el.remove()
      if (!ok) throw new Error('copy refused')
    }
    void message.success(t('common.copied'))
    return true
  } catch {
    void message.error(t('common.copyFailed'))
    return false
  }
}
