import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync } from "../../src/sync/runner.ts"
import { seedStages, stageOrder } from "../../src/sync/stages.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const options = { fullRefresh: false, dryRun: false, wait: false } as const

const ledgerCounts = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ t: string; n: number; latest: string | null }>`
    SELECT 'bills' AS t, count(*)::int AS n, max(updated_at)::text AS latest FROM bills
    UNION ALL SELECT 'bill_lines', count(*)::int, NULL FROM bill_lines
    UNION ALL SELECT 'vendors', count(*)::int, max(updated_at)::text FROM vendors
    UNION ALL SELECT 'vendor_payments', count(*)::int, max(updated_at)::text FROM vendor_payments
    UNION ALL SELECT 'vendor_credits', count(*)::int, max(updated_at)::text FROM vendor_credits
    UNION ALL SELECT 'source_records', count(*)::int, max(last_pulled_at)::text || max(processed_at)::text FROM source_records
    UNION ALL SELECT 'links', count(*)::int, max(updated_at)::text FROM links`
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n}@${r.latest}`]))
})

it.layer(StoreTest, { timeout: "180 seconds" })("sync plan against the emulator", (it) => {
  it.effect("first sync seeds master data in order then runs the full plan in order; a second run writes nothing", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const snapshot = yield* emu.snapshot()
      const settings = settingsFor("plan", snapshot)
      const first = yield* runSync(settings, options)
      expect(first.unmet).toEqual([])
      expect(first.runs.map((r) => r.kind)).toEqual(["seed", "full"])
      expect(first.runs[0]!.stages.map((s) => s.stage)).toEqual(seedStages)
      expect(first.runs[1]!.stages.map((s) => s.stage)).toEqual(stageOrder)
      const bills = first.runs[1]!.stages.find((s) => s.stage === "bills")!
      expect(bills.counts.inserted).toBeGreaterThan(0)
      if (process.env["SHOW"]) {
        const { renderOutcome } = yield* Effect.promise(() => import("../../src/cli/tables.ts"))
        console.log(renderOutcome(first))
      }
      const before = yield* ledgerCounts

      // API economy: v3 bills settle their approval, so v2 is read only for a live bill whose v3
      // approvalStatus is UNDEFINED (the demo has one); documents only for imported bills.
      const routes = (yield* emu.counters()).byRoute
      const calls = (part: string) =>
        Object.entries(routes)
          .filter(([k]) => k.includes(part))
          .reduce((n, [, v]) => n + v, 0)
      const unsettled = (snapshot["bills"] as Array<{ archived: boolean; approvalStatus: string }>).filter(
        (b) => !b.archived && b.approvalStatus === "UNDEFINED"
      )
      expect(unsettled).toHaveLength(1)
      expect(calls("Crud/Read/Bill")).toBe(unsettled.length)
      expect(calls("/v3/documents/bills")).toBe(bills.counts.inserted)
      yield* emu.resetCounters()

      const second = yield* runSync(settings, options)
      const again = (yield* emu.counters()).byRoute
      expect(Object.keys(again).filter((k) => k.includes("documents") || k.includes("/api/v2"))).toEqual([])
      expect(second.runs.map((r) => r.kind)).toEqual(["full"])
      for (const s of second.runs[0]!.stages) {
        expect({ stage: s.stage, inserted: s.counts.inserted, updated: s.counts.updated }).toEqual({
          stage: s.stage,
          inserted: 0,
          updated: 0
        })
      }
      expect(yield* ledgerCounts).toEqual(before)
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
