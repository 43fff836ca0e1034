import { describe, expect, it } from 'vitest'
import { fillDays, niceMax, shares, sum } from '@/utils/charts'
import { cssColor } from '@/utils/colors'
import { countRows, credentialsFile, errorPlace, parseImport } from '@/utils/deviceImport'

describe('chart helpers', () => {
  it('fillDays gives every day of the range, zeros where the API lists none', () => {
    expect(fillDays('2026-02-27', '2026-03-02', [{ day: '2026-03-01', count: 4 }])).toEqual([
      { day: '2026-02-27', count: 0 },
      { day: '2026-02-28', count: 0 },
      { day: '2026-03-01', count: 4 },
      { day: '2026-03-02', count: 0 },
    ])
    expect(fillDays('2026-01-01', '2026-01-30', null)).toHaveLength(30)
  })

  it('niceMax rounds an axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 180, 2001].map(niceMax)).toEqual([1, 1, 5, 10, 10, 20, 200, 5000])
  })

  it('shares sorts, keeps the largest and folds the rest into "other"', () => {
    const out = shares(
      [
        { key: 'a', label: 'A', count: 1, color: '#1' },
        { key: 'b', label: 'B', count: 6, color: '#2' },
        { key: 'c', label: 'C', count: 2, color: '#3' },
        { key: 'd', label: 'D', count: 1, color: '#4' },
      ],
      2,
      { label: 'Other', color: '#ccc' },
    )
    expect(out.map((s) => [s.label, s.count, s.percent])).toEqual([
      ['B', 6, 60],
      ['C', 2, 20],
      ['Other', 2, 20],
    ])
    expect(sum(out)).toBe(10)
  })

  it('cssColor maps dictionary colours (ant-design names) for SVG', () => {
    expect(cssColor('success')).toBe('#52c41a')
    expect(cssColor('processing')).toBe('#1677ff')
    expect(cssColor('#abcdef')).toBe('#abcdef')
    expect(cssColor('')).toBe('#bfbfbf')
    expect(cssColor('no-such-colour', '#000')).toBe('#000')
  })
})

describe('device import', () => {
  it('sends CSV as it is, saying whether it has the header line name,tags', () => {
    expect(parseImport('name,tags\nd1,a;b\n')).toEqual({ csv: 'name,tags\nd1,a;b\n', header: true })
    // Sent as written, blank lines included: the server's line numbers are the user's.
    expect(parseImport('\ufeff\nd1,a;b\nd2')).toEqual({ csv: '\nd1,a;b\nd2', header: false })
    expect(countRows('d1\nd2\n\nd3')).toBe(3)
    expect(countRows('Name,Tags\nd1\nd2')).toBe(2)
  })

  it('places a batch error on its CSV line or JSON entry, once', () => {
    expect(errorPlace('lines[4].name')).toEqual({ line: 4, column: 'name' })
    expect(errorPlace('lines[12].tags')).toEqual({ line: 12, column: 'tags' })
    expect(errorPlace('devices[2].name')).toEqual({ item: 3, column: 'name' })
    expect(errorPlace('devices')).toBeNull()
    expect(errorPlace('lines[x].name')).toBeNull()
  })

  it('reads JSON lists, {devices: [...]} and lists of names', () => {
    expect(parseImport('[{"name":" d1 ","tags":["a"," b "]},{"name":"d2","tags":"x;y"}]')).toEqual({
      devices: [
        { name: 'd1', tags: ['a', 'b'] },
        { name: 'd2', tags: ['x', 'y'] },
      ],
    })
    expect(parseImport('{"devices":[{"name":"d1"}]}')).toEqual({ devices: [{ name: 'd1', tags: [] }] })
    expect(parseImport('["d1","d2"]')).toEqual({ devices: [{ name: 'd1', tags: [] }, { name: 'd2', tags: [] }] })
    expect(() => parseImport('{"devices":')).toThrow()
    expect(() => parseImport('{"x":1}')).toThrow('devices')
    expect(() => parseImport('  ')).toThrow('empty')
  })

  it('writes issued devices as the batch answer, which device-sim reads', () => {
    const d = {
      product: 'thermo',
      name: 'd1',
      secret: 'hsd_x',
      tags: ['a'],
      online: false,
      lastSeenAt: null,
      lastIp: '',
      lastStatus: null,
      firmwareVersion: '',
      createdTime: '',
      updatedTime: '',
      mqtt: { username: 'thermo/d1', clientIdPrefix: 'thermo/d1' },
    }
    const file = JSON.parse(credentialsFile([d]))
    expect(file.count).toBe(1)
    expect(file.devices[0]).toMatchObject({ product: 'thermo', name: 'd1', secret: 'hsd_x' })
  })
})
