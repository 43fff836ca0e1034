import { mergeConfig, defineConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    // vue-i18n's own compiler stays in the tests: i18nCompile.test.ts checks
    // src/i18n/compile.ts against it on every message.
    define: { __INTLIFY_DROP_MESSAGE_COMPILER__: 'false' },
    test: {
      environment: 'happy-dom',
      include: ['tests/unit/**/*.test.ts'],
      restoreMocks: true,
      // Both languages loaded, as the tests switch between them at will.
      setupFiles: ['tests/setup.ts'],
    },
  }),
)
