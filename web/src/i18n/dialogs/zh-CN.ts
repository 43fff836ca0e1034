import type en from './en'

// 简体中文：按需加载部分的文案（设备如何连接、设备导入的错误、删除项目对话框），随这些部分加载。键与 ./en.ts 相同（类型检查保证）。
const zhCN: typeof en = {
  connect: {
    broker: 'Broker 地址',
    how: '设备通过 MQTT 连接：用户名为 {username}，密码为设备密钥，客户端 ID 为 {username}（或 {username}/ 加后缀）。',
    localOnly: '这是回环地址：只有 Hoist 所在机器上的程序能连接。要让其他机器上的设备连接，请让 Broker 监听所有网卡（mqtt.tcpAddr，例如 0.0.0.0:1883），并把 mqtt.publicURL（HOIST_MQTT_PUBLIC_URL）设为设备能访问的地址。',
    unknown: 'Hoist 无法得知设备连接此 {mode} Broker 所用的地址：设置 mqtt.publicURL（HOIST_MQTT_PUBLIC_URL）后会显示在这里。',
    off: '此服务器未启用 MQTT（mqtt.mode 为 off）：设备无法连接。',
    configured: '由 mqtt.publicURL 设置。',
    examples: '连接示例',
    examplesHint: '示例会上报固件版本（设备列表中显示），并监听发给该设备的命令并回复。',
    placeholders: '请把 {placeholders} 换成设备自己的值。',
    withSecret: '示例中含有该设备的密钥。',
    topics: '设备只能向自己 {product}/{device} 下的 update_status/、update_ota_status/ 和 cmd_resp/ 主题发布，只能订阅 cmd/{product}/{device}/# 以及其标签的 tags/{product}/{tag}/cmd/#。',
    wsOnly: 'mosquitto_pub 和 mosquitto_sub 只支持基于 TCP 的 MQTT，而此地址是 WebSocket 地址。',
    tls: 'Broker 使用 TLS：由系统的 CA 证书验证。',
  },
  import: {
    invalid: '导入有 {n} 处错误，未创建任何设备。',
    line: '第 {line} 行 {column} 列',
    item: '列表中第 {n} 个设备的 {column}',
    more: '……还有 {n} 处',
  },
  deleteProject: {
    intro: '删除 {name} 后无法恢复，并会立即：',
    releases: '删除所有渠道的全部版本及其上传的文件：下载链接失效，该项目的更新检查将返回“项目不存在”；',
    settings: '删除其渠道、固定到渠道的设备、成员和 CodePush 部署密钥；',
    campaigns: '删除其 OTA 任务以及每台设备的进度和历史；',
    stats: '其更新检查统计仍保留在数据库中，但不再显示。',
    products: '设备产品（及其设备）不会随项目删除：仍有产品的项目无法删除。',
    hasProducts: '此项目有 {n} 个设备产品：请先删除它们（其设备会一并删除）。',
    toProducts: '查看其产品',
    force: '该项目仍有版本。仍要删除时，会按上述方式删除这些版本及其文件。',
  },
}

export default zhCN
