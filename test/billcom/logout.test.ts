import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Schedule, Stream } from "effect"
import { BillcomClient } from "../../src/billcom/client.ts"
import { Emulator, type EmulatorOptions } from "../../src/emulator/index.ts"
import type { SettingsInput } from "../../src/billcom/settings.ts"
import { clientLayer } from "./support.ts"

/**
 * Sessions are a budget (200 logins an hour per devKey): every run that logged in logs out when
 * it ends — success, failure or interruption — counted over HTTP by the emulator (logins vs logouts).
 */
const ORG = {
  seed: "logout",
  generate: { bills: 150, vendors: 20, customers: 2, items: 2, classifications: 1, banks: 1, cards: 1 }
}

/** `run` inside its own client layer (one command's lifetime), then the emulator's counters after the layer is gone. */
const afterRun = <A, E>(run: Effect.Effect<A, E, BillcomClient>, settings: Partial<SettingsInput> = {}) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator
    const exit = yield* Effect.exit(Effect.provide(run, clientLayer(settings)))
    return { exit, counters: yield* emulator.counters() }
  })

const withEmulator = (options: EmulatorOptions = ORG) => Effect.provide(Emulator.layer(options))

const pullBills = Effect.flatMap(BillcomClient, (c) => Stream.runCollect(c.list("bills"))).pipe(Effect.map(Chunk.size))

describe("logout at the end of every run that logged in", () => {
  it.live("a successful run: one login, one logout, and the session is dead afterwards", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const { exit, counters } = yield* afterRun(pullBills)
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(counters.logins).toBe(1)
      expect(counters.byRoute["POST /v3/logout"]).toBe(1)
      expect(counters.logouts).toBe(1)
      expect(counters.contract?.requestViolations).toBe(0)
      expect(emulator.core.sessions.size).toBe(0)
    }).pipe(withEmulator())
  )

  it.live("a failed run logs out too", () =>
    Effect.gen(function* () {
      const { exit, counters } = yield* afterRun(
        Effect.flatMap(BillcomClient, (c) => Effect.zipRight(pullBills, c.bill("00n02ZZZZZZZZZZZZZZZ")))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(counters.logins).toBe(1)
      expect(counters.logouts).toBe(1)
    }).pipe(withEmulator())
  )

  it.live("an interrupted run logs out too", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const fiber = yield* Effect.fork(afterRun(pullBills))
      // Interrupt once the run is logged in and paging (every request takes 40 ms).
      yield* Effect.repeat(emulator.counters(), {
        schedule: Schedule.spaced("5 millis"),
        until: (c) => (c.byRoute["GET /v3/bills"] ?? 0) >= 1
      })
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      const counters = yield* emulator.counters()
      expect(counters.logins).toBe(1)
      expect(counters.logouts).toBe(1)
    }).pipe(withEmulator({ ...ORG, faults: { latency: { fixedMs: 40 } } }))
  )

  it.live("a re-login after an expired session: only the live session is left to log out", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const { exit, counters } = yield* afterRun(
        Effect.zipRight(Effect.zipRight(pullBills, emulator.expireSessions()), pullBills)
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(counters.logins).toBe(2)
      expect(counters.byRoute["POST /v3/logout"]).toBe(1)
      expect(counters.logouts).toBe(1)
    }).pipe(withEmulator())
  )

  it.live("no login, no logout: a run that never called Bill.com, or whose login was refused", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const idle = yield* afterRun(Effect.void)
      expect(idle.counters.total).toBe(0)
      const refused = yield* afterRun(pullBills, { credentials: { ...emulator.credentials, password: "wrong" } })
      expect(Exit.isFailure(refused.exit)).toBe(true)
      expect(refused.counters.logins).toBe(0)
      expect(refused.counters.byRoute["POST /v3/logout"]).toBeUndefined()
    }).pipe(withEmulator())
  )
})
