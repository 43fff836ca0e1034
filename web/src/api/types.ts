// Shapes of the Hoist API (docs/swagger.json). Times are RFC 3339 strings.

export interface FieldError {
  field: string
  message: string
}

export interface Envelope<T> {
  success: boolean
  statusCode: number
  message: string
  data: T
  code?: string
  errors?: FieldError[]
}

export interface Page<T> {
  total: number
  records: T[]
  pageNum: number
  pageSize: number
}

export interface PageQuery {
  pageNum?: number
  pageSize?: number
  sortKey?: string
  order?: 'ASC' | 'DESC'
}

export type Role = 'admin' | 'user'
export type ProjectRole = 'owner' | 'maintainer' | 'viewer'

export interface User {
  id: string
  username: string
  nickname: string
  email: string
  role: Role
  disabled: boolean
  createdTime: string
  updatedTime: string
}

export interface Session {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: string
  user: User
}

export interface BasicConfig {
  registrationOpen: boolean
  captchaEnabled: boolean
  /** No account exists yet: the first to register becomes admin. */
  setupRequired?: boolean
  /** This browser must give the setup code from Hoist's log to register the first account. */
  setupCodeRequired?: boolean
  /** The addresses Hoist listens on (the HTTP, MQTT and MQTT-over-WebSocket listeners). */
  listeners?: { http: string; mqtt?: string; mqttWs?: string }
  version: string
  serviceTime: number
  updateUrlSuffix: string
}

export interface Captcha {
  captchaId: string
  image: string
}

export interface LoginAttempt {
  id: number
  userId: string
  username: string
  ip: string
  userAgent: string
  result: 'success' | 'bad_credentials' | 'disabled'
  createdTime: string
}

export interface ApiToken {
  id: string
  name: string
  prefix: string
  projectId: string
  readOnly: boolean
  expiresAt: string | null
  lastUsedAt: string | null
  createdTime: string
}

export interface CreatedApiToken extends ApiToken {
  token: string
}

export interface Project {
  id: string
  name: string
  description: string
  ownerId: string
  myRole: ProjectRole | ''
  updateUrl: string
  createdTime: string
  updatedTime: string
}

export interface Member {
  userId: string
  username: string
  nickname: string
  role: ProjectRole
  createdTime: string
}

/** Resource types (upushy wire values; 6 and 7 are CodePush bundles). */
export const ResourceType = {
  WgtAndroid: 1,
  WgtIOS: 2,
  Android: 3,
  IOS: 4,
  Firmware: 5,
  CodePushAndroid: 6,
  CodePushIOS: 7,
} as const
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType]

export interface Resource {
  id: string
  projectId: string
  type: ResourceType
  version: string
  versionCode: number
  nativeVersionCode: number
  url: string
  updateType: number
  status: number
  changelog: string
  remark: string
  rolloutPercent: number
  size: number
  md5: string
  sha256: string
  storageKey?: string
  product?: string
  /** The release channel (production unless published elsewhere). */
  channel: string
  /** promoted: copied from originId; rollback: re-publishes originId's file. Absent for a plain publish. */
  origin?: ResourceOrigin
  originId?: string
  /** CodePush releases (types 6, 7): "v" + versionCode, the npm semver range of binaries, the package hash. */
  label?: string
  targetBinaryRange?: string
  packageHash?: string
  createdBy: string
  createdTime: string
  updatedTime: string
}

export type ResourceOrigin = 'promoted' | 'rollback'

export interface ResourceCreate {
  type: ResourceType
  version: string
  versionCode: number
  nativeVersionCode?: number
  storageKey?: string
  url?: string
  updateType: number
  status: number
  changelog: string
  remark: string
  rolloutPercent: number
  product?: string
  /** Default production. */
  channel?: string
  /** CodePush (types 6, 7): required; versionCode 0 takes the deployment's next. */
  targetBinaryRange?: string
}

export type ResourcePatch = Partial<
  Pick<Resource, 'version' | 'changelog' | 'remark' | 'updateType' | 'status' | 'rolloutPercent' | 'targetBinaryRange'>
>

/** What CodePush clients reported for a release's label. */
export interface CodePushMetrics {
  label: string
  active: number
  downloaded: number
  installed: number
  failed: number
}

export interface NativeLatest {
  android: number | null
  ios: number | null
}

export interface UploadedFile {
  key: string
  url: string
  name: string
  size: number
  md5: string
  sha256: string
  kind: 'zip' | 'apk' | 'binary'
  /** The same key under the name the resource takes. */
  storageKey?: string
  /** What the package declares (wgt manifest.json, apk manifest), if anything. */
  version?: string
  versionCode?: number
}

export interface UploadCredentials {
  accessKeyId: string
  accessKeySecret: string
  securityToken: string
  expiration: string
  region: string
  bucket: string
  endpoint: string
  keyPrefix: string
}

export interface DictItem {
  id: string
  label: string
  labelEn: string
  value: string
  color: string
  sort: number
  enabled: boolean
  createdTime?: string
  updatedTime?: string
}

export interface Dict {
  code: string
  name: string
  description: string
  builtin: boolean
  items: DictItem[]
  createdTime?: string
  updatedTime?: string
}

export interface Product {
  name: string
  projectId: string
  description: string
  deviceCount: number
  onlineCount: number
  createdTime: string
  updatedTime: string
}

export interface Device {
  product: string
  name: string
  tags: string[] | null
  online: boolean
  lastSeenAt: string | null
  lastIp: string
  lastStatus: Record<string, unknown> | null
  firmwareVersion: string
  createdTime: string
  updatedTime: string
}

/** A device when its secret is made: the only time the secret is shown. */
export interface IssuedDevice extends Device {
  secret: string
  mqtt: { username: string; clientIdPrefix: string }
}

/** The batch answer, also what `hoist device-sim -devices FILE` reads. */
export interface DeviceBatch {
  count: number
  devices: IssuedDevice[]
}

export type CommandEncoding = 'plain' | 'base64'

export interface CommandInput {
  name: string
  data: string
  encoding: CommandEncoding
  ttlSeconds?: number
}

export interface CommandReply {
  device: string
  payload: string
  payloadEncoding: CommandEncoding
  receivedAt: string
}

export interface Command {
  requestId: string
  product: string
  device?: string
  tag?: string
  name: string
  encoding: CommandEncoding
  data: string
  topic: string
  expiresAt: string
  createdBy: string
  createdTime: string
  replyCount: number
  replies: CommandReply[] | null
}

/** Every state a device can be in within an OTA campaign (the ota_state dictionary). */
export const OTA_STATES = [
  'waiting',
  'sent',
  'accepted',
  'downloading',
  'downloaded',
  'verified',
  'installing',
  'rebooting',
  'succeeded',
  'failed',
  'rejected',
  'skipped',
  'expired',
  'cancelled',
] as const
export type OtaState = (typeof OTA_STATES)[number]

export type CampaignStatus = 'active' | 'paused' | 'completed' | 'cancelled' | 'expired'

export interface CampaignTarget {
  device?: string
  tag?: string
  all?: boolean
}

export interface Campaign {
  id: string
  projectId: string
  product: string
  resourceId: string
  version: string
  target: CampaignTarget
  requestId: string
  status: CampaignStatus
  total: number
  counts: Record<string, number>
  /** Absent for a campaign without waves. */
  waves?: CampaignWaves
  expiresAt: string
  cancelledAt: string | null
  createdBy: string
  createdTime: string
  updatedTime: string
}

/** One wave of a plan: exactly one of tag, count, percent. */
export interface WaveSpec {
  tag?: string
  count?: number
  percent?: number
}

export type WaveStatus = 'waiting' | 'running' | 'done'

export interface Wave extends WaveSpec {
  number: number
  /** The wave of the devices the plan left. */
  rest?: boolean
  size: number
  status: WaveStatus
  /** Succeeded or skipped devices. */
  succeeded: number
  /** Failed, rejected or expired devices. */
  failures: number
  counts: Record<string, number>
}

export interface CampaignWaves {
  current: number
  successThreshold: number
  errorThreshold: number
  waveTimeoutSeconds: number
  waveDeadline: string | null
  pausedAt: string | null
  pauseReason: string
  started: number
  failures: number
  failuresAcked: number
  list: Wave[]
}

export type CampaignEventKind = 'wave_started' | 'paused' | 'resumed' | 'finished'

export interface CampaignEvent {
  id: number
  kind: CampaignEventKind
  wave: number
  /** A user id, or "system". */
  by: string
  reason: string
  data: Record<string, unknown>
  time: string
}

export interface CampaignInput {
  resourceId: string
  product: string
  target: CampaignTarget
  ttlSeconds?: number
  waves?: WaveSpec[]
  successThreshold?: number
  errorThreshold?: number
  waveTimeoutSeconds?: number
}

export interface CampaignDevice {
  device: string
  /** Its wave; absent in a campaign without waves. */
  wave?: number
  state: OtaState
  progress: number
  error: string
  lastReport: Record<string, unknown> | null
  updatedTime: string
}

export interface OtaHistoryEntry {
  id: number
  campaignId: string
  device: string
  state: string
  report: Record<string, unknown> | null
  receivedAt: string
}

export interface DayCount {
  day: string
  count: number
}

export interface KeyCount {
  key: string
  count: number
}

export interface CodeCount {
  versionCode: number
  count: number
}

export interface Stats {
  from: string
  to: string
  checksPerDay: DayCount[] | null
  platforms: KeyCount[] | null
  results: KeyCount[] | null
  wgtVersions: CodeCount[] | null
  /** Distinct devices per reported wgt version code (estimates), most first. */
  wgtVersionDevices?: CodeCount[] | null
  nativeVersions: CodeCount[] | null
  offers: KeyCount[] | null
  newDevicesPerDay: DayCount[] | null
  /** Checks by the channel the device got. */
  channels?: KeyCount[] | null
}

/** Distinct devices at each step of a release's adoption funnel (HyperLogLog estimates). */
export interface FunnelCounts {
  /** The update check offered the release. */
  offered: number
  /** Downloaded it through its link. */
  downloaded: number
  /** A later check reported its versionCode installed. */
  applied: number
  /** Downloaded, then two further checks were still offered it. */
  notApplied: number
}

/** One day of a funnel; applied is the devices that ran the release that day. */
export interface FunnelDay extends FunnelCounts {
  day: string
}

/** GET /v1/resources/{id}/funnel: the range (YYYY-MM-DD) and the days with data. */
export interface Funnel extends FunnelCounts {
  from: string
  to: string
  days: FunnelDay[] | null
}

/** One stage of a staged rollout: the release goes to percent of devices for at least minMinutes. */
export interface RolloutStage {
  percent: number
  minMinutes: number
}

/** Judged at the end of a stage, in percents of the devices that downloaded the release. */
export interface RolloutGates {
  /** Wait until this many devices downloaded it. */
  minDownloaded: number
  /** Halt when fewer applied it (0: no gate). */
  minAppliedPercent: number
  /** Halt when more did not apply it (100: no gate). */
  maxNotAppliedPercent: number
}

export type RolloutState = 'running' | 'paused' | 'halted' | 'completed' | 'aborted'

/** What an operator may do to a plan (POST …/rollout-plan/{action}). */
export type RolloutAction = 'pause' | 'resume' | 'advance' | 'abort'

/** A change of a plan: who ("hoist" for the controller, else a user id), why, and the numbers that decided. */
export interface RolloutEvent {
  at: string
  actor: string
  /** started, advanced, halted, completed, paused, resumed, aborted. */
  action: string
  fromPercent: number
  toPercent: number
  reason: string
  numbers: FunnelCounts
}

/** A release's staged rollout and its last 100 changes, newest first. */
export interface RolloutPlan {
  resourceId: string
  stages: RolloutStage[]
  gates: RolloutGates
  /** The current stage, 1-based. */
  stage: number
  percent: number
  state: RolloutState
  stageStarted: string
  events: RolloutEvent[] | null
}

export interface RolloutPlanInput {
  stages: RolloutStage[]
  gates: RolloutGates
}

/** The channel every project has. */
export const DEFAULT_CHANNEL = 'production'

export interface Channel {
  name: string
  resources: number
  pins: number
  /** The update URL devices of this channel use. */
  updateUrl: string
  /** Absent for production. */
  createdTime?: string
  /** The CodePush deployment keys of the channel, per platform. */
  deploymentKeys?: Partial<Record<CodePushPlatform, string>>
}

export type CodePushPlatform = 'android' | 'ios'

/** A device (systemInfo.uuid or deviceId) pinned to a channel. */
export interface Pin {
  deviceKey: string
  channel: string
  note: string
  createdTime: string
}

/** What a rollback did: the withdrawn release and, for a wgt, the re-published previous one. */
export interface Rolled {
  withdrawn: Resource
  republished: Resource | null
}

export interface ExplainQuery {
  platform: 'android' | 'ios'
  nativeVersionCode?: number
  wgtVersionCode?: number
  uuid?: string
  deviceId?: string
  channel?: string
}

export type TraceReason = 'disabled' | 'other_channel' | 'native_mismatch' | 'not_newer' | 'outside_rollout' | 'superseded'

export interface TraceStep {
  resourceId: string
  type: ResourceType
  version: string
  versionCode: number
  channel: string
  verdict: 'offered' | 'skipped'
  reason?: TraceReason | ''
  /** With outside_rollout: the device's bucket (absent without a device key) and the percent. */
  bucket?: number
  percent?: number
  /** The server's sentence (English). */
  message: string
}

export interface Explanation {
  channel: string
  pinned: boolean
  native: Resource | null
  wgt: Resource | null
  /** What the stock client does with the answer. */
  applies: 'none' | 'wgt' | 'native'
  trace: TraceStep[]
}

/** Where devices connect (GET /api/basic/config, broker). */
export interface BrokerInfo {
  mode: 'embedded' | 'external' | 'rabbitmq' | 'off'
  /** The broker address devices use (mqtt://, mqtts://, ws://, wss://); '' when Hoist cannot tell. */
  url: string
  /** config: mqtt.publicURL; listener: derived from the embedded broker's listener; '': unknown. */
  source: 'config' | 'listener' | ''
  /** A loopback address: only programs on Hoist's own machine can use it. */
  localOnly: boolean
}

// Fields added to interfaces declared above (declaration merging).
export interface BasicConfig {
  broker?: BrokerInfo
}

export interface Dict {
  /** English name and description; '' means use name and description (Chinese). */
  nameEn?: string
  descriptionEn?: string
}
