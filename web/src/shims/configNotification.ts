// ant-design-vue's ConfigProvider imports notification only to pass it the
// text direction (config({ rtl })). The panel is left to right and shows no
// notifications (it uses message): vite.config.ts (leaveOut) resolves that
// import here. A right-to-left provider fails loudly.
export default {
  config(o: { rtl?: boolean }): void {
    if (o.rtl) throw new Error('ConfigProvider direction rtl is left out of the build: remove notification from leaveOut in web/vite.config.ts')
  },
}
