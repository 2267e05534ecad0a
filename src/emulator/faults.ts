import { unitFromKey } from "./random.ts"

/**
 * Injected faults, deterministic from a seed: the decision for the n-th faultable request depends
 * only on (seed, kind, n), so the same seed and the same request order give the same fault
 * sequence. Login calls get latency only (a client's recovery path must be able to log in).
 */
export type Latency = { readonly fixedMs: number } | { readonly minMs: number; readonly maxMs: number }

export interface FaultConfig {
  readonly seed?: string
  readonly latency?: Latency
  /** Probability of an HTTP 503 BdcError response. */
  readonly serverErrorRate?: number
  /** Probability that a burst of `length` consecutive BDC_1322 responses starts. */
  readonly rateLimitBurst?: { readonly rate: number; readonly length: number }
  /** Probability of destroying the socket before any response. */
  readonly resetRate?: number
  /** Invalidate the caller's session on every K-th authenticated call (answering 401 BDC_1109). */
  readonly invalidateSessionEvery?: number
  /** Probability of a body written in small chunks with a delay between them. */
  readonly slowBody?: { readonly rate: number; readonly chunkDelayMs: number }
  /** Probability of a body cut in half (Content-Length promises more) then a dropped socket. */
  readonly truncateRate?: number
  /** Probability, per record in a list or get response, of one wrong-typed field. */
  readonly malformedRate?: number
  /**
   * An error body that repeats the caller's devKey and sessionId (a misbehaving gateway or a debug
   * build): authenticated calls to `endpoint` ("GET /v3/bills"; every endpoint when absent) answer
   * `status` (default 400) with a BDC_1001 entry quoting both, with probability `rate` (default 1).
   */
  readonly echoSecrets?: { readonly endpoint?: string; readonly status?: number; readonly rate?: number }
  /**
   * Runaway paging: every v3 list page of this collection (e.g. "bills") answers no records and a
   * fresh `nextPage` cursor, forever — a server bug that must not drain the hourly budget.
   */
  readonly runawayPaging?: string
}

export const FAULT_PROFILES: Readonly<Record<string, FaultConfig>> = {
  none: {},
  /** A realistic bad day: a few percent of everything. */
  flaky: {
    latency: { minMs: 5, maxMs: 40 },
    serverErrorRate: 0.03,
    rateLimitBurst: { rate: 0.02, length: 3 },
    resetRate: 0.01,
    invalidateSessionEvery: 150,
    truncateRate: 0.01
  },
  /** Everything at once, often — for drills. */
  chaos: {
    latency: { minMs: 0, maxMs: 60 },
    serverErrorRate: 0.08,
    rateLimitBurst: { rate: 0.05, length: 4 },
    resetRate: 0.03,
    invalidateSessionEvery: 40,
    slowBody: { rate: 0.03, chunkDelayMs: 20 },
    truncateRate: 0.03,
    malformedRate: 0.002
  },
  /** Bill.com-like latency: concurrency becomes the binding limit. */
  slow: { latency: { minMs: 250, maxMs: 600 } },
  /** Frequent BDC_1322 bursts only. */
  "rate-limited": { rateLimitBurst: { rate: 0.1, length: 5 } }
}

export type Decision =
  | { readonly _tag: "reset" }
  | { readonly _tag: "serverError" }
  | { readonly _tag: "rateLimited" }
  | { readonly _tag: "invalidateSession" }
  | { readonly _tag: "pass" }

export class FaultPlan {
  private n = 0
  private authenticated = 0
  private burstLeft = 0
  readonly seed: string

  constructor(
    readonly config: FaultConfig,
    defaultSeed: string
  ) {
    this.seed = config.seed ?? defaultSeed
  }

  private u(kind: string, n: number): number {
    return unitFromKey(`${this.seed}:${kind}:${n}`)
  }

  /** Latency for a request (also applied to logins). */
  latencyMs(n: number): number {
    const l = this.config.latency
    if (l === undefined) return 0
    if ("fixedMs" in l) return l.fixedMs
    return Math.round(l.minMs + this.u("latency", n) * (l.maxMs - l.minMs))
  }

  /** Number the next faultable request. */
  next(): number {
    return this.n++
  }

  decide(n: number, authenticated: boolean): Decision {
    const c = this.config
    if (c.resetRate !== undefined && this.u("reset", n) < c.resetRate) return { _tag: "reset" }
    if (this.burstLeft > 0) {
      this.burstLeft--
      return { _tag: "rateLimited" }
    }
    if (c.rateLimitBurst !== undefined && this.u("burst", n) < c.rateLimitBurst.rate) {
      this.burstLeft = Math.max(0, c.rateLimitBurst.length - 1)
      return { _tag: "rateLimited" }
    }
    if (c.serverErrorRate !== undefined && this.u("5xx", n) < c.serverErrorRate) return { _tag: "serverError" }
    if (authenticated && c.invalidateSessionEvery !== undefined && c.invalidateSessionEvery > 0) {
      this.authenticated++
      if (this.authenticated % c.invalidateSessionEvery === 0) return { _tag: "invalidateSession" }
    }
    return { _tag: "pass" }
  }

  slowBodyDelay(n: number): number | undefined {
    const s = this.config.slowBody
    return s !== undefined && this.u("slow", n) < s.rate ? s.chunkDelayMs : undefined
  }

  truncate(n: number): boolean {
    return this.config.truncateRate !== undefined && this.u("truncate", n) < this.config.truncateRate
  }

  /** Whether request `n` to `endpoint` answers with an error that echoes the caller's secrets. */
  echoSecrets(n: number, endpoint: string): boolean {
    const e = this.config.echoSecrets
    if (e === undefined || (e.endpoint !== undefined && e.endpoint !== endpoint)) return false
    return this.u("echo", n) < (e.rate ?? 1)
  }

  /** Whether record `index` of request `n` is rendered malformed. */
  malformed(n: number, index: number): boolean {
    return this.config.malformedRate !== undefined && this.u(`malformed/${index}`, n) < this.config.malformedRate
  }
}

/** Resolve `--faults PROFILE` or a JSON object. */
export const resolveFaults = (spec: string): FaultConfig => {
  const profile = FAULT_PROFILES[spec]
  if (profile !== undefined) return profile
  if (spec.trim().startsWith("{")) return JSON.parse(spec) as FaultConfig
  throw new Error(
    `unknown fault profile '${spec}' (one of ${Object.keys(FAULT_PROFILES).join(", ")}, or a JSON object)`
  )
}
