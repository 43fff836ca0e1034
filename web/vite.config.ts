import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, URL } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// The panel is built into dist/app, which the Go binary embeds (web/embed.go).
// Only that folder is emptied: dist/.keep stays for the Go build.
// `npm run dev` serves it with the API proxied to a local Hoist (make run).
const hoist = process.env.HOIST_URL ?? 'http://127.0.0.1:3000'

/**
 * precompress writes name.br (brotli, quality 11) and name.gz (gzip, level 9)
 * next to every text file of the build worth compressing; the Go server
 * (internal/httpapi/panel.go) picks one by Accept-Encoding. A variant that
 * does not save at least a tenth is not written.
 */
function precompress(): Plugin {
  const text = /\.(?:js|mjs|css|html|svg|json|txt|map|ico|webmanifest)$/
  let outDir = ''
  return {
    name: 'hoist-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir
    },
    writeBundle: {
      sequential: true,
      order: 'post',
      handler(_options, bundle) {
        for (const name of Object.keys(bundle)) {
          if (!text.test(name)) continue
          const file = join(outDir, name)
          const raw = readFileSync(file)
          if (raw.length < 1024) continue
          const variants = {
            br: brotliCompressSync(raw, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
              },
            }),
            gz: gzipSync(raw, { level: 9 }),
          }
          for (const [ext, data] of Object.entries(variants)) {
            if (data.length <= raw.length * 0.9) writeFileSync(`${file}.${ext}`, data)
          }
        }
      },
    },
  }
}

/**
 * leaveOut resolves parts of ant-design-vue that the panel never uses, but
 * that a component it does use imports anyway, to the stubs in src/shims.
 * Each stub throws when it is reached, so a page that starts using the
 * feature fails in the tests instead of silently missing it.
 */
function leaveOut(): Plugin {
  // importer (a folder of ant-design-vue/es) → resolved module → stub.
  const shims: [string, string, string][] = [
    ['table/', 'table/hooks/useFilter/FilterDropdown.js', 'tableFilterDropdown.ts'],
    ['table/', 'table/hooks/useSelection.js', 'tableSelection.ts'],
    ['config-provider/', 'notification/index.js', 'configNotification.ts'],
    ['card/', 'tabs/index.js', 'cardTabs.ts'],
  ]
  const antd = '/node_modules/ant-design-vue/es/'
  return {
    name: 'hoist-leave-out',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      const from = importer?.split(antd)[1]
      if (!from || !shims.some(([dir]) => from.startsWith(dir))) return null
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true })
      const path = resolved?.id.split(antd)[1]
      const hit = shims.find(([dir, target]) => from.startsWith(dir) && target === path)
      return hit ? fileURLToPath(new URL(`./src/shims/${hit[2]}`, import.meta.url)) : null
    },
  }
}

/**
 * CORE: the modules of the core chunk: the framework, the ant-design parts
 * every page uses, and the signed-in pages' layout with its menu icons.
 */
const CORE = new RegExp(
  String.raw`node_modules[\\/](` +
    String.raw`vue|@vue|vue-router|pinia|vue-types|@ctrl|stylis|@emotion|@babel|dom-align|@ant-design[\\/]colors|throttle-debounce|` +
    String.raw`ant-design-vue[\\/]es[\\/](_util|config-provider|theme|style|locale|locale-provider|vc-util|message|vc-notification|layout|menu|` +
    String.raw`vc-overflow|dropdown|vc-dropdown|vc-trigger|vc-align|tooltip|vc-tooltip|button|space|avatar|popover|empty|card|skeleton|spin|vc-resize-observer)` +
    String.raw`)[\\/]|src[\\/](layouts[\\/]AppLayout|components[\\/]LangSwitch)\.vue`,
)

export default defineConfig({
  plugins: [vue(), precompress(), leaveOut()],
  resolve: {
    alias: [
      { find: '@', replacement: fileURLToPath(new URL('./src', import.meta.url)) },
      // The panel's vue-i18n: the part of its API the panel uses (src/i18n/lite.ts).
      { find: /^vue-i18n$/, replacement: fileURLToPath(new URL('./src/i18n/lite.ts', import.meta.url)) },
      // Every browser the build targets has ResizeObserver.
      { find: /^resize-observer-polyfill$/, replacement: fileURLToPath(new URL('./src/shims/resizeObserver.ts', import.meta.url)) },
    ],
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // One "core" chunk for what every page loads (Vue, the router,
        // i18n, ant-design's base, the layout): cached once, and compressed
        // far better than the dozens of small chunks the automatic split
        // made of it. The rest is split automatically (tables, forms,
        // dialogs, pages). npm run size shows the effect.
        codeSplitting: { groups: [{ name: 'core', test: CORE, priority: 1 }] },
      },
    },
  },
  server: {
    proxy: {
      '/api': hoist,
      '/files': hoist,
    },
  },
})
