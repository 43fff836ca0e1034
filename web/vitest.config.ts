import { mergeConfig, defineConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'happy-dom',
      include: ['tests/unit/**/*.test.ts'],
      restoreMocks: true,
      // Both languages loaded, as the tests switch between them at will.
      setupFiles: ['tests/setup.ts'],
    },
  }),
)
