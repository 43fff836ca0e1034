// Shapes of the Hoist API under the panel's names. The shapes themselves
// are generated from the server's OpenAPI document (docs/swagger.json, by
// `make swagger`) into schema.gen.ts by `npm run gen:types`: change the Go
// views and their annotations, not these. What is here: the names, the
// unions the panel iterates over, query parameters (not in the document's
// definitions), and checks that those unions still match the document.
// Times are RFC 3339 strings.
import type * as S from './schema.gen'

export type FieldError = S.FieldError

/** Envelope is every JSON answer: data on success; code and errors on failure. */
export type Envelope<T> = Omit<S.OkEnvelope, 'data'> & { data: T } & Partial<Pick<S.ErrorEnvelope, 'code' | 'errors'>>

export type Page<T> = S.ListView<T>

export interface PageQuery {
  pageNum?: number
  pageSize?: number
  sortKey?: string
  order?: 'ASC' | 'DESC'
}

export type User = S.UserView
export type Role = User['role']
export type ProjectRole = S.MemberView['role']
export type Session = S.SessionView
export type BasicConfig = S.BasicConfigView
/** Where devices connect (GET /api/basic/config, broker). */
export type BrokerInfo = S.BrokerView
export type Captcha = S.CaptchaView
export type LoginAttempt = S.LoginAttemptView
export type ApiToken = S.ApiTokenView
export type CreatedApiToken = S.CreatedAPITokenView

export type Project = S.ProjectView
export type Member = S.MemberView

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

export type Resource = S.ResourceView
export type ResourceOrigin = NonNullable<Resource['origin']>
export type ResourceCreate = S.ResourceCreateRequest
export type ResourcePatch = S.ResourcePatchRequest
/** What CodePush clients reported for a release's label. */
export type CodePushMetrics = S.CodePushMetricsView
export type NativeLatest = S.NativeLatestView
export type UploadedFile = S.FileView
export type UploadCredentials = S.UploadCredentialsView

export type DictItem = S.DictItemView
export type Dict = S.DictView

export type Product = S.ProductView
export type Device = S.DeviceView
/** A device when its secret is made: the only time the secret is shown. */
export type IssuedDevice = S.IssuedDeviceView
/** The batch answer, also what `hoist device-sim -devices FILE` reads. */
export type DeviceBatch = S.DeviceBatchView

export type CommandEncoding = S.CommandView['encoding']
export type CommandInput = S.CommandCreateRequest
export type CommandReply = S.CommandReplyView
export type Command = S.CommandView

/** Every state a device can be in within an OTA campaign (the ota_state dictionary), in its order. */
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

export type CampaignStatus = S.CampaignView['status']
export type CampaignTarget = S.CampaignTargetView
export type Campaign = S.CampaignView
/** One wave of a plan: exactly one of tag, count, percent. */
export type WaveSpec = S.WaveRequest
export type WaveStatus = S.WaveView['status']
export type Wave = S.WaveView
export type CampaignWaves = S.CampaignWavesView
export type CampaignEventKind = S.CampaignEventView['kind']
export type CampaignEvent = S.CampaignEventView
export type CampaignInput = S.CampaignCreateRequest
export type CampaignDevice = S.CampaignDeviceView
export type OtaHistoryEntry = S.HistoryView

export type DayCount = S.DayCountView
export type KeyCount = S.KeyCountView
export type CodeCount = S.CodeCountView
export type Stats = S.StatsView

/** Distinct devices at each step of a release's adoption funnel (HyperLogLog estimates). */
export type FunnelCounts = S.NumbersView
/** One day of a funnel; applied is the devices that ran the release that day. */
export type FunnelDay = S.FunnelDayView
/** GET /v1/resources/{id}/funnel: the range (YYYY-MM-DD) and the days with data. */
export type Funnel = S.FunnelView

/** One stage of a staged rollout: the release goes to percent of devices for at least minMinutes. */
export type RolloutStage = S.StageBody
/** Judged at the end of a stage, in percents of the devices that downloaded the release. */
export type RolloutGates = S.GatesBody
export type RolloutState = S.PlanView['state']
/** What an operator may do to a plan (POST …/rollout-plan/{action}). */
export type RolloutAction = 'pause' | 'resume' | 'advance' | 'abort'
/** A change of a plan: who ("hoist" for the controller, else a user id), why, and the numbers that decided. */
export type RolloutEvent = S.PlanEventView
/** A release's staged rollout and its last 100 changes, newest first. */
export type RolloutPlan = S.PlanView
export type RolloutPlanInput = S.PlanBody

/** The channel every project has. */
export const DEFAULT_CHANNEL = 'production'

export type Channel = S.ChannelView
export type CodePushPlatform = 'android' | 'ios'
/** A device (systemInfo.uuid or deviceId) pinned to a channel. */
export type Pin = S.PinView
/** What a rollback did: the withdrawn release and, for a wgt, the re-published previous one. */
export type Rolled = S.RollbackView

/** GET /v1/projects/{id}/explain's query. */
export interface ExplainQuery {
  platform: 'android' | 'ios'
  nativeVersionCode?: number
  wgtVersionCode?: number
  uuid?: string
  deviceId?: string
  channel?: string
}

export type TraceStep = S.TraceStepView
export type TraceReason = NonNullable<TraceStep['reason']>
export type Explanation = S.ExplainView

// The unions above that the panel spells out must stay what the document says.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Expect<T extends true> = T
/** Compile-time checks only: vue-tsc fails when the document's enums move. */
export type DocumentChecks = [Expect<Same<OtaState, S.CampaignDeviceView['state']>>, Expect<Same<ResourceType, S.ResourceView['type']>>]
