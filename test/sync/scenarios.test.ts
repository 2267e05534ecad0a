import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect, Fiber } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync, type RunOptions, type SyncOutcome } from "../../src/sync/runner.ts"
import type { SyncSettings } from "../../src/sync/settings.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const stage = (o: SyncOutcome, name: string) => o.runs.at(-1)!.stages.find((s) => s.stage === name)!

const openErrors = (pipeline: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ billcom_id: string; code: string; symptom: string; message: string; resolution: string }>`
      SELECT e.billcom_id, e.code, e.symptom, e.message, e.resolution FROM integration_errors e JOIN integrations i ON i.id = e.integration_id
      WHERE i.pipeline = ${pipeline} AND e.resolved_at IS NULL ORDER BY e.billcom_id`
  )

const ledgerBills = (company: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{
        billcom_id: string
        amount: string
        invoice_date: string
        vendor: string
        archived: boolean
        lines: number
      }>`
      SELECT b.billcom_id, b.amount::text, b.invoice_date::text, v.key AS vendor, b.archived,
             (SELECT count(*)::int FROM bill_lines l WHERE l.bill_id = b.id) AS lines
      FROM bills b JOIN companies c ON c.id = b.company_id JOIN vendors v ON v.id = b.vendor_id
      WHERE c.key = ${company} ORDER BY b.billcom_id`
  )

const sourceRecord = (pipeline: string, id: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{
        outcome: string
        reason: string | null
      }>`SELECT s.outcome, s.reason FROM source_records s JOIN integrations i ON i.id = s.integration_id
      WHERE i.pipeline = ${pipeline} AND s.billcom_id = ${id}`
  ).pipe(Effect.map((rows) => rows[0]))

const bills = (snapshot: Record<string, unknown>) =>
  snapshot["bills"] as Array<{
    id: string
    vendorId: string
    approvalStatus: string
    archived: boolean
    invoice: { invoiceDate: string }
  }>

it.layer(StoreTest, { timeout: "300 seconds" })("sync scenarios against the emulator", (it) => {
  it.effect(
    "cutoff, approval and mapping skips produce the right error rows; a mapping added later resolves them without re-pulling",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = yield* emu.snapshot()
        const vendorId = bills(snap).find(
          (b) => b.invoice.invoiceDate >= "2025-01-01" && b.approvalStatus === "APPROVED" && !b.archived
        )!.vendorId
        const pending = (yield* emu.mutate({
          op: "createBill",
          vendorId,
          invoiceDate: "2026-09-01",
          amount: 120.5,
          approvalStatus: "ASSIGNED"
        })).ids[0]!
        const old = (yield* emu.mutate({ op: "createBill", vendorId, invoiceDate: "2023-06-01", amount: 99 })).ids[0]!
        const full = settingsFor("skips", yield* emu.snapshot())
        const vendors = new Map(full.vendors)
        vendors.delete(vendorId)
        const settings: SyncSettings = { ...full, vendors }

        const first = yield* runSync(settings, plain)
        expect(first.unmet).toEqual([])
        const errors = yield* openErrors("skips")
        const pendingError = errors.find((e) => e.billcom_id === pending)!
        expect(pendingError.code).toBe("bill-not-approved")
        expect(pendingError.symptom).toBe("Bills do not import")
        const unmapped = errors.filter((e) => e.code === "bill-unmapped")
        expect(unmapped.length).toBeGreaterThan(0)
        for (const e of unmapped) {
          expect(e.message).toContain(`vendor ${vendorId}`)
          expect(e.resolution).toContain("mappings/skips/vendors.yaml")
        }
        expect(yield* sourceRecord("skips", old)).toEqual({ outcome: "skipped", reason: "before-cutoff" })
        expect(errors.some((e) => e.billcom_id === old)).toBe(false)
        expect((yield* ledgerBills("skips-co")).some((b) => b.billcom_id === pending || b.billcom_id === old)).toBe(
          false
        )
        const denied = bills(snap).filter((b) => b.approvalStatus === "DENIED" && b.invoice.invoiceDate >= "2024-01-01")
        for (const d of denied) expect(errors.find((e) => e.billcom_id === d.id)?.code).toBe("bill-denied")

        // The mapping PR lands; the pending bill gets approved in Bill.com.
        yield* emu.mutate({ op: "setApproval", billId: pending, status: "APPROVED" })
        const second = yield* runSync(full, plain)
        const billsStage = stage(second, "bills")
        expect(billsStage.counts.reevaluated).toBeGreaterThanOrEqual(unmapped.length)
        expect(billsStage.counts.pulled - billsStage.counts.unchanged).toBe(1) // only the approved bill changed in Bill.com
        const after = yield* openErrors("skips")
        expect(after.filter((e) => e.code === "bill-unmapped" || e.billcom_id === pending)).toEqual([])
        const imported = new Set((yield* ledgerBills("skips-co")).map((b) => b.billcom_id))
        for (const e of unmapped) expect(imported.has(e.billcom_id)).toBe(true)
        expect(imported.has(pending)).toBe(true)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("removing a vendor mapping unlinks the vendor; its bills then report the missing mapping", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const snap = yield* emu.snapshot()
      const settings = settingsFor("unmap", snap)
      yield* runSync(settings, plain)
      const vendorId = bills(snap).find(
        (b) => b.invoice.invoiceDate >= "2025-01-01" && b.approvalStatus === "APPROVED" && !b.archived
      )!.vendorId
      const vendors = new Map(settings.vendors)
      vendors.delete(vendorId)
      const after = yield* runSync({ ...settings, vendors }, plain)
      expect(stage(after, "vendors").counts.reevaluated).toBe(settings.vendors.size)
      const sql = yield* SqlClient.SqlClient
      const link =
        yield* sql`SELECT 1 FROM links l JOIN integrations i ON i.id = l.integration_id WHERE i.pipeline = 'unmap' AND l.kind = 'vendor' AND l.billcom_id = ${vendorId}`
      expect(link).toEqual([])
      const errors = (yield* openErrors("unmap")).filter((e) => e.code === "bill-unmapped")
      expect(errors.length).toBeGreaterThan(0)
      for (const e of errors) expect(e.message).toContain(`vendor ${vendorId}`)
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("an incremental run picks up exactly the organisation's changes", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const settings0 = settingsFor("incr", yield* emu.snapshot())
      yield* runSync(settings0, plain)
      const snap = yield* emu.snapshot()
      const live = bills(snap).filter(
        (b) => b.invoice.invoiceDate >= "2025-01-01" && b.approvalStatus === "APPROVED" && !b.archived
      )
      const [toEdit, toArchive] = [live[0]!, live[1]!]
      const created = (yield* emu.mutate({
        op: "createBill",
        vendorId: toEdit.vendorId,
        invoiceDate: "2026-09-15",
        amount: 42.42
      })).ids[0]!
      yield* emu.mutate({ op: "editBill", id: toEdit.id, amount: 777.77 })
      yield* emu.mutate({ op: "archive", collection: "bills", id: toArchive.id })
      yield* emu.mutate({ op: "createVendor", name: "Brand New Vendor" })

      const second = yield* runSync(
        settingsFor("incr", yield* emu.snapshot(), (s) => ({ ...s, vendors: settings0.vendors })),
        plain
      )
      const b = stage(second, "bills")
      expect({
        inserted: b.counts.inserted,
        updated: b.counts.updated,
        changed: b.counts.pulled - b.counts.unchanged
      }).toEqual({ inserted: 1, updated: 2, changed: 3 })
      const v = stage(second, "vendors")
      expect({ skipped: v.counts.skipped, changed: v.counts.pulled - v.counts.unchanged }).toEqual({
        skipped: 1,
        changed: 1
      })
      const ledger = new Map((yield* ledgerBills("incr-co")).map((r) => [r.billcom_id, r]))
      expect(ledger.get(created)?.amount).toBe("42.42")
      expect(ledger.get(toEdit.id)?.amount).toBe("777.77")
      expect(ledger.get(toArchive.id)?.archived).toBe(true)
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "--dry-run reports the changes and writes nothing; --full-refresh re-pulls everything and changes nothing",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const settings = settingsFor("dry", yield* emu.snapshot())
        yield* runSync(settings, plain)
        const live = bills(yield* emu.snapshot()).filter(
          (b) => b.invoice.invoiceDate >= "2025-01-01" && b.approvalStatus === "APPROVED" && !b.archived
        )
        yield* emu.mutate({ op: "editBill", id: live[0]!.id, amount: 1234.56 })
        const sql = yield* SqlClient.SqlClient
        const state = () =>
          sql<{
            n: number
            h: string
          }>`SELECT count(*)::int AS n, md5(string_agg(content_hash || outcome, ',' ORDER BY billcom_id)) AS h FROM source_records`
        const runsCount = () => sql<{ n: number }>`SELECT count(*)::int AS n FROM sync_runs`
        const before = [yield* state(), yield* ledgerBills("dry-co"), yield* runsCount()]
        const dry = yield* runSync(settings, { ...plain, dryRun: true })
        expect(stage(dry, "bills").counts.updated).toBe(1)
        expect(dry.runs[0]!.runId).toBe(-1)
        expect([yield* state(), yield* ledgerBills("dry-co"), yield* runsCount()]).toEqual(before)

        const real = yield* runSync(settings, plain)
        expect(stage(real, "bills").counts.updated).toBe(1)
        const refresh = yield* runSync(settings, { ...plain, fullRefresh: true })
        const b = stage(refresh, "bills")
        expect(b.counts.pulled).toBe(bills(yield* emu.snapshot()).length)
        expect({
          inserted: b.counts.inserted,
          updated: b.counts.updated,
          changed: b.counts.pulled - b.counts.unchanged
        }).toEqual({ inserted: 0, updated: 0, changed: 0 })
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "moving the cutoff earlier backfills from stored source records without re-pulling or moving the cursor",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = yield* emu.snapshot()
        const late = settingsFor("cutoff", snap, (s) => ({ ...s, cutoff: "2026-01-01" }))
        yield* runSync(late, plain)
        const sql = yield* SqlClient.SqlClient
        const cursor = () =>
          sql<{
            c: string
          }>`SELECT updated_since::text AS c FROM sync_cursors s JOIN integrations i ON i.id = s.integration_id WHERE i.pipeline = 'cutoff' AND stream = 'bills'`
        const cursorBefore = yield* cursor()
        const countBefore = (yield* ledgerBills("cutoff-co")).length

        const early = { ...late, cutoff: "2024-01-01" }
        const second = yield* runSync(early, plain)
        const b = stage(second, "bills")
        expect(second.runs.at(-1)!.notes.join(" ")).toContain("cutoff moved earlier (2026-01-01 → 2024-01-01)")
        expect(b.counts.pulled - b.counts.unchanged).toBe(0)
        expect(b.counts.reevaluated).toBeGreaterThan(0)
        expect(yield* cursor()).toEqual(cursorBefore)
        const backfilled = yield* ledgerBills("cutoff-co")
        expect(backfilled.length).toBeGreaterThan(countBefore)

        // Same ledger as a clean run with the early cutoff from the start.
        yield* runSync({ ...early, pipeline: "cutoff-clean", company: "cutoff-clean-co" }, plain)
        const clean = yield* ledgerBills("cutoff-clean-co")
        expect(backfilled).toEqual(clean)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "two runs of one pipeline never write at once: the second exits with 'another sync is running', or waits with --wait",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const settings = settingsFor("lock", yield* emu.snapshot())
        let inner: unknown
        let waiter: Fiber.RuntimeFiber<SyncOutcome, unknown> | undefined
        // The second run starts while the first holds the lock (from inside its first stage): no timing involved.
        const context = yield* Effect.context<any>()
        yield* runSync(settings, {
          ...plain,
          onProgress: (e) =>
            e.phase === "start" && e.stage === "vendors" && inner === undefined
              ? (Effect.gen(function* () {
                  inner = yield* Effect.flip(runSync(settings, plain))
                  waiter = yield* Effect.fork(runSync(settings, { ...plain, wait: true }))
                }).pipe(Effect.provide(context), Effect.orDie) as Effect.Effect<void>)
              : Effect.void
        })
        expect(inner).toMatchObject({ _tag: "SyncError", reason: "locked", message: "another sync of lock is running" })
        const waited = yield* Fiber.join(waiter!)
        expect(waited.runs.map((r) => r.status)).toEqual(["succeeded_with_errors"])
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("a crash between batches resumes on the next run to the same final state as a clean run", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const snap = yield* emu.snapshot()
      const crashing = settingsFor("crash", snap)
      let batches = 0
      const crashed = yield* runSync(crashing, {
        ...plain,
        afterBatch: (ctx) => (ctx.stage === "bills" && ++batches === 1 ? Effect.interrupt : Effect.void)
      }).pipe(Effect.exit)
      expect(crashed._tag).toBe("Failure")
      const partial = (yield* ledgerBills("crash-co")).length
      expect(partial).toBeGreaterThan(0)
      const resumed = yield* runSync(crashing, plain)
      expect(resumed.runs.at(-1)!.status).not.toBe("failed")
      yield* runSync({ ...crashing, pipeline: "crash-clean", company: "crash-clean-co" }, plain)
      const clean = yield* ledgerBills("crash-clean-co")
      expect(yield* ledgerBills("crash-co")).toEqual(clean)
      expect(clean.length).toBeGreaterThan(partial)
      const sql = yield* SqlClient.SqlClient
      const runs = yield* sql<{
        status: string
        error: string | null
      }>`SELECT r.status, r.error FROM sync_runs r JOIN integrations i ON i.id = r.integration_id WHERE i.pipeline = 'crash' ORDER BY r.id`
      expect(runs.map((r) => r.status)).toContain("failed")
    }).pipe(
      Effect.provide(emulatorWithSource({ seed: "crash", generate: { bills: 1400, vendors: 40 } })),
      TestServices.provideLive
    )
  )
})
