import { createApp } from 'vue'
import { createPinia } from 'pinia'
import { message } from 'ant-design-vue'
import 'ant-design-vue/dist/reset.css'
import './styles/a11y.css'
import App from './App.vue'
import { api } from './api'
import { i18n, loadLocaleMessages, t } from './i18n'
import { router } from './router'
import { errorText } from './utils/errors'

const app = createApp(App)
app.use(createPinia()).use(i18n).use(router)

api.hooks.onError = (e) => {
  void message.error(errorText(e))
}
api.hooks.onSessionLost = () => {
  void message.warning(t('auth.sessionExpired'))
  const here = router.currentRoute.value
  // During the first navigation the router guard redirects by itself.
  if (here.matched.length > 0 && !here.meta.public) {
    void router.push({ name: 'login', query: { redirect: here.fullPath } })
  }
}

// The language's messages (English is built in) before the first render.
void loadLocaleMessages(i18n.global.locale.value)
  .catch(() => {
    i18n.global.locale.value = 'en'
  })
  .then(() => {
    app.mount('#app')
    // Names for the controls ant-design leaves unnamed: not needed for the
    // first render, so loaded after it, outside the pages' bundles.
    void import('./a11y').then((m) => m.nameControls(document.body, () => i18n.global.locale.value))
  })
