import { defineComponent } from 'vue'

// ant-design-vue's Card imports Tabs for its tabList prop, which no card of
// the panel uses (pages with tabs import Tabs themselves): vite.config.ts
// (leaveOut) resolves Card's import here. A card given a tabList fails
// loudly instead of showing no tabs.
function leftOut(): never {
  throw new Error('Card tabList is left out of the build: remove card/ from leaveOut in web/vite.config.ts to use it')
}

const Tabs = defineComponent({ name: 'CardTabsLeftOut', setup: leftOut })
export default Object.assign(Tabs, { TabPane: defineComponent({ name: 'CardTabPaneLeftOut', setup: leftOut }) })
