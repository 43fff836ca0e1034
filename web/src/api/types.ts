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

/** Resource types (upushy wire values). */
export const ResourceType = {
  WgtAndroid: 1,
  WgtIOS: 2,
  Android: 3,
  IOS: 4,
  Firmware: 5,
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
  createdBy: string
  createdTime: string
  updatedTime: string
}

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
}

export type ResourcePatch = Partial<
  Pick<Resource, 'version' | 'changelog' | 'remark' | 'updateType' | 'status' | 'rolloutPercent'>
>

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
