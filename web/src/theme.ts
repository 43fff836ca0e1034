import type { ThemeConfig } from 'ant-design-vue/es/config-provider/context'

/**
 * theme is ant-design's look, adjusted so that text meets WCAG 2.1 AA
 * contrast (4.5:1) on white and on the light backgrounds ant-design pairs
 * with each colour. The defaults do not: blue-6 #1677ff is 4.1:1 under
 * white text and on white, secondary text (black at 45 %) 3.4:1,
 * placeholders 1.8:1, red-5 3.3:1, and tags use the -7 shade of each
 * palette, which for gold, orange, cyan, green, lime and volcano is 2.7 to
 * 4.4:1 on their own background.
 */
export const theme: ThemeConfig = {
  token: {
    borderRadius: 6,
    colorPrimary: '#0958d9', // blue-7: 6.1:1 with white
    colorInfo: '#0958d9',
    colorLink: '#0958d9',
    colorError: '#cf1322', // red-7: 5.6:1 on white (danger buttons, form errors)
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)', // secondary text, descriptions, breadcrumbs: 5.7:1
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.55)', // 4.7:1: a placeholder is often the only visible hint
    // The text shade of preset tag colours (one darker than ant-design's).
    'gold-7': '#874d00',
    'orange-7': '#ad4e00',
    'volcano-7': '#ad2102',
    'cyan-7': '#006d75',
    'green-7': '#237804',
    'lime-7': '#3f6600',
  },
}
