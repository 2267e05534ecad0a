import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Layer, Stream, TestClock } from "effect"
import { BillcomClient } from "../../src/billcom/client.ts"
import { Emulator, type EmulatorOptions } from "../../src/emulator/index.ts"
import { clientLayer, snapshotOf } from "./support.ts"
import type { SettingsInput } from "../../src/billcom/settings.ts"

const ORG = {
  seed: "client-session",
  generate: { bills: 420, vendors: 60, customers: 10, items: 10, classifications: 3, banks: 2, cards: 1 }
}

const withClient = (emulator: EmulatorOptions, settings: Partial<SettingsInput> = {}) =>
  Effect.provide(clientLayer(settings).pipe(Layer.provideMerge(Emulator.layer(emulator))))

const pullIds = (name: "bills" | "vendors" | "payments" | "vendor-credits") =>
  Effect.flatMap(BillcomClient, (c) => Stream.runCollect(c.list(name))).pipe(
    Effect.map((chunk) => Chunk.toReadonlyArray(chunk).map((p) => (p.raw as { id: string }).id))
  )

describe("session", () => {
  it.live("N concurrent first requests share exactly one login", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      yield* Effect.all(
        Array.from({ length: 12 }, () => client.session()),
        { concurrency: "unbounded" }
      )
      const counters = yield* emulator.counters()
      expect(counters.byRoute["POST /v3/login"]).toBe(1)
      expect(counters.logins).toBe(1)
      expect((yield* client.stats()).logins).toBe(1)
    }).pipe(withClient(ORG))
  )

  it.live(
    "sessions invalidated every K calls are recovered (one login per invalidation) and the data is complete",
    () =>
      Effect.gen(function* () {
        const client = yield* BillcomClient
        const emulator = yield* Emulator
        const ids = yield* Effect.all([pullIds("bills"), pullIds("payments"), pullIds("vendors")], { concurrency: 3 })
        expect(new Set(ids[0])).toEqual(new Set((yield* snapshotOf(emulator, "bills")).keys()))
        expect(ids[0].length).toBe(new Set(ids[0]).size)
        expect(new Set(ids[1])).toEqual(new Set((yield* snapshotOf(emulator, "payments")).keys()))
        const counters = yield* emulator.counters()
        const stats = yield* client.stats()
        expect(counters.faults["invalidateSession"]).toBeGreaterThan(3)
        // Concurrent requests that failed with the same old session triggered ONE re-login between them.
        expect(stats.reauths).toBe(counters.faults["invalidateSession"])
        expect(counters.logins).toBe(1 + stats.reauths)
      }).pipe(withClient({ ...ORG, faults: { invalidateSessionEvery: 3 } }, { reauthMaxPerRun: 50 }))
  )

  it.live("past the re-auth cap the run fails with the advised message", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const result = yield* Effect.either(pullIds("bills"))
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left.reason).toBe("ReauthCapReached")
        expect(result.left.message).toContain("automatic re-authentication cap (2 per run) was reached")
        expect(result.left.message).toContain("Re-run the sync")
        expect(result.left.message).toContain("billsync connect test")
      }
      expect((yield* emulator.counters()).logins).toBe(3)
    }).pipe(withClient({ ...ORG, faults: { invalidateSessionEvery: 2 } }, { reauthMaxPerRun: 2 }))
  )

  it.live("bad credentials fail at once, once, with Bill.com's code and the advice — never retried", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      const results = yield* Effect.all(
        Array.from({ length: 5 }, () => Effect.either(client.session())),
        { concurrency: "unbounded" }
      )
      for (const r of results) {
        expect(Either.isLeft(r)).toBe(true)
        if (Either.isLeft(r)) {
          expect(r.left.reason).toBe("Credentials")
          expect(r.left.code).toBe("BDC_1101")
          expect(r.left.message).toContain("User name and/or password do not match")
          expect(r.left.advice).toContain("regenerate the API token")
          expect(r.left.advice).toContain("Sandbox and production keys are not interchangeable")
        }
      }
      expect((yield* emulator.counters()).byRoute["POST /v3/login"]).toBe(1)
      expect((yield* client.stats()).retries).toBe(0)
    }).pipe(
      Effect.provide(
        Layer.unwrapEffect(
          Effect.map(Emulator, (e) => clientLayer({ credentials: { ...e.credentials, password: "wrong" } }))
        ).pipe(Layer.provideMerge(Emulator.layer(ORG)))
      )
    )
  )

  it.live("a wrong devKey fails with BDC_1102", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const error = yield* Effect.flip(client.session())
      expect(error.reason).toBe("Credentials")
      expect(error.code).toBe("BDC_1102")
    }).pipe(
      Effect.provide(
        Layer.unwrapEffect(
          Effect.map(Emulator, (e) => clientLayer({ credentials: { ...e.credentials, devKey: "NOT-A-KEY" } }))
        ).pipe(Layer.provideMerge(Emulator.layer(ORG)))
      )
    )
  )

  it.effect("logs in again before the 35-minute idle expiry, not per request", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      yield* client.session()
      yield* client.session()
      yield* TestClock.adjust("29 minutes")
      yield* client.session()
      expect((yield* client.stats()).logins).toBe(1)
      yield* TestClock.adjust("31 minutes")
      yield* client.session()
      const stats = yield* client.stats()
      expect(stats.logins).toBe(2)
      expect(stats.idleRefreshes).toBe(1)
      expect(stats.reauths).toBe(0)
    }).pipe(withClient(ORG))
  )
})
