import type en from './en'

// 简体中文：CodePush 发布（类型 6、7）与部署密钥的文案，随 CodePush 标签页、发布对话框和渠道面板加载。键与 ./en.ts 相同（类型检查保证）。
const zhCN: typeof en = {
  label: '标签',
  range: '二进制版本范围',
  rangeLabel: '目标二进制版本范围',
  rangeHint: '此包可运行的应用二进制版本，npm semver 范围写法：1.2.3、1.x、^1.2.0、~1.2、>=1.0.0 <2.0.0、1.2.3 - 1.4.0、*',
  rangeInvalid: '不是 semver 范围（例如 ^1.2.0 或 1.x）',
  hash: '包哈希',
  mandatory: '强制',
  optional: '可选',
  mandatoryHint: '设备必须安装。跳过多个版本的设备，如果中间有强制版本，之后的版本对它也是强制的。',
  displayVersion: '显示版本',
  displayVersionHint: '可选：留空时为版本范围。标签（v1、v2……）按部署依次分配。',
  description: '说明',
  fileHint: 'react-native bundle 输出目录的 zip 包（如有 .codepushrelease 签名文件，一并打包）。',
  reports: '上报',
  reportsTip: '活跃设备 · 下载 · 安装 · 安装失败（应用上报的数字）',
  active: '活跃',
  downloaded: '已下载',
  installed: '已安装',
  failed: '失败',
  raise: '扩大灰度',
  raiseTitle: '扩大 {release} 的灰度比例',
  raiseHint: 'CodePush 灰度只能扩大：已拿到 {release} 的设备会保留它。到 100% 时部署内所有设备都会拿到，之后才能再发布新版本。',
  raised: '{release} 灰度已扩大到 {percent}%',
  rollbackNoPrevious: '{channel} 中没有更早的已启用版本可回退：请改为禁用 {release}。',
  promoteWhat: '{channel} 部署的设备将以该部署的下一个标签获得 {release}：与 {from} 中相同的包，无需上传。',
  promoteWhatPartial: '{channel} 部署的设备将以该部署的下一个标签获得 {release}，先给其中 {percent}%：与 {from} 中相同的包，无需上传。',
  promoteBlocked: '{channel} 中的 {release} 仍在灰度中：在它到达 100% 或被禁用之前，服务器会拒绝在那里发布新版本。',
  keys: 'CodePush 部署密钥',
  rotate: '轮换',
  rotateTitle: '轮换 {channel} 的 {platform} 部署密钥？',
  rotateWarn: '旧密钥立即失效：使用旧密钥构建的应用检查更新会报错，不再收到更新。请先发布带新密钥的安装包，或只轮换已泄露的密钥。',
  rotated: '{channel} 的 {platform} 部署密钥已更换',
}

export default zhCN
