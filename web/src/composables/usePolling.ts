import { getCurrentScope, onScopeDispose, ref, watch, type WatchSource } from 'vue'

export interface PollingOptions {
  /** Milliseconds between the end of one run and the start of the next. */
  interval: number
  /** Poll only while this is true (e.g. while a campaign is active). */
  active?: WatchSource<boolean>
}

/**
 * usePolling runs `run` every `interval` ms while `active` holds, the page
 * is visible and the owning component lives. A run starts only after the
 * previous one settled, so a slow server never gets overlapping requests;
 * a failed run does not stop the polling. Returns `running` and `stop`.
 */
export function usePolling(run: () => Promise<unknown> | unknown, opts: PollingOptions) {
  const running = ref(false)
  let timer: ReturnType<typeof setTimeout> | null = null
  let inFlight = false
  let stopped = false
  let wanted = opts.active === undefined

  const visible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden'

  function clear(): void {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }

  function schedule(): void {
    clear()
    running.value = wanted && !stopped
    if (!running.value || inFlight) return
    timer = setTimeout(tick, opts.interval)
  }

  async function tick(): Promise<void> {
    timer = null
    if (!wanted || stopped) return
    if (!visible()) {
      // Hidden tab: try again later without calling the server.
      schedule()
      return
    }
    inFlight = true
    try {
      await run()
    } catch {
      /* the next run may succeed */
    } finally {
      inFlight = false
    }
    schedule()
  }

  function stop(): void {
    stopped = true
    running.value = false
    clear()
  }

  if (opts.active !== undefined) {
    watch(
      opts.active,
      (on) => {
        wanted = on
        schedule()
      },
      { immediate: true },
    )
  } else {
    schedule()
  }

  if (getCurrentScope()) onScopeDispose(stop)

  return { running, stop }
}
