import { Clock, Duration, Effect, Ref } from "effect"
import type { BudgetKind, KeyBudget } from "./budget.ts"
import { BillcomError } from "./errors.ts"

/**
 * One limiter per run, shared by every Bill.com request (v3 and v2, every stage, logins, the COA
 * writer): a semaphore of `concurrency` permits held for the whole request including the body
 * read, and an hourly request budget on fixed clock hours — Bill.com's own window (§7).
 */
export interface Limiter {
  /**
   * Take a budget token, then run `effect` holding one permit — and, on a shared budget, one of
   * the key's in-flight slots and a request (a login: and a login) of the key's hour.
   */
  readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>, kind?: BudgetKind) => Effect.Effect<A, E | BillcomError, R>
  /** Bill.com said BDC_1144: its hourly budget is spent whatever we counted (other clients share the devKey). */
  readonly exhaustHour: Effect.Effect<void>
  /** Bill.com refused a login with BDC_1144: the key's logins are spent for this hour (shared budget only). */
  readonly exhaustLogins: Effect.Effect<void>
  /** Wait for the next clock hour when allowed, else fail with the "resumes at HH:00" error. */
  readonly awaitNextHour: Effect.Effect<void, BillcomError>
  readonly usedThisHour: Effect.Effect<number>
}

const HOUR_MS = 3_600_000

/** The next clock hour after `now` (Bill.com's budget window) and how long until it. */
export const nextClockHour = (now: number): { readonly resumeAtMs: number; readonly waitMs: number } => {
  const resumeAtMs = (Math.floor(now / HOUR_MS) + 1) * HOUR_MS
  return { resumeAtMs, waitMs: resumeAtMs - now }
}

const hh = (ms: number) => `${String(new Date(ms).getUTCHours()).padStart(2, "0")}:00 UTC`

export const hourlyBudgetError = (resumeAtMs: number) =>
  new BillcomError({
    reason: "RateLimited",
    code: "BDC_1144",
    message: `hourly request budget of Bill.com exhausted; resumes at ${hh(resumeAtMs)}`,
    advice:
      "Bill.com allows 20,000 requests per developer key per clock hour; re-run the sync after the hour turns, or lower other traffic on this key."
  })

/** Said once per wait for the next hour (the limiter's own count, or Bill.com's BDC_1144). */
export const logHourlyWait = (resumeAtMs: number) =>
  Effect.logWarning("Bill.com hourly request budget spent; waiting for the next clock hour").pipe(
    Effect.annotateLogs({ resumeAt: new Date(resumeAtMs).toISOString() })
  )

export const makeLimiter = (options: {
  readonly concurrency: number
  readonly requestsPerHour: number
  readonly hourlyLimitMaxWait: Duration.Duration
  /** The developer key's budget shared with every other process using it (a Postgres server ledger). */
  readonly shared?: KeyBudget | undefined
}): Effect.Effect<Limiter> =>
  Effect.gen(function* () {
    const semaphore = yield* Effect.makeSemaphore(Math.max(1, options.concurrency))
    const window = yield* Ref.make({ hour: -1, used: 0 })
    const maxWaitMs = Duration.toMillis(options.hourlyLimitMaxWait)
    const shared = options.shared

    const awaitNextHour = Effect.gen(function* () {
      const { resumeAtMs, waitMs } = nextClockHour(yield* Clock.currentTimeMillis)
      if (waitMs > maxWaitMs) return yield* hourlyBudgetError(resumeAtMs)
      yield* logHourlyWait(resumeAtMs)
      yield* Effect.sleep(Duration.millis(waitMs))
    })

    const take: Effect.Effect<void, BillcomError> = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const hour = Math.floor(now / HOUR_MS)
      const granted = yield* Ref.modify(window, (w) => {
        const current = w.hour === hour ? w : { hour, used: 0 }
        return current.used < options.requestsPerHour ? [true, { hour, used: current.used + 1 }] : [false, current]
      })
      if (!granted) {
        yield* awaitNextHour
        return yield* take
      }
    })

    const exhaustHour = Effect.gen(function* () {
      const hour = Math.floor((yield* Clock.currentTimeMillis) / HOUR_MS)
      yield* Ref.set(window, { hour, used: options.requestsPerHour })
      if (shared !== undefined) yield* shared.exhaustHour("request")
    })

    return {
      run: (effect, kind = "request") =>
        Effect.zipRight(take, semaphore.withPermits(1)(shared === undefined ? effect : shared.hold(kind, effect))),
      exhaustHour,
      exhaustLogins: shared === undefined ? Effect.void : shared.exhaustHour("login"),
      awaitNextHour,
      usedThisHour: Effect.gen(function* () {
        const hour = Math.floor((yield* Clock.currentTimeMillis) / HOUR_MS)
        const w = yield* Ref.get(window)
        return w.hour === hour ? w.used : 0
      })
    }
  })
