import { performance } from "node:perf_hooks"
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator/index.ts"

/**
 * An emulator in THIS process (it outlives killed sync children), plus what the emulator itself
 * observed: the service time of every Bill.com request (arrival → last byte written), so the
 * API-bound limit is computed from the latency the run actually saw, not the configured one.
 */
export interface BenchEmulator extends RunningEmulator {
  readonly origin: string
  readonly observed: () => ObservedLatency
  readonly resetObserved: () => void
}

export interface ObservedLatency {
  readonly requests: number
  readonly meanMs: number
  readonly byRoute: Readonly<Record<string, { readonly count: number; readonly meanMs: number }>>
}

const routeOf = (url: string): string => {
  const path = url.split("?")[0] ?? url
  // Collapse ids so per-route figures group (…/bills/00n… → …/bills/:id).
  return path.replace(/\/[0-9a-zA-Z]{20}(?=\/|$)/g, "/:id")
}

export const startBenchEmulator = async (options: EmulatorOptions): Promise<BenchEmulator> => {
  const running = await startEmulator(options)
  let total = 0
  let count = 0
  let routes = new Map<string, { count: number; total: number }>()
  running.server.prependListener("request", (req, res) => {
    const url = req.url ?? "/"
    if (url.startsWith("/__emulator")) return
    const started = performance.now()
    res.once("close", () => {
      const ms = performance.now() - started
      total += ms
      count++
      const key = `${req.method ?? "GET"} ${routeOf(url)}`
      const r = routes.get(key) ?? { count: 0, total: 0 }
      r.count++
      r.total += ms
      routes.set(key, r)
    })
  })
  return {
    ...running,
    origin: running.core.origin,
    observed: () => ({
      requests: count,
      meanMs: count === 0 ? 0 : total / count,
      byRoute: Object.fromEntries([...routes].map(([k, v]) => [k, { count: v.count, meanMs: v.total / v.count }]))
    }),
    resetObserved: () => {
      total = 0
      count = 0
      routes = new Map()
    }
  }
}
