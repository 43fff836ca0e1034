// Dictionary colours are ant-design tag colours (preset names and status
// names) or #rrggbb; charts drawn in SVG need the actual colour.
const PRESETS: Record<string, string> = {
  blue: '#1677ff',
  cyan: '#13c2c2',
  geekblue: '#2f54eb',
  green: '#52c41a',
  gold: '#faad14',
  lime: '#a0d911',
  magenta: '#eb2f96',
  orange: '#fa8c16',
  pink: '#eb2f96',
  purple: '#722ed1',
  red: '#f5222d',
  volcano: '#fa541c',
  yellow: '#fadb14',
  // tag status colours
  success: '#52c41a',
  processing: '#1677ff',
  error: '#ff4d4f',
  warning: '#faad14',
  default: '#bfbfbf',
}

/** A palette for series without a dictionary colour. */
export const PALETTE = ['#1677ff', '#52c41a', '#faad14', '#722ed1', '#13c2c2', '#eb2f96', '#fa541c', '#2f54eb', '#a0d911', '#8c8c8c']

/** cssColor turns a dictionary colour into a CSS colour; fallback for none or an unknown name. */
export function cssColor(c: string | undefined | null, fallback = PRESETS.default!): string {
  const v = (c ?? '').trim()
  if (!v) return fallback
  if (/^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(v)) return v
  return PRESETS[v.toLowerCase()] ?? fallback
}
