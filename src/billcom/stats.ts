import { Effect, Ref } from "effect"

/** Counters for the benchmark and the sync summary; `byEndpoint` keys are "METHOD /path/template". */
export interface BillcomStats {
  /** HTTP requests sent (every attempt, logins included). */
  readonly requests: number
  readonly byEndpoint: Readonly<Record<string, number>>
  readonly logins: number
  /** Logins after Bill.com said the session was invalid (counted against reauth.maxPerRun). */
  readonly reauths: number
  /** Logins made proactively after the session idled near its 35-minute expiry. */
  readonly idleRefreshes: number
  /** Re-sent attempts after a retryable failure (5xx, 429, BDC_1322, network, timeout). */
  readonly retries: number
  /** Rate-limit answers seen (BDC_1322, BDC_1144, HTTP 429). */
  readonly rateLimitErrors: number
  readonly timeouts: number
}

export const emptyStats: BillcomStats = {
  requests: 0,
  byEndpoint: {},
  logins: 0,
  reauths: 0,
  idleRefreshes: 0,
  retries: 0,
  rateLimitErrors: 0,
  timeouts: 0
}

export interface StatsRecorder {
  readonly request: (endpoint: string) => Effect.Effect<void>
  readonly bump: (
    key: "logins" | "reauths" | "idleRefreshes" | "retries" | "rateLimitErrors" | "timeouts"
  ) => Effect.Effect<void>
  readonly get: Effect.Effect<BillcomStats>
}

export const makeStats: Effect.Effect<StatsRecorder> = Effect.map(Ref.make(emptyStats), (ref) => ({
  request: (endpoint) =>
    Ref.update(ref, (s) => ({
      ...s,
      requests: s.requests + 1,
      byEndpoint: { ...s.byEndpoint, [endpoint]: (s.byEndpoint[endpoint] ?? 0) + 1 }
    })),
  bump: (key) => Ref.update(ref, (s) => ({ ...s, [key]: s[key] + 1 })),
  get: Ref.get(ref)
}))
