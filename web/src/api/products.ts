import { api } from './index'
import type * as S from './schema.gen'
import type {
  Command,
  CommandInput,
  Device,
  DeviceBatch,
  IssuedDevice,
  Page,
  PageQuery,
  Product,
} from './types'

export type ProductInput = S.ProductCreateRequest

export interface ProductQuery extends PageQuery {
  projectId?: string
  search?: string
}

export interface DeviceQuery extends PageQuery {
  tag?: string
  online?: boolean
  search?: string
}

const seg = encodeURIComponent
const product = (p: string) => `/v1/products/${seg(p)}`
const device = (p: string, d: string) => `${product(p)}/devices/${seg(d)}`

export const productsApi = {
  list: (q: ProductQuery, silent = false) => api.get<Page<Product>>('/v1/products', { params: q, silent }),
  /** silent: a refresh in the background; its failure is not shown. */
  get: (name: string, silent = false) => api.get<Product>(product(name), { silent }),
  create: (p: ProductInput) => api.post<Product>('/v1/products', p),
  update: (name: string, description: string) => api.patch<Product>(product(name), { description }),
  /** Without force a product that still has devices answers 409. */
  remove: (name: string, force = false) =>
    api.delete(product(name), { params: force ? { force: true } : undefined, silent: !force }),
}

export const devicesApi = {
  /** silent: a refresh in the background; its failure is not shown. */
  list: (p: string, q: DeviceQuery, silent = false) => api.get<Page<Device>>(`${product(p)}/devices`, { params: q, silent }),
  get: (p: string, d: string) => api.get<Device>(device(p, d)),
  create: (p: string, name: string, tags: string[]) => api.post<IssuedDevice>(`${product(p)}/devices`, { name, tags }),
  /**
   * batch registers many devices: JSON {devices:[{name,tags}]} or CSV text
   * with or without the header line name,tags. Field errors name
   * devices[i].name (JSON, i from 0) or lines[n].name (CSV, n its line).
   * silent: the caller shows the errors.
   */
  batch: (p: string, body: { csv: string; header: boolean } | { devices: { name: string; tags: string[] }[] }, silent = false) =>
    'csv' in body
      ? api.post<DeviceBatch>(`${product(p)}/devices/batch`, body.csv, {
          headers: { 'Content-Type': `text/csv; header=${body.header ? 'present' : 'absent'}` },
          timeout: 0,
          silent,
        })
      : api.post<DeviceBatch>(`${product(p)}/devices/batch`, { devices: body.devices }, { timeout: 0, silent }),
  setTags: (p: string, d: string, tags: string[]) => api.patch<Device>(device(p, d), { tags }),
  remove: (p: string, d: string) => api.delete(device(p, d)),
  rotateSecret: (p: string, d: string) => api.post<IssuedDevice>(`${device(p, d)}/secret`),
  command: (p: string, d: string, c: CommandInput) => api.post<Command>(`${device(p, d)}/commands`, c),
  tagCommand: (p: string, tag: string, c: CommandInput) =>
    api.post<Command>(`${product(p)}/tags/${seg(tag)}/commands`, c),
  getCommand: (p: string, d: string, requestId: string, silent = false) =>
    api.get<Command>(`${device(p, d)}/commands/${requestId}`, { silent }),
  getTagCommand: (p: string, tag: string, requestId: string, silent = false) =>
    api.get<Command>(`${product(p)}/tags/${seg(tag)}/commands/${requestId}`, { silent }),
}
