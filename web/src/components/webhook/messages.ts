import { i18n } from '@/i18n'

// The webhook tab's messages (all but its title, which the project page
// shows): loaded with the tab's code, not with every page.
const en = {
  hint: 'Endpoints that receive this project’s events, each delivery signed with the webhook’s secret (X-Hoist-Signature). Failed deliveries are retried for a day.',
  add: 'Add webhook',
  added: 'Webhook added',
  deleted: 'Webhook deleted',
  deleteConfirm: 'Delete this webhook and its deliveries?',
  none: 'No webhooks',
  url: 'URL',
  urlHint: 'https://…, or http:// to a loopback address. For a chat robot, paste the robot’s webhook address.',
  secret: 'Secret',
  secretRule: '16 to 128 characters',
  secretOnce: 'Keep the secret: it signs every delivery and is not shown again.',
  generate: 'Generate',
  events: 'Events',
  eventsRule: 'Choose at least one event',
  enabled: 'Enabled',
  test: 'Send a test delivery',
  testDisabled: 'Enable the webhook to test it',
  testQueued: 'Test delivery queued',
  deliveries: 'Deliveries',
  deliveriesOf: 'Deliveries to {url}',
  noDeliveries: 'No deliveries yet',
  queuedAt: 'Queued',
  attempts: 'Attempts',
  lastStatus: 'Status',
  nextAttempt: 'Next attempt',
  attemptedAt: 'Time',
  status: 'Status',
  duration: 'Duration',
  response: 'Response',
  data: 'Event data',
  format: { label: 'Format', json: 'JSON', dingtalk: 'DingTalk', feishu: 'Feishu', wecom: 'WeCom', slack: 'Slack' },
  event: {
    label: 'Event',
    release_published: 'Release published',
    rollout_advanced: 'Rollout advanced',
    rollout_halted: 'Rollout halted',
    rollout_completed: 'Rollout completed',
    campaign_wave_started: 'Campaign wave started',
    campaign_paused: 'Campaign paused',
    campaign_finished: 'Campaign finished',
    webhook_test: 'Test',
  },
  state: { label: 'State', pending: 'Pending', succeeded: 'Succeeded', failed: 'Failed' },
}

const zhCN: typeof en = {
  hint: '接收本项目事件的地址，每次投递都用该 Webhook 的密钥签名（X-Hoist-Signature）。失败的投递会在一天内重试。',
  add: '添加 Webhook',
  added: 'Webhook 已添加',
  deleted: 'Webhook 已删除',
  deleteConfirm: '删除此 Webhook 及其投递记录？',
  none: '暂无 Webhook',
  url: '地址',
  urlHint: 'https://…，或指向本机回环地址的 http://。聊天机器人请填入机器人的 Webhook 地址。',
  secret: '密钥',
  secretRule: '16 到 128 个字符',
  secretOnce: '请保存好密钥：它为每次投递签名，之后不再显示。',
  generate: '生成',
  events: '事件',
  eventsRule: '至少选择一个事件',
  enabled: '启用',
  test: '发送测试投递',
  testDisabled: '启用后才能测试',
  testQueued: '测试投递已排队',
  deliveries: '投递记录',
  deliveriesOf: '投递到 {url} 的记录',
  noDeliveries: '暂无投递',
  queuedAt: '排队时间',
  attempts: '尝试次数',
  lastStatus: '状态码',
  nextAttempt: '下次尝试',
  attemptedAt: '时间',
  status: '状态码',
  duration: '耗时',
  response: '响应',
  data: '事件数据',
  format: { label: '格式', json: 'JSON', dingtalk: '钉钉', feishu: '飞书', wecom: '企业微信', slack: 'Slack' },
  event: {
    label: '事件',
    release_published: '版本已发布',
    rollout_advanced: '灰度已推进',
    rollout_halted: '灰度已中止',
    rollout_completed: '灰度已完成',
    campaign_wave_started: '升级批次已开始',
    campaign_paused: '升级任务已暂停',
    campaign_finished: '升级任务已完成',
    webhook_test: '测试',
  },
  state: { label: '状态', pending: '等待中', succeeded: '成功', failed: '失败' },
}

let loaded = false

/** loadWebhookMessages adds the messages above to both languages, once. */
export function loadWebhookMessages(): void {
  if (loaded) return
  loaded = true
  i18n.global.mergeLocaleMessage('en', { webhook: en } as never)
  i18n.global.mergeLocaleMessage('zh-CN', { webhook: zhCN } as never)
}
