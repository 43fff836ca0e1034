// The real vue-i18n, which the build replaces by src/i18n/lite.ts: the
// tests import it by its file to compare the two.
declare module 'vue-i18n/dist/vue-i18n.mjs' {
  export * from 'vue-i18n'
}
