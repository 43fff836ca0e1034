import { api } from './index'
import type * as S from './schema.gen'
import type { Dict, DictItem } from './types'

export type DictInput = S.DictCreateRequest
export type DictItemInput = S.DictItemRequest

export const dictsApi = {
  list: () => api.get<Dict[]>('/v1/dicts'),
  create: (d: DictInput) => api.post<Dict>('/v1/dicts', d),
  update: (code: string, d: S.DictUpdateRequest) => api.patch<Dict>(`/v1/dicts/${code}`, d),
  remove: (code: string) => api.delete(`/v1/dicts/${code}`),
  createItem: (code: string, i: DictItemInput) => api.post<DictItem>(`/v1/dicts/${code}/items`, i),
  updateItem: (code: string, id: string, i: DictItemInput) =>
    api.patch<DictItem>(`/v1/dicts/${code}/items/${id}`, i),
  removeItem: (code: string, id: string) => api.delete(`/v1/dicts/${code}/items/${id}`),
}
