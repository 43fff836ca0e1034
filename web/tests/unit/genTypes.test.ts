import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generate } from '../../scripts/gen-types.mjs'

const doc = {
  swagger: '2.0',
  definitions: {
    'httpapi.thingView': {
      description: 'ThingView is a thing.',
      type: 'object',
      required: ['id', 'kind', 'seenAt', 'tags', 'counts'],
      properties: {
        id: { type: 'string' },
        kind: { type: 'integer', enum: [1, 2] },
        mode: { type: 'string', enum: ['on', "it's"] },
        seenAt: { type: 'string', 'x-nullable': true },
        tags: { type: 'array', items: { type: 'string' } },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        raw: { type: 'object' },
        owner: { allOf: [{ $ref: '#/definitions/apperr.FieldError' }], 'x-nullable': true },
      },
    },
    'apperr.FieldError': { type: 'object', properties: { field: { type: 'string' } } },
    'httpapi.listView-httpapi_thingView': {
      type: 'object',
      required: ['records'],
      properties: { records: { type: 'array', items: { $ref: '#/definitions/httpapi.thingView' } }, total: { type: 'integer' } },
    },
  },
}

describe('gen-types (scripts/gen-types.mjs)', () => {
  it('maps required, nullable, enums, maps, refs and generic lists', () => {
    const out = generate(doc)
    expect(out).toContain(`/** ThingView is a thing. */
export interface ThingView {
  counts: Record<string, number>
  id: string
  kind: 1 | 2
  mode?: 'on' | 'it\\'s'
  owner?: FieldError | null
  raw?: Record<string, unknown>
  seenAt: string | null
  tags: string[]
}`)
    expect(out).toContain(`export interface ListView<T> {
  records: T[]
  total?: number
}`)
    expect(out.indexOf('interface FieldError')).toBeLessThan(out.indexOf('interface ListView'))
  })

  it('gives the committed file for docs/swagger.json (run from web/, as npm test does)', () => {
    const swagger = JSON.parse(readFileSync(resolve('../docs/swagger.json'), 'utf8'))
    expect(generate(swagger)).toBe(readFileSync(resolve('src/api/schema.gen.ts'), 'utf8'))
  })

  it('refuses what it cannot map', () => {
    expect(() => generate({ openapi: '3.0.0' })).toThrow(/swagger 2.0/)
    expect(() => generate({ swagger: '2.0', definitions: { 'a.x': { type: 'object', properties: { y: { $ref: '#/definitions/a.none' } } } } })).toThrow(/unknown \$ref/)
  })
})
