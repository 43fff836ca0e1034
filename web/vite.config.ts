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

export default defineConfig({
  plugins: [vue(), precompress()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    // Messages are compiled by src/i18n/compile.ts: vue-i18n's compiler is left out.
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
  },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/api': hoist,
      '/files': hoist,
    },
  },
})
