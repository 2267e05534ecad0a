import { Clock, Data, Duration, Effect, Random, Schedule, ScheduleDecision } from "effect"
import type { BillcomError } from "./errors.ts"
import { nextClockHour } from "./limiter.ts"
import type { Retryable } from "./verdict.ts"

/**
 * How long and how often a Bill.com call is re-sent, one named Schedule per retrying verdict
 * (verdict.ts). Each schedule counts only the failures of its own verdict, as attempts 1, 2, …,
 * and outputs a RetryDecision: Retry (re-send after `delay`) or why it gives up — the transport
 * turns that into the final error. The schedules do no I/O beyond the clock and the random jitter,
 * so they are tested with TestClock (test/billcom/retry.test.ts).
 */
export type RetryDecision = Data.TaggedEnum<{
  /** Re-send after `delay`; `attempt` counts this verdict's failures so far. */
  Retry: { readonly attempt: number; readonly delay: Duration.Duration }
  /** This verdict failed `attempt` times: its limit. */
  Exhausted: { readonly attempt: number }
  /** Re-sending would mean waiting `waitMs` (until `resumeAtMs`), longer than a run may wait. */
  WaitTooLong: { readonly waitMs: number; readonly resumeAtMs: number }
  /** Not a verdict that re-sends (a BillcomError: the request cap, a refused re-login, …). */
  Final: {}
}>

export const RetryDecision = Data.taggedEnum<RetryDecision>()

export interface Backoff {
  readonly base: Duration.Duration
  readonly max: Duration.Duration
  readonly factor: number
  /** The share of the delay that is random: 0.5 = "equal jitter", a delay in [d/2, d]. */
  readonly jitter: number
}

/** Backoff for 5xx, timeouts, connection errors: exponential from settings.retry, equal jitter. */
export const TRANSIENT_BACKOFF = { factor: 2, jitter: 0.5 } as const
/** Backoff for BDC_1322 / HTTP 429 (too many in flight): short, since a slot frees within one request's latency. */
export const CONCURRENCY_BACKOFF = {
  base: Duration.millis(250),
  max: Duration.seconds(8),
  factor: 2,
  jitter: 0.5,
  attempts: 12
} as const

/** A call refused for the hourly budget again right after waiting for the next hour is not waited for twice. */
export const MAX_HOURLY_WAITS = 1

/** The backoff before re-sending after the `attempt`-th failure, before jitter: base·factor^(attempt−1), capped. */
export const backoffMillis = (attempt: number, backoff: Backoff): number =>
  Math.min(Duration.toMillis(backoff.max), Duration.toMillis(backoff.base) * backoff.factor ** Math.max(0, attempt - 1))

const jittered = (attempt: number, backoff: Backoff) =>
  Effect.map(Random.next, (u) => {
    const d = backoffMillis(attempt, backoff)
    return Math.round(d * (1 - backoff.jitter) + d * backoff.jitter * u)
  })

/**
 * A schedule that hands each failure, numbered from 1, to `decide`, sleeps the Retry's delay and
 * stops at the first decision that is not a Retry (which `Effect.retryOrElse` hands to its orElse).
 */
const decideEach = <I, R = never>(
  decide: (attempt: number, input: I) => Effect.Effect<RetryDecision, never, R>
): Schedule.Schedule<RetryDecision, I, R> =>
  Schedule.intersect(Schedule.count, Schedule.identity<I>()).pipe(
    Schedule.mapEffect(([n, input]) => decide(n + 1, input)),
    Schedule.addDelay((d) => (d._tag === "Retry" ? d.delay : Duration.zero)),
    Schedule.whileOutput((d) => d._tag === "Retry")
  )

/** Backoff with jitter — or what Retry-After asks for, unless that is longer than `maxWait`. */
const backoffDecision = (
  attempt: number,
  backoff: Backoff,
  retryAfterMs: number | undefined,
  maxWait: Duration.Duration
): Effect.Effect<RetryDecision> =>
  Effect.gen(function* () {
    const computed = yield* jittered(attempt, backoff)
    if (retryAfterMs !== undefined && retryAfterMs > Duration.toMillis(maxWait))
      return RetryDecision.WaitTooLong({
        waitMs: retryAfterMs,
        resumeAtMs: (yield* Clock.currentTimeMillis) + retryAfterMs
      })
    return RetryDecision.Retry({ attempt, delay: Duration.millis(retryAfterMs ?? computed) })
  })

/**
 * RetryTransient (5xx, 408, timeouts, dropped connections, unreadable bodies): `retries` re-sends
 * after an exponential backoff from `baseDelay` capped at `maxDelay` with equal jitter
 * (settings.retry); a Retry-After is honoured instead, unless longer than `maxWait`
 * (settings.hourlyLimitMaxWait).
 */
export const transientSchedule = (options: {
  readonly retries: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
  readonly maxWait: Duration.Duration
}): Schedule.Schedule<RetryDecision, { readonly retryAfterMs: number | undefined }> =>
  decideEach((attempt, input: { readonly retryAfterMs: number | undefined }) =>
    attempt > options.retries
      ? Effect.succeed(RetryDecision.Exhausted({ attempt }))
      : backoffDecision(
          attempt,
          { base: options.baseDelay, max: options.maxDelay, ...TRANSIENT_BACKOFF },
          input.retryAfterMs,
          options.maxWait
        )
  )

/**
 * RetryConcurrency (BDC_1322, HTTP 429): up to CONCURRENCY_BACKOFF.attempts failures in all, a
 * short backoff (250 ms doubling to 8 s, equal jitter) or the Retry-After, unless longer than `maxWait`.
 */
export const concurrencySchedule = (options: {
  readonly maxWait: Duration.Duration
}): Schedule.Schedule<RetryDecision, { readonly retryAfterMs: number | undefined }> =>
  decideEach((attempt, input: { readonly retryAfterMs: number | undefined }) =>
    attempt >= CONCURRENCY_BACKOFF.attempts
      ? Effect.succeed(RetryDecision.Exhausted({ attempt }))
      : backoffDecision(attempt, CONCURRENCY_BACKOFF, input.retryAfterMs, options.maxWait)
  )

/**
 * WaitForHour (BDC_1144): wait for the next clock hour — Bill.com's window — once
 * (MAX_HOURLY_WAITS), and only if it comes within `maxWait` (settings.hourlyLimitMaxWait).
 */
export const rateLimitSchedule = (options: {
  readonly maxWait: Duration.Duration
}): Schedule.Schedule<RetryDecision, unknown> =>
  decideEach((attempt) =>
    attempt > MAX_HOURLY_WAITS
      ? Effect.succeed(RetryDecision.Exhausted({ attempt }))
      : Effect.map(Clock.currentTimeMillis, (now) => {
          const next = nextClockHour(now)
          return next.waitMs > Duration.toMillis(options.maxWait)
            ? RetryDecision.WaitTooLong(next)
            : RetryDecision.Retry({ attempt, delay: Duration.millis(next.waitMs) })
        })
  )

/**
 * Relogin (the session expired): re-send at once, without a limit of its own — the transport has
 * already logged in again, and the cap is the run's, not the call's: the session manager refuses a
 * re-login past reauth.maxPerRun (ReauthCapReached), which ends the call.
 */
export const reloginSchedule: Schedule.Schedule<RetryDecision, unknown> = decideEach((attempt) =>
  Effect.succeed(RetryDecision.Retry({ attempt, delay: Duration.zero }))
)

type PerVerdict<R> = {
  readonly [K in Retryable["_tag"]]: Schedule.Schedule<RetryDecision, Extract<Retryable, { readonly _tag: K }>, R>
}

/**
 * One schedule over every failure of a call, handing each verdict to its own schedule, whose count
 * and backoff go on from where that verdict last left them (a re-login does not restart the
 * transient count). A BillcomError (not a verdict) stops it at once: Final.
 */
export const byVerdict = <R>(
  schedules: PerVerdict<R>
): Schedule.Schedule<RetryDecision, Retryable | BillcomError, R> => {
  type States = { readonly [K in Retryable["_tag"]]: unknown }
  const initial: States = {
    RetryTransient: schedules.RetryTransient.initial,
    RetryConcurrency: schedules.RetryConcurrency.initial,
    WaitForHour: schedules.WaitForHour.initial,
    Relogin: schedules.Relogin.initial
  }
  return Schedule.makeWithState(initial, (now, input: Retryable | BillcomError, states) => {
    if (input._tag === "BillcomError")
      return Effect.succeed([states, RetryDecision.Final(), ScheduleDecision.done] as const)
    const schedule = schedules[input._tag] as Schedule.Schedule<RetryDecision, Retryable, R>
    return Effect.map(
      schedule.step(now, input, states[input._tag]),
      ([state, out, decision]) => [{ ...states, [input._tag]: state }, out, decision] as const
    )
  })
}

/** The transport's policy: each retrying verdict on its named schedule, with the pipeline's limits. */
export const retrySchedule = (settings: {
  readonly retry: {
    readonly retries: number
    readonly baseDelay: Duration.Duration
    readonly maxDelay: Duration.Duration
  }
  readonly hourlyLimitMaxWait: Duration.Duration
}): Schedule.Schedule<RetryDecision, Retryable | BillcomError> =>
  byVerdict({
    RetryTransient: transientSchedule({ ...settings.retry, maxWait: settings.hourlyLimitMaxWait }),
    RetryConcurrency: concurrencySchedule({ maxWait: settings.hourlyLimitMaxWait }),
    WaitForHour: rateLimitSchedule({ maxWait: settings.hourlyLimitMaxWait }),
    Relogin: reloginSchedule
  })
