import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, ref } from 'vue'
import { usePolling } from '@/composables/usePolling'

describe('usePolling', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs every interval while active, and stops when it turns inactive', async () => {
    const active = ref(true)
    const run = vi.fn(async () => {})
    const scope = effectScope()
    const p = scope.run(() => usePolling(run, { interval: 2000, active }))!
    expect(p.running.value).toBe(true)
    expect(run).not.toHaveBeenCalled() // the first run is one interval away
    await vi.advanceTimersByTimeAsync(2000)
    expect(run).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(2000)
    expect(run).toHaveBeenCalledTimes(2)
    active.value = false
    await nextTick()
    expect(p.running.value).toBe(false)
    await vi.advanceTimersByTimeAsync(10_000)
    expect(run).toHaveBeenCalledTimes(2)
    active.value = true
    await nextTick()
    await vi.advanceTimersByTimeAsync(2000)
    expect(run).toHaveBeenCalledTimes(3)
    scope.stop()
  })

  it('never overlaps runs: the next waits for a slow one to settle', async () => {
    let release!: () => void
    let calls = 0
    const run = vi.fn(() => {
      calls++
      return new Promise<void>((r) => (release = r))
    })
    const scope = effectScope()
    scope.run(() => usePolling(run, { interval: 1000 }))
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toBe(1)
    await vi.advanceTimersByTimeAsync(5000) // still in flight
    expect(calls).toBe(1)
    release()
    await vi.advanceTimersByTimeAsync(999)
    expect(calls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(calls).toBe(2)
    scope.stop()
  })

  it('keeps polling after a failed run, and stops with its component (scope)', async () => {
    const run = vi.fn().mockRejectedValueOnce(new Error('502')).mockResolvedValue(undefined)
    const scope = effectScope()
    scope.run(() => usePolling(run, { interval: 500 }))
    await vi.advanceTimersByTimeAsync(1000)
    expect(run).toHaveBeenCalledTimes(2)
    scope.stop()
    await vi.advanceTimersByTimeAsync(5000)
    expect(run).toHaveBeenCalledTimes(2)
  })

  it('does not call while the page is hidden', async () => {
    const hidden = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden')
    const run = vi.fn(async () => {})
    const scope = effectScope()
    scope.run(() => usePolling(run, { interval: 1000 }))
    await vi.advanceTimersByTimeAsync(5000)
    expect(run).not.toHaveBeenCalled()
    hidden.mockReturnValue('visible')
    await vi.advanceTimersByTimeAsync(1000)
    expect(run).toHaveBeenCalledTimes(1)
    scope.stop()
  })
})
