import { defineComponent } from 'vue'

// ant-design-vue's Table renders FilterDropdown in the header of a column
// with filters (filters, filterDropdown, onFilter). No table of the panel
// has one, and the dropdown brings a Tree, an Input, checkboxes and radios:
// vite.config.ts (leaveOut) resolves it here. A column with filters fails
// loudly instead of showing no filter.
export default defineComponent({
  name: 'FilterDropdownLeftOut',
  setup() {
    throw new Error('Table column filters are left out of the build: remove FilterDropdown from leaveOut in web/vite.config.ts to use them')
  },
})
