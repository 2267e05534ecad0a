import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { BillcomWriter } from "../../src/billcom/writer.ts"
import { BillcomClient } from "../../src/billcom/client.ts"
import { Emulator } from "../../src/emulator/index.ts"
import { clientLayer, snapshotOf } from "./support.ts"

const layer = clientLayer().pipe(
  Layer.provideMerge(Emulator.layer({ seed: "client-writer", generate: { bills: 10, vendors: 5 } }))
)

describe("BillcomWriter (chart of accounts only)", () => {
  it.live("create (201), update (PATCH), archive and restore round-trip through Bill.com's answers", () =>
    Effect.gen(function* () {
      const writer = yield* BillcomWriter
      const emulator = yield* Emulator
      const parent = yield* writer.createChartOfAccount({
        name: "Travel",
        account: { type: "EXPENSE", number: "6100" }
      })
      expect(parent.archived).toBe(false)
      expect(parent.account?.type).toBe("EXPENSE")
      const child = yield* writer.createChartOfAccount({
        name: "Airfare",
        parentId: parent.id,
        description: "flights",
        account: { type: "EXPENSE", number: "6110" }
      })
      expect(child.parentId).toBe(parent.id)
      const renamed = yield* writer.updateChartOfAccount(child.id, { name: "Air travel", account: { number: "6111" } })
      expect(renamed.name).toBe("Air travel")
      expect(renamed.account).toEqual({ type: "EXPENSE", number: "6111" })
      expect((yield* writer.archiveChartOfAccount(child.id)).archived).toBe(true)
      expect((yield* writer.archiveChartOfAccount(child.id)).archived).toBe(true) // idempotent
      expect((yield* writer.restoreChartOfAccount(child.id)).archived).toBe(false)
      const stored = (yield* snapshotOf(emulator, "chart-of-accounts")).get(child.id) as
        | { name: string; archived: boolean }
        | undefined
      expect(stored).toMatchObject({ name: "Air travel", archived: false })
      expect((yield* emulator.counters()).byStatus["201"]).toBe(2)
    }).pipe(Effect.provide(layer))
  )

  it.live("validation failures surface Bill.com's per-field messages, unretried", () =>
    Effect.gen(function* () {
      const writer = yield* BillcomWriter
      const error = yield* Effect.flip(writer.createChartOfAccount({ name: "", account: { type: "NOPE" } }))
      expect(error.reason).toBe("Request")
      expect(error.message).toContain("name: must not be blank")
      expect(error.message).toContain("account.type: must be one of")
      const missing = yield* Effect.flip(writer.archiveChartOfAccount("0ca02ZZZZZZZZZZZZZZZ"))
      expect(missing.reason).toBe("NotFound")
      expect((yield* (yield* BillcomClient).stats()).retries).toBe(0)
    }).pipe(Effect.provide(layer))
  )

  it.live("a create is not re-sent after a 5xx (Bill.com may have applied it); an idempotent PATCH is", () =>
    Effect.gen(function* () {
      const writer = yield* BillcomWriter
      const emulator = yield* Emulator
      const created = yield* writer.createChartOfAccount({ name: "Meals", account: { type: "EXPENSE" } })
      yield* emulator.setFaults({ serverErrorRate: 1 })
      const error = yield* Effect.flip(writer.createChartOfAccount({ name: "Lodging", account: { type: "EXPENSE" } }))
      expect(error.reason).toBe("Server")
      expect(error.advice).toContain("not re-sent automatically")
      expect((yield* emulator.counters()).byRoute["POST /v3/classifications/chart-of-accounts"]).toBe(2)
      const patch = yield* Effect.flip(writer.updateChartOfAccount(created.id, { name: "Meals & entertainment" }))
      expect(patch.reason).toBe("Server")
      expect(
        (yield* emulator.counters()).byRoute["PATCH /v3/classifications/chart-of-accounts/{chartOfAccountId}"]
      ).toBeGreaterThan(1)
    }).pipe(
      Effect.provide(
        clientLayer({ retry: { retries: 2, baseDelay: "1 millis", maxDelay: "1 millis" } }).pipe(
          Layer.provideMerge(Emulator.layer({ seed: "client-writer-2", generate: { bills: 5, vendors: 3 } }))
        )
      )
    )
  )
})
