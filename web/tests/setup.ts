import { loadLocaleMessages } from '@/i18n'

// The panel loads Chinese on demand; the tests switch languages
// synchronously, so both are loaded before any test runs.
await loadLocaleMessages('zh-CN')
