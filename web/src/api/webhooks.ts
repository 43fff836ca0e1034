import { api } from './index'
import type * as S from './schema.gen'
import type { Page, PageQuery } from './types'

/** The event types a webhook may subscribe to (internal/event). */
export const WEBHOOK_EVENTS = [
  'release.published',
  'rollout.advanced',
  'rollout.halted',
  'rollout.completed',
  'campaign.wave_started',
  'campaign.paused',
  'campaign.finished',
] as const

export const WEBHOOK_FORMATS = ['json', 'dingtalk', 'feishu', 'wecom', 'slack'] as const
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number]

/** A webhook as the API shows it: never its secret, only the end of it. */
export type Webhook = S.WebhookView
export type WebhookFields = S.WebhookRequest
export type WebhookAttempt = S.AttemptView
export type WebhookDelivery = S.DeliveryView

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Expect<T extends true> = T
/** Compile-time check only: the formats offered are the document's. */
export type WebhookFormatCheck = Expect<Same<WebhookFormat, Webhook['format']>>

const base = (projectId: string) => `/v1/projects/${projectId}/webhooks`

export const webhooksApi = {
  list: (projectId: string) => api.get<Webhook[]>(base(projectId)),
  create: (projectId: string, f: WebhookFields) => api.post<Webhook>(base(projectId), f),
  update: (projectId: string, id: string, f: WebhookFields) => api.patch<Webhook>(`${base(projectId)}/${id}`, f),
  remove: (projectId: string, id: string) => api.delete(`${base(projectId)}/${id}`),
  /** Queues a webhook.test delivery (409 when the webhook is disabled). */
  test: (projectId: string, id: string) => api.post<WebhookDelivery>(`${base(projectId)}/${id}/test`),
  /** Newest first, each with its attempts. */
  deliveries: (projectId: string, id: string, q: PageQuery) =>
    api.get<Page<WebhookDelivery>>(`${base(projectId)}/${id}/deliveries`, { params: q }),
}

/** randomSecret is a 32-character secret from the browser's CSPRNG. */
export function randomSecret(): string {
  const b = new Uint8Array(16)
  crypto.getRandomValues(b)
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
