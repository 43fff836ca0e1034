// ant-design-vue imports resize-observer-polyfill; every browser the build
// targets has ResizeObserver, so the import resolves here (vite.config.ts).
export default globalThis.ResizeObserver
