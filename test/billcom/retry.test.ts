import { describe, expect, it } from "@effect/vitest"
import {
  Clock,
  Duration,
  Effect,
  Fiber,
  ScheduleIntervals,
  Random,
  Ref,
  Schedule,
  ScheduleDecision,
  TestClock
} from "effect"
import { BillcomError } from "../../src/billcom/errors.ts"
import {
  byVerdict,
  concurrencySchedule,
  rateLimitSchedule,
  reloginSchedule,
  type RetryDecision,
  retrySchedule,
  transientSchedule
} from "../../src/billcom/retry.ts"
import { type Retryable, Verdict } from "../../src/billcom/verdict.ts"

/**
 * The named retry schedules, stepped by hand on TestClock's time (no sleeps): what each decides
 * for a run of failures, and the delay it asks for. Jitter is pinned with Random.fixed.
 */
interface Step {
  readonly decision: RetryDecision
  /** The delay before the re-send; undefined when the schedule stops. */
  readonly delayMs: number | undefined
}

const stepAll = <I>(schedule: Schedule.Schedule<RetryDecision, I>, inputs: ReadonlyArray<I>) =>
  Effect.gen(function* () {
    const steps: Array<Step> = []
    let state: unknown = schedule.initial
    for (const input of inputs) {
      const now = yield* Clock.currentTimeMillis
      const [next, decision, d] = yield* schedule.step(now, input, state)
      state = next
      steps.push({
        decision,
        delayMs: ScheduleDecision.isDone(d) ? undefined : ScheduleIntervals.start(d.intervals) - now
      })
      if (ScheduleDecision.isDone(d)) break
    }
    return steps
  })

const problem = { status: 503, parsed: undefined, detail: undefined }
const transient = (retryAfterMs?: number) =>
  Verdict.RetryTransient({ problem, retryAfterMs, reason: "Server" }) as Retryable
const concurrency = (retryAfterMs?: number) => Verdict.RetryConcurrency({ problem, retryAfterMs }) as Retryable
const hour = Verdict.WaitForHour({ problem }) as Retryable
const relogin = Verdict.Relogin({ problem }) as Retryable

const settings = {
  retry: { retries: 3, baseDelay: Duration.millis(500), maxDelay: Duration.seconds(2) },
  hourlyLimitMaxWait: Duration.minutes(5)
}
const transientOnly = transientSchedule({ ...settings.retry, maxWait: settings.hourlyLimitMaxWait })
const tags = (steps: ReadonlyArray<Step>) => steps.map((s) => s.decision._tag)
const delays = (steps: ReadonlyArray<Step>) => steps.map((s) => s.delayMs)
const times = <A>(n: number, a: A) => Array.from({ length: n }, () => a)

describe("transientSchedule", () => {
  it.effect("re-sends `retries` times, doubling from baseDelay up to maxDelay, then Exhausted", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(transientOnly, times(6, { retryAfterMs: undefined }))
      expect(tags(steps)).toEqual(["Retry", "Retry", "Retry", "Exhausted"])
      expect(delays(steps)).toEqual([500, 1000, 2000, undefined])
      expect(steps[3]!.decision).toEqual({ _tag: "Exhausted", attempt: 4 })
    }).pipe(Effect.withRandom(Random.fixed([1])))
  )

  it.effect("equal jitter: the delay is between half and all of the backoff", () =>
    Effect.gen(function* () {
      const low = yield* stepAll(transientOnly, times(3, { retryAfterMs: undefined }))
      expect(delays(low)).toEqual([250, 500, 1000])
    }).pipe(Effect.withRandom(Random.fixed([0])))
  )

  it.effect("retries 0: the first failure is final", () =>
    Effect.gen(function* () {
      const once = transientSchedule({ ...settings.retry, retries: 0, maxWait: settings.hourlyLimitMaxWait })
      expect(tags(yield* stepAll(once, [{ retryAfterMs: undefined }]))).toEqual(["Exhausted"])
    })
  )

  it.effect("Retry-After replaces the backoff; longer than the run may wait, it stops with WaitTooLong", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(transientOnly, [
        { retryAfterMs: 7000 },
        { retryAfterMs: 0 },
        { retryAfterMs: 600_000 }
      ])
      expect(delays(steps)).toEqual([7000, 0, undefined])
      expect(steps[2]!.decision).toEqual({ _tag: "WaitTooLong", waitMs: 600_000, resumeAtMs: 600_000 })
    }).pipe(Effect.withRandom(Random.fixed([1])))
  )

  it.effect("the count decides before Retry-After: the last failure is Exhausted even with a long Retry-After", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(transientOnly, [...times(3, { retryAfterMs: 1 }), { retryAfterMs: 600_000 }])
      expect(tags(steps)).toEqual(["Retry", "Retry", "Retry", "Exhausted"])
    })
  )
})

describe("concurrencySchedule", () => {
  it.effect("250 ms doubling to 8 s, twelve failures in all", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(
        concurrencySchedule({ maxWait: settings.hourlyLimitMaxWait }),
        times(20, { retryAfterMs: undefined })
      )
      expect(delays(steps)).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000, 8000, 8000, 8000, 8000, undefined])
      expect(steps.at(-1)!.decision).toEqual({ _tag: "Exhausted", attempt: 12 })
    }).pipe(Effect.withRandom(Random.fixed([1])))
  )

  it.effect("a 429's Retry-After is honoured, unless longer than the run may wait", () =>
    Effect.gen(function* () {
      const s = concurrencySchedule({ maxWait: Duration.seconds(10) })
      expect(delays(yield* stepAll(s, [{ retryAfterMs: 3000 }]))).toEqual([3000])
      expect(tags(yield* stepAll(s, [{ retryAfterMs: 10_001 }]))).toEqual(["WaitTooLong"])
    })
  )
})

describe("rateLimitSchedule (BDC_1144)", () => {
  it.effect("waits for the next clock hour once; refused again, Exhausted", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 5, 10, 59, 0))
      const steps = yield* stepAll(rateLimitSchedule({ maxWait: Duration.minutes(5) }), times(3, undefined))
      expect(delays(steps)).toEqual([60_000, undefined])
      expect(steps[1]!.decision).toEqual({ _tag: "Exhausted", attempt: 2 })
    })
  )

  it.effect("the next hour farther than the run may wait: WaitTooLong with the hour it resumes at", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 5, 10, 30, 0))
      const steps = yield* stepAll(rateLimitSchedule({ maxWait: Duration.minutes(5) }), [undefined])
      expect(steps[0]!.decision).toEqual({
        _tag: "WaitTooLong",
        waitMs: 30 * 60_000,
        resumeAtMs: Date.UTC(2026, 0, 5, 11, 0, 0)
      })
    })
  )
})

describe("reloginSchedule", () => {
  it.effect("re-sends at once, with no limit of its own (the session manager caps re-logins per run)", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(reloginSchedule, times(50, undefined))
      expect(steps.length).toBe(50)
      expect(new Set(delays(steps))).toEqual(new Set([0]))
      expect(steps.at(-1)!.decision).toEqual({ _tag: "Retry", attempt: 50, delay: Duration.zero })
    })
  )
})

describe("byVerdict / retrySchedule: one schedule per verdict, each counting only its own failures", () => {
  it.effect("a re-login or a concurrency refusal between transient failures does not restart the transient count", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(retrySchedule(settings), [
        transient(),
        relogin,
        concurrency(),
        transient(),
        relogin,
        concurrency(),
        transient(),
        transient()
      ])
      expect(steps.map((s) => [s.decision._tag, s.delayMs])).toEqual([
        ["Retry", 500],
        ["Retry", 0],
        ["Retry", 250],
        ["Retry", 1000],
        ["Retry", 0],
        ["Retry", 500],
        ["Retry", 2000],
        ["Exhausted", undefined]
      ])
    }).pipe(Effect.withRandom(Random.fixed([1])))
  )

  it.effect("a BillcomError (the request cap, a refused re-login) stops it at once: Final", () =>
    Effect.gen(function* () {
      const steps = yield* stepAll(retrySchedule(settings), [
        transient(),
        new BillcomError({ reason: "ReauthCapReached", message: "cap" })
      ])
      expect(tags(steps)).toEqual(["Retry", "Final"])
    })
  )

  it.effect("byVerdict hands each verdict only to its own schedule", () =>
    Effect.gen(function* () {
      const never = Schedule.stop.pipe(Schedule.as<RetryDecision>({ _tag: "Final" }))
      const onlyHour = byVerdict({
        RetryTransient: never,
        RetryConcurrency: never,
        WaitForHour: reloginSchedule,
        Relogin: never
      })
      expect(tags(yield* stepAll(onlyHour, [hour, hour, hour]))).toEqual(["Retry", "Retry", "Retry"])
      expect(tags(yield* stepAll(onlyHour, [hour, relogin]))).toEqual(["Retry", "Final"])
    })
  )
})

describe("Effect.retryOrElse on retrySchedule, in TestClock time", () => {
  it.effect("sleeps each backoff before re-sending, and hands the giving-up decision to orElse", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const failing = Effect.zipRight(
        Ref.update(attempts, (n) => n + 1),
        Effect.fail(transient())
      )
      const fiber = yield* Effect.fork(
        Effect.retryOrElse(failing, retrySchedule(settings), (_, decision) => Effect.succeed(decision))
      )
      yield* TestClock.adjust(Duration.millis(499))
      expect(yield* Ref.get(attempts)).toBe(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(yield* Ref.get(attempts)).toBe(2)
      yield* TestClock.adjust(Duration.millis(1000))
      expect(yield* Ref.get(attempts)).toBe(3)
      yield* TestClock.adjust(Duration.millis(2000))
      expect(yield* Ref.get(attempts)).toBe(4)
      expect(yield* Fiber.join(fiber)).toEqual({ _tag: "Exhausted", attempt: 4 })
    }).pipe(Effect.withRandom(Random.fixed([1])))
  )

  it.effect("BDC_1144 at 10:59:30: the re-send waits until 11:00", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 0, 5, 10, 59, 30))
      const attempts = yield* Ref.make(0)
      const once = Effect.flatMap(
        Ref.updateAndGet(attempts, (n) => n + 1),
        (n) => (n === 1 ? Effect.fail(hour) : Effect.succeed("page"))
      )
      const fiber = yield* Effect.fork(
        Effect.retryOrElse(once, retrySchedule(settings), () => Effect.succeed("gave up"))
      )
      yield* TestClock.adjust(Duration.seconds(29))
      expect(yield* Ref.get(attempts)).toBe(1)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(yield* Fiber.join(fiber)).toBe("page")
      expect(yield* Clock.currentTimeMillis).toBe(Date.UTC(2026, 0, 5, 11, 0, 0))
    })
  )
})
