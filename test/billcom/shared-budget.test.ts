import { layer } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import { expect } from "vitest"
import { BillcomClient } from "../../src/billcom/client.ts"
import type { ResourceName } from "../../src/billcom/resources.ts"
import { Emulator } from "../../src/emulator/index.ts"
import { keyBudgetsLayer } from "../../src/store/key-budget.ts"
import { TestDatabase } from "../support/database.ts"
import { clientLayer, snapshotOf } from "./support.ts"

/**
 * Several runs on one developer key and organisation — `billsync sync` in three terminals, or
 * three workers — each allowed 3 requests in flight. Bill.com allows 3 in all (BDC_1322 beyond):
 * with the key's budget shared through Postgres they never trip it.
 */
const ORG = {
  seed: "shared-budget",
  generate: { bills: 240, vendors: 60, customers: 5, items: 5, classifications: 2, banks: 1, cards: 1 }
}
const LISTS: ReadonlyArray<readonly [ResourceName, string]> = [
  ["vendors", "vendors"],
  ["bills", "bills"],
  ["payments", "payments"],
  ["chart-of-accounts", "chart-of-accounts"]
]

/** One run: its own transport (session, limiter with 3 permits), pulling the lists concurrently. */
const oneRun = Effect.gen(function* () {
  const client = yield* BillcomClient
  const pulled = yield* Effect.all(
    LISTS.map(([name]) => Stream.runCollect(client.list(name)).pipe(Effect.map(Chunk.size))),
    { concurrency: "unbounded" }
  )
  return pulled
}).pipe(Effect.provide(clientLayer({ concurrency: 3, pageSize: 20 })))

const runsAtOnce = (n: number) =>
  Effect.all(
    Array.from({ length: n }, () => oneRun),
    { concurrency: "unbounded" }
  )

const emulator = Emulator.layer({ ...ORG, faults: { latency: { minMs: 4, maxMs: 12 } } })

layer(Layer.mergeAll(emulator, keyBudgetsLayer().pipe(Layer.provideMerge(TestDatabase))), {
  timeout: "180 seconds",
  excludeTestServices: true
})("runs sharing a developer key", (it) => {
  it.effect(
    "three runs on one key + organisation, budget shared in Postgres: 0 BDC_1322, never more than 3 in flight, every record pulled",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const before = yield* emu.counters()
        const runs = yield* runsAtOnce(3)
        const after = yield* emu.counters()
        expect((after.errorsByCode["BDC_1322"] ?? 0) - (before.errorsByCode["BDC_1322"] ?? 0)).toBe(0)
        expect(after.maxInFlight).toBeLessThanOrEqual(3)
        for (const pulled of runs)
          for (let i = 0; i < LISTS.length; i++)
            expect(pulled[i], LISTS[i]![0]).toBe((yield* snapshotOf(emu, LISTS[i]![1])).size)
      })
  )
})

layer(emulator, { timeout: "180 seconds", excludeTestServices: true })(
  "runs sharing a developer key, each with only its own limiter",
  (it) => {
    it.effect("(the failure the shared budget prevents) three runs trip BDC_1322", () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        yield* runsAtOnce(3)
        const after = yield* emu.counters()
        expect(after.errorsByCode["BDC_1322"] ?? 0).toBeGreaterThan(0)
      })
    )
  }
)
