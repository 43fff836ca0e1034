import { useI18n } from 'vue-i18n'
import { ResourceType, type Resource } from '@/api/types'
import { useDictStore } from '@/stores/dicts'

/**
 * useReleaseTitle names a release so that no other of the project can be
 * meant: its type, its version and version code ("Wgt (Android) 1.1.0
 * (code 110)"; a CodePush bundle by label and version), and its channel
 * when inChannels() says the project has more than one (a promoted release
 * has the same type, version and code in two channels). Every confirmation
 * and message about one release uses it.
 */
export function useReleaseTitle(inChannels: () => boolean = () => false) {
  const { t } = useI18n()
  const dicts = useDictStore()
  return (r: Pick<Resource, 'type' | 'version' | 'versionCode' | 'label' | 'channel'>): string => {
    const type = dicts.label('resource_type', r.type)
    const release = r.label
      ? t('resource.namedCodePush', { type, label: r.label, version: r.version })
      : t('resource.named', { type, version: r.version, code: r.versionCode })
    return r.channel && r.type !== ResourceType.Firmware && inChannels() ? t('resource.namedIn', { release, channel: r.channel }) : release
  }
}
