import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Redacted, Schema, TestClock, Duration, Ref } from "effect"
import { Pipeline } from "../../src/config/index.ts"
import { makeLimiter } from "../../src/billcom/limiter.ts"
import { settingsFromPipeline } from "../../src/billcom/settings.ts"

const pipeline = (billcom: Record<string, unknown>, sync: Record<string, unknown> = {}) =>
  Schema.decodeUnknownSync(Pipeline)({
    version: 1,
    name: "acme",
    company: "acme",
    billcom: {
      environment: "sandbox",
      organizationId: "00802AAAAAAAAAAAAAAA",
      credentials: { username: "ACME_USER", password: "ACME_PASS" },
      ...billcom
    },
    sync,
    ledger: { apAccount: "2000" }
  })

describe("settingsFromPipeline", () => {
  it.effect("reads the NAMED variables as Redacted, devKey from BILLCOM_DEFAULT_DEV_KEY when none is named", () =>
    Effect.gen(function* () {
      const s = yield* settingsFromPipeline(pipeline({}, { retry: { attempts: 4 } }), {
        ACME_USER: "u",
        ACME_PASS: "p-secret",
        BILLCOM_DEFAULT_DEV_KEY: "dk-secret"
      })
      expect(Redacted.value(s.credentials.devKey)).toBe("dk-secret")
      expect(Redacted.value(s.credentials.password)).toBe("p-secret")
      expect(String(s.credentials.password)).not.toContain("p-secret")
      expect(s.v3BaseUrl).toBe("https://gateway.stage.bill.com/connect")
      expect(s.v2BaseUrl).toBe("https://api-stage.bill.com/api/v2")
      expect(s.retry.retries).toBe(4)
      expect(s.pageSize).toBe(100)
      expect(s.concurrency).toBe(3)
      expect(Duration.toMinutes(s.idleRefresh)).toBe(30)
      expect(s.pipeline).toBe("acme")
    })
  )

  it.effect("a missing variable is an error naming every missing variable, never a value", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        settingsFromPipeline(
          pipeline({ credentials: { devKey: "ACME_KEY", username: "ACME_USER", password: "ACME_PASS" } }),
          { ACME_USER: "user-value", ACME_PASS: "" }
        )
      )
      expect(error.reason).toBe("Config")
      expect(error.message).toContain("ACME_KEY")
      expect(error.message).toContain("ACME_PASS")
      expect(error.message).not.toContain("ACME_USER")
      expect(error.message).not.toContain("user-value")
    })
  )

  it.effect("emulator endpoints: baseUrl override, or the in-process emulator's URLs", () =>
    Effect.gen(function* () {
      const env = { ACME_USER: "u", ACME_PASS: "p", BILLCOM_DEFAULT_DEV_KEY: "k" }
      const external = yield* settingsFromPipeline(
        pipeline({ environment: "emulator", baseUrl: "http://127.0.0.1:4010/connect/" }),
        env
      )
      expect(external.v3BaseUrl).toBe("http://127.0.0.1:4010/connect")
      expect(external.v2BaseUrl).toBe("http://127.0.0.1:4010/api/v2")
      const inProcess = yield* settingsFromPipeline(pipeline({ environment: "emulator" }), env, {
        v3BaseUrl: "http://h/connect",
        v2BaseUrl: "http://h/api/v2"
      })
      expect(inProcess.v3BaseUrl).toBe("http://h/connect")
      const missing = yield* Effect.flip(settingsFromPipeline(pipeline({ environment: "emulator" }), env))
      expect(missing.reason).toBe("Config")
    })
  )
})

describe("limiter", () => {
  it.effect("never more than `concurrency` in flight", () =>
    Effect.gen(function* () {
      const limiter = yield* makeLimiter({
        concurrency: 3,
        requestsPerHour: 1000,
        hourlyLimitMaxWait: Duration.minutes(5)
      })
      const inFlight = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const task = limiter.run(
        Effect.gen(function* () {
          const n = yield* Ref.updateAndGet(inFlight, (x) => x + 1)
          yield* Ref.update(peak, (p) => Math.max(p, n))
          yield* Effect.sleep("10 millis")
          yield* Ref.update(inFlight, (x) => x - 1)
        })
      )
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 10 }, () => task),
          { concurrency: "unbounded" }
        )
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      expect(yield* Ref.get(peak)).toBe(3)
    })
  )

  it.effect("a spent hourly budget waits for the next clock hour when that is within the max wait", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Duration.toMillis("57 minutes"))
      const limiter = yield* makeLimiter({
        concurrency: 3,
        requestsPerHour: 2,
        hourlyLimitMaxWait: Duration.minutes(5)
      })
      yield* limiter.run(Effect.void)
      yield* limiter.run(Effect.void)
      const third = yield* Effect.fork(limiter.run(Effect.succeed("sent")))
      yield* TestClock.adjust("2 minutes")
      expect(third.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 minute")
      expect(yield* Fiber.join(third)).toBe("sent")
      expect(yield* limiter.usedThisHour).toBe(1)
    })
  )

  it.effect("…and fails with 'resumes at HH:00' when the next hour is too far", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Duration.toMillis("13 hours") + Duration.toMillis("20 minutes"))
      const limiter = yield* makeLimiter({
        concurrency: 3,
        requestsPerHour: 1,
        hourlyLimitMaxWait: Duration.minutes(5)
      })
      yield* limiter.run(Effect.void)
      const error = yield* Effect.flip(limiter.run(Effect.void))
      expect(error.message).toBe("hourly request budget of Bill.com exhausted; resumes at 14:00 UTC")
    })
  )
})
