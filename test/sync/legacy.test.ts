import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import * as TestServices from "effect/TestServices"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { settingsFor, StoreTest, withListEdits } from "./support/harness.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const calls = (routes: Readonly<Record<string, number>>, part: string) =>
  Object.entries(routes)
    .filter(([k]) => k.includes(part))
    .reduce((n, [, v]) => n + v, 0)

type RawBill = { id: string; archived: boolean; approvalStatus?: string; invoice: { invoiceDate: string } }

it.layer(StoreTest, { timeout: "300 seconds" })("legacy v2 reads", (it) => {
  it.effect(
    "the v2 approval read is made only for new or changed bills whose v3 record does not settle the approval",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = yield* emu.snapshot()
        const all = snap["bills"] as Array<RawBill>
        const settings = settingsFor("v2approval", snap)
        const pending = (yield* emu.mutate({
          op: "createBill",
          vendorId: (all[0] as unknown as { vendorId: string }).vendorId,
          invoiceDate: "2026-09-02",
          amount: 10,
          approvalStatus: "ASSIGNED"
        })).ids[0]!
        yield* emu.resetCounters()
        const first = yield* runSync(settings, plain)
        // Only bills on/after the cutoff and not archived reach the approval check.
        const eligible = (yield* emu.snapshot())["bills"] as Array<RawBill>
        const expected = eligible.filter((b) => !b.archived && b.invoice.invoiceDate >= "2024-01-01").length
        expect(calls((yield* emu.counters()).byRoute, "Crud/Read/Bill")).toBe(expected - 1) // the malformed bill never reaches it
        const sql = yield* SqlClient.SqlClient
        const pendingRow = yield* sql<{
          outcome: string
          reason: string
        }>`SELECT outcome, reason FROM source_records WHERE billcom_id = ${pending}`
        expect(pendingRow).toEqual([{ outcome: "skipped", reason: "not-approved" }])
        const importedFirst = first.runs.at(-1)!.stages.find((s) => s.stage === "bills")!.counts.inserted

        const target = eligible.find(
          (b) => !b.archived && b.approvalStatus === "APPROVED" && b.invoice.invoiceDate >= "2025-01-01"
        )!
        yield* emu.mutate({ op: "editBill", id: target.id, amount: 55.5 })
        yield* emu.resetCounters()
        yield* runSync(settings, plain)
        expect(calls((yield* emu.counters()).byRoute, "Crud/Read/Bill")).toBe(1)
        expect(importedFirst).toBeGreaterThan(0)
      }).pipe(
        Effect.provide(
          withListEdits((list, raw) => {
            if (list !== "bills") return raw
            const { approvalStatus: _dropped, ...rest } = raw as RawBill
            return rest
          })
        ),
        TestServices.provideLive
      )
  )

  it.effect("a payment's GL row missing from the pulled chart is resolved through the v2 chart-of-account read", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const snap = yield* emu.snapshot()
      const settings = settingsFor("v2coa", snap)
      yield* emu.resetCounters()
      const outcome = yield* runSync(settings, plain)
      const payments = outcome.runs.at(-1)!.stages.find((s) => s.stage === "vendor-payments")!
      const banksUsed = new Set((snap["banks"] as Array<{ chartOfAccountId: string }>).map((b) => b.chartOfAccountId))
      const v2 = calls((yield* emu.counters()).byRoute, "Crud/Read/ChartOfAccount")
      expect(v2).toBeGreaterThan(0)
      expect(v2).toBeLessThanOrEqual(banksUsed.size)
      expect(payments.counts.inserted).toBeGreaterThan(0)
      const sql = yield* SqlClient.SqlClient
      const gl = yield* sql<{
        n: number
      }>`SELECT count(*)::int AS n FROM integration_errors e JOIN integrations i ON i.id = e.integration_id
        WHERE i.pipeline = 'v2coa' AND e.code = 'payment-unmapped-gl' AND e.resolved_at IS NULL`
      expect(gl[0]!.n).toBe(0)
      // Resolved ids are linked: a second run makes no v2 read.
      yield* emu.resetCounters()
      yield* runSync(settings, plain)
      expect(calls((yield* emu.counters()).byRoute, "Crud/Read/ChartOfAccount")).toBe(0)
    }).pipe(
      // The chart list does not return the BANK rows the bank accounts point at.
      Effect.provide(
        withListEdits((list, raw) =>
          list === "chart-of-accounts" && (raw as { account?: { type?: string } }).account?.type === "BANK"
            ? undefined
            : raw
        )
      ),
      TestServices.provideLive
    )
  )
})
