import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { resourcesApi } from '@/api/resources'
import { statsApi, type StatsRange } from '@/api/stats'
import type { CodeCount, KeyCount, Resource, Stats } from '@/api/types'
import { i18n, t } from '@/i18n'
import { useDictStore } from '@/stores/dicts'
import { fillDays, shares, sum, type Share } from '@/utils/charts'
import { PALETTE } from '@/utils/colors'

const SHOWN = 8
const OTHER_COLOR = '#d9d9d9'
const PLATFORM_COLORS: Record<string, string> = { android: '#52c41a', ios: '#1677ff' }
const RESULT_COLORS: Record<string, string> = { none: '#bfbfbf', wgt: '#52c41a', native: '#1677ff', both: '#722ed1' }

function colored(list: { key: string; label: string; count: number; color?: string }[]) {
  return list.map((x, i) => ({ ...x, color: x.color ?? PALETTE[i % PALETTE.length]! }))
}

/**
 * useStats loads the update-check statistics of a project for a range of
 * days and shapes them for the charts: every day of the range (zeros
 * included), and shares of platforms, results, versions and offers with
 * release names from the project's releases.
 */
export function useStats(projectId: Ref<string | null | undefined>, range: Ref<StatsRange>) {
  const dicts = useDictStore()
  const stats = shallowRef<Stats | null>(null)
  const releases = shallowRef<Resource[]>([])
  const loading = ref(false)
  let seq = 0

  async function load(): Promise<void> {
    const id = projectId.value
    const mine = ++seq
    if (!id) {
      stats.value = null
      releases.value = []
      return
    }
    loading.value = true
    try {
      const [s, r] = await Promise.all([
        statsApi.get(id, range.value),
        // Names for versions and offers: the newest 100 releases.
        resourcesApi.list(id, { pageSize: 100, sortKey: 'createdTime', order: 'DESC' }).catch(() => null),
      ])
      if (mine !== seq) return
      stats.value = s
      releases.value = r?.records ?? []
    } catch {
      if (mine === seq) stats.value = null
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch([projectId, () => ({ ...range.value })], () => void load(), { deep: true, immediate: true })

  const checks = computed(() => (stats.value ? fillDays(stats.value.from, stats.value.to, stats.value.checksPerDay) : []))
  const newDevices = computed(() => (stats.value ? fillDays(stats.value.from, stats.value.to, stats.value.newDevicesPerDay) : []))
  const totalChecks = computed(() => sum(stats.value?.checksPerDay))
  const totalNewDevices = computed(() => sum(stats.value?.newDevicesPerDay))

  const other = () => ({ label: t('stats.other'), color: OTHER_COLOR })
  /** The versionCode of the checks of versions past 500 in a project's day. */
  const OTHER_VERSIONS = -1

  function versionName(code: number, types: number[]): string {
    // The server counts the versions past a project's daily allowance under -1.
    if (code === OTHER_VERSIONS) return t('stats.otherVersions')
    const r = releases.value.find((x) => x.versionCode === code && types.includes(x.type))
    if (r) return `${r.version} (${code})`
    // No hot update has this code: the content the app package shipped with.
    return types.includes(1) ? t('stats.bundled', { code }) : t('stats.code', { code })
  }

  function versions(list: CodeCount[] | null | undefined, types: number[]): Share[] {
    return shares(
      colored((list ?? []).map((v) => ({ key: String(v.versionCode), label: versionName(v.versionCode, types), count: v.count }))),
      SHOWN,
      other(),
    )
  }

  const platforms = computed<Share[]>(() =>
    shares(
      colored((stats.value?.platforms ?? []).map((p: KeyCount) => ({ key: p.key, label: p.key === 'ios' ? 'iOS' : p.key === 'android' ? 'Android' : p.key, count: p.count, color: PLATFORM_COLORS[p.key] }))),
      SHOWN,
      other(),
    ),
  )
  const results = computed<Share[]>(() =>
    shares(
      colored((stats.value?.results ?? []).map((p) => ({ key: p.key, label: resultLabel(p.key), count: p.count, color: RESULT_COLORS[p.key] }))),
      SHOWN,
      other(),
    ),
  )
  const channels = computed<Share[]>(() =>
    shares(colored((stats.value?.channels ?? []).map((c) => ({ key: c.key, label: c.key, count: c.count }))), SHOWN, other()),
  )
  // Devices on each version (distinct devices), checks only from a server without them.
  const wgtVersions = computed(() => versions(stats.value?.wgtVersionDevices ?? stats.value?.wgtVersions, [1, 2]))
  const nativeVersions = computed(() => versions(stats.value?.nativeVersions, [3, 4]))
  const offers = computed<Share[]>(() =>
    shares(
      colored(
        (stats.value?.offers ?? []).map((o) => {
          const r = releases.value.find((x) => x.id === o.key)
          return {
            key: o.key,
            label: r ? `${dicts.label('resource_type', r.type)} ${r.version} (${r.versionCode})` : o.key.slice(0, 8),
            count: o.count,
          }
        }),
      ),
      SHOWN,
      other(),
    ),
  )

  return { stats, loading, load, checks, newDevices, totalChecks, totalNewDevices, platforms, results, channels, wgtVersions, nativeVersions, offers }
}

function resultLabel(key: string): string {
  const k = `stats.resultKeys.${key}`
  return i18n.global.te(k) ? t(k) : key
}
