import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync, type RunOptions, type SyncOutcome } from "../../src/sync/runner.ts"
import type { SyncSettings } from "../../src/sync/settings.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const full = (o: SyncOutcome) => o.runs.at(-1)!
const withDocuments = (s: SyncSettings, enabled: boolean, maxPerRun: number): SyncSettings => ({
  ...s,
  documents: { enabled, maxPerRun }
})

/** Document reads the emulator served since the last reset, then resets the counters. */
const documentReads = Effect.gen(function* () {
  const emu = yield* Emulator
  const routes = (yield* emu.counters()).byRoute
  yield* emu.resetCounters()
  return Object.entries(routes)
    .filter(([k]) => k.includes("/v3/documents/bills"))
    .reduce((n, [, v]) => n + v, 0)
})

const billState = (company: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ billcom_id: string; current: boolean; documents: number }>`
      SELECT b.billcom_id, b.documents_version IS NOT DISTINCT FROM b.source_version AS current,
             (SELECT count(*)::int FROM bill_documents d WHERE d.bill_id = b.id) AS documents
      FROM bills b JOIN companies c ON c.id = b.company_id WHERE c.key = ${company} AND NOT b.archived ORDER BY b.billcom_id`
  )

it.layer(StoreTest, { timeout: "300 seconds" })("bill documents: a budgeted step after the bills are written", (it) => {
  it.effect(
    "maxPerRun caps the reads of a first sync; the next run drains the backlog; then no reads until a bill changes",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const base = settingsFor("docs", yield* emu.snapshot())
        const first = yield* runSync(withDocuments(base, true, 7), plain)
        const imported = (yield* billState("docs-co")).length
        expect(imported).toBeGreaterThan(7)
        expect(yield* documentReads).toBe(7)
        expect(full(first).documents).toEqual({ reads: 7, failed: 0, backlog: imported - 7 })
        expect(full(first).notes.some((n) => n.includes(`7 read; ${imported - 7} bill(s) left in the backlog`))).toBe(
          true
        )
        expect((yield* billState("docs-co")).filter((b) => b.current).length).toBe(7)

        const second = yield* runSync(withDocuments(base, true, 10_000), plain)
        expect(yield* documentReads).toBe(imported - 7)
        expect(full(second).documents).toEqual({ reads: imported - 7, failed: 0, backlog: 0 })
        const drained = yield* billState("docs-co")
        expect(drained.every((b) => b.current)).toBe(true)
        // The emulator gives 0–2 documents per bill: some bills must have them stored now.
        expect(drained.reduce((n, b) => n + b.documents, 0)).toBeGreaterThan(0)

        const third = yield* runSync(withDocuments(base, true, 10_000), plain)
        expect(yield* documentReads).toBe(0)
        expect(full(third).documents).toEqual({ reads: 0, failed: 0, backlog: 0 })

        // A bill changed in Bill.com is written again and its documents are read again (only its).
        const changed = drained.find((b) => b.documents > 0)!.billcom_id
        yield* emu.mutate({ op: "editBill", id: changed, description: "changed after import" })
        yield* emu.resetCounters()
        const fourth = yield* runSync(withDocuments(base, true, 10_000), plain)
        expect(yield* documentReads).toBe(1)
        expect(full(fourth).documents).toEqual({ reads: 1, failed: 0, backlog: 0 })
        expect((yield* billState("docs-co")).find((b) => b.billcom_id === changed)).toMatchObject({
          current: true,
          documents: drained.find((b) => b.billcom_id === changed)!.documents
        })
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("enabled: false makes no document calls; the backlog waits until it is enabled", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const base = settingsFor("nodocs", yield* emu.snapshot())
      const off = yield* runSync(withDocuments(base, false, 500), plain)
      const imported = (yield* billState("nodocs-co")).length
      expect(imported).toBeGreaterThan(0)
      expect(yield* documentReads).toBe(0)
      expect(full(off).documents).toEqual({ reads: 0, failed: 0, backlog: imported })
      expect(full(off).notes.some((n) => n.includes("sync.documents.enabled is false"))).toBe(true)

      const on = yield* runSync(withDocuments(base, true, 10_000), plain)
      expect(yield* documentReads).toBe(imported)
      expect(full(on).documents).toEqual({ reads: imported, failed: 0, backlog: 0 })
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "bills imported by re-evaluation (a mapping fix, no re-pull) join the backlog and get their documents",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = yield* emu.snapshot()
        const base = settingsFor("redocs", snap)
        const billsOf = (
          snap["bills"] as Array<{
            vendorId: string
            archived: boolean
            approvalStatus: string
            invoice: { invoiceDate: string }
          }>
        ).filter((b) => !b.archived && b.approvalStatus === "APPROVED" && b.invoice.invoiceDate >= "2024-01-01")
        const vendorId = billsOf[0]!.vendorId
        const vendors = new Map(base.vendors)
        vendors.delete(vendorId)
        yield* runSync({ ...base, vendors }, plain)
        const before = yield* billState("redocs-co")
        expect(before.every((b) => b.current)).toBe(true)
        yield* emu.resetCounters()

        const fixed = yield* runSync(base, plain)
        const after = yield* billState("redocs-co")
        const added = after.length - before.length
        expect(added).toBeGreaterThan(0)
        expect(full(fixed).stages.find((s) => s.stage === "bills")!.counts.reevaluated).toBeGreaterThan(0)
        expect(yield* documentReads).toBe(added)
        expect(full(fixed).documents).toEqual({ reads: added, failed: 0, backlog: 0 })
        expect(after.every((b) => b.current)).toBe(true)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
