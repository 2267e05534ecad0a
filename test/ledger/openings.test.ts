import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import * as TestServices from "effect/TestServices"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { fromCents, sumCents, type Cents } from "../../src/ledger/money.ts"
import { Reports } from "../../src/ledger/reports.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor, StoreTest, withAccounting } from "../sync/support/harness.ts"
import { cents, companyOf, entriesOf, openErrorCodes, openItems } from "./accounting-support.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const Test = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(StoreTest))
const CUTOFF = "2024-01-01"
const FAR = "2100-12-31"

type Snapshot = Record<string, Array<any>>
const MOVED = new Set(["PAID", "ESCHEATED"])

/**
 * Issue 15.1 on the demo organisation, over HTTP into a real database: bills before the cutoff
 * that are still open at it come in as opening items dated the cutoff against opening balance
 * equity; payments and credits after the cutoff settle them, so no vendor shows a prepayment that
 * is really an old bill's settlement, and the aging ties to AP control.
 */
it.layer(Test, { timeout: "300 seconds" })("opening balances at the cutoff", (it) => {
  it.effect(
    "each bill's opening item is its balance open at the cutoff; later payments settle it; every unapplied amount is a real one; aging ties",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const emu = yield* Emulator
        const settings = settingsFor("openings", yield* emu.snapshot(), withAccounting)
        expect(settings.cutoff).toBe(CUTOFF)
        expect((yield* runSync(settings, plain)).unmet).toEqual([])
        const company = yield* companyOf("openings")
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const errors = yield* openErrorCodes("openings")

        const held = new Map(
          (yield* sql<{
            billcom_id: string
            invoice_date: string
          }>`SELECT billcom_id, invoice_date::text FROM bills WHERE company_id = ${company} AND NOT archived`).map(
            (b) => [b.billcom_id, b.invoice_date]
          )
        )
        const heldPayments = new Set(
          (yield* sql<{
            billcom_id: string
          }>`SELECT billcom_id FROM vendor_payments WHERE company_id = ${company}`).map((p) => p.billcom_id)
        )
        const heldCredits = new Set(
          (yield* sql<{
            billcom_id: string
          }>`SELECT billcom_id FROM vendor_credits WHERE company_id = ${company} AND NOT archived`).map(
            (c) => c.billcom_id
          )
        )
        const before = [...held].filter(([, d]) => d < CUTOFF).map(([id]) => id)
        expect(before.length).toBeGreaterThan(50)

        // What Bill.com says settled each bill before the cutoff (payments that moved money, credits dated before it).
        const settledBefore = new Map<string, Cents>()
        const add = (m: Map<string, Cents>, id: string, c: Cents) => m.set(id, (m.get(id) ?? 0n) + c)
        for (const p of snap["payments"]!)
          if (MOVED.has(p.status) && p.processDate < CUTOFF)
            for (const bp of p.billPayments) add(settledBefore, bp.billId, cents(bp.amount))
        for (const c of snap["vendor-credits"]!)
          if (!c.archived && c.creditDate < CUTOFF)
            for (const u of c.usage ?? []) add(settledBefore, u.billId, cents(u.amount))
        const billOf = new Map(snap["bills"]!.map((b) => [b.id as string, b]))

        // 1. Opening items: dated the cutoff, CR AP / DR 3900, for exactly the balance open at the cutoff; none for a bill settled before it.
        let withOpening = 0
        for (const id of before) {
          const bill = billOf.get(id)!
          const open = cents(bill.amount) - (settledBefore.get(id) ?? 0n)
          const entries = yield* entriesOf(company, id, ["bill", "opening"])
          if (open === 0n) {
            expect(entries, `bill ${id} was settled before the cutoff`).toEqual([])
            continue
          }
          withOpening++
          expect(
            entries.map((e) => [e.sourceKind, e.kind, e.entryDate, e.lines.map((l) => [l.account, l.amount])]),
            `bill ${id}`
          ).toEqual([
            [
              "opening",
              "posting",
              CUTOFF,
              [
                ["3900", fromCents(open)],
                ["2000", fromCents(-open)]
              ]
            ]
          ])
        }
        expect(withOpening).toBeGreaterThan(10)

        // 2. Settlement: for every bill the ledger holds, before or after the cutoff, what the journal keeps open is what Bill.com
        // still counts as owed (dueAmount) plus what is only scheduled (no money left yet) plus what failed to import.
        const notImported = new Map<string, Cents>()
        for (const p of snap["payments"]!)
          if (MOVED.has(p.status) && !heldPayments.has(p.id) && p.processDate >= CUTOFF)
            for (const bp of p.billPayments) add(notImported, bp.billId, cents(bp.amount))
        for (const c of snap["vendor-credits"]!)
          if (!heldCredits.has(c.id)) for (const u of c.usage ?? []) add(notImported, u.billId, cents(u.amount))
        const open = yield* openItems(company, FAR)
        const mismatches: Array<string> = []
        for (const [id] of held) {
          const bill = billOf.get(id)!
          const expected = cents(bill.dueAmount) + cents(bill.scheduledAmount) + (notImported.get(id) ?? 0n)
          // In the bill's own currency (the demo's CAD vendor too): what Bill.com's amounts are in.
          const actual = open.get(`bill:${id}`)?.txn ?? 0n
          if (actual !== expected)
            mismatches.push(`${id}: ledger ${fromCents(actual)}, Bill.com ${fromCents(expected)}`)
        }
        expect(mismatches).toEqual([])
        // A bill before the cutoff paid after it: the payment's AP line settles the opening item to zero.
        const paidLater = snap["payments"]!.find(
          (p) =>
            MOVED.has(p.status) &&
            p.processDate >= CUTOFF &&
            p.billPayments.some(
              (bp: any) =>
                before.includes(bp.billId) &&
                cents(billOf.get(bp.billId)!.dueAmount) === 0n &&
                cents(billOf.get(bp.billId)!.scheduledAmount) === 0n
            )
        )!
        const settledBill = paidLater.billPayments.find((bp: any) => before.includes(bp.billId))!.billId
        expect(open.get(`bill:${settledBill}`)?.functional ?? 0n).toBe(0n)
        expect(
          (yield* entriesOf(company, paidLater.id, ["payment"]))[0]!.lines.find((l) => l.item === settledBill)?.amount
        ).toBe(fromCents(cents(paidLater.billPayments.find((bp: any) => bp.billId === settledBill).amount)))

        // 3. Every unapplied amount in the aging is a real one: a credit's unapplied balance, a payment's unapplied part, or a
        // payment applied to a bill the ledger does not hold because Bill.com's record is in the errors list.
        const aging = yield* (yield* Reports).aging(company, "USD", "2026-09-30")
        const creditOf = new Map(snap["vendor-credits"]!.map((c) => [c.id as string, c]))
        const paymentOf = new Map(snap["payments"]!.map((p) => [p.id as string, p]))
        const unexplained: Array<string> = []
        for (const row of aging.rows) {
          for (const item of row.items.filter((i) => i.bucket === "unapplied")) {
            const ok =
              item.kind === "vendor-credit"
                ? item.open ===
                  -(
                    cents(creditOf.get(item.billcomId)!.amount) -
                    sumCents((creditOf.get(item.billcomId)!.usage ?? []).map((u: any) => cents(u.amount)))
                  )
                : item.kind === "payment"
                  ? cents(paymentOf.get(item.billcomId)!.amount) !==
                    sumCents(paymentOf.get(item.billcomId)!.billPayments.map((bp: any) => cents(bp.amount)))
                  : !held.has(item.billcomId) && errors.has(item.billcomId)
            if (!ok) unexplained.push(`${row.vendorKey} ${item.kind} ${item.billcomId} ${fromCents(item.open)}`)
          }
        }
        expect(unexplained).toEqual([])
        // The phantom prepayments are gone: what is unapplied is small against what is open.
        const unapplied = (aging.totals as Readonly<Record<string, bigint>>)["unapplied"] ?? 0n
        expect(-unapplied * 10n).toBeLessThan(aging.totals.total)
        expect(aging.tieOut.difference).toBe(0n)
        expect(aging.tieOut.currencies.every((c) => c.difference === 0n && c.differenceInCurrency === 0n)).toBe(true)
        expect(yield* (yield* LedgerChecks).check(company)).toEqual([])

        // 4. A later change in Bill.com to a bill before the cutoff adjusts its opening item (reversal + new opening, both at the cutoff).
        const unpaid = before.find(
          (id) =>
            cents(billOf.get(id)!.dueAmount) === cents(billOf.get(id)!.amount) && cents(billOf.get(id)!.amount) > 10000n
        )!
        yield* emu.advanceClock(60_000)
        yield* emu.mutate({ op: "editBill", id: unpaid, amount: 77.7 })
        const entriesBefore = (yield* sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${company}`)[0]!.n
        yield* runSync(settings, plain)
        const adjusted = yield* entriesOf(company, unpaid, ["bill", "opening"])
        expect(
          adjusted.map((e) => [e.kind, e.entryDate, e.live, e.lines.find((l) => l.account === "2000")!.amount])
        ).toEqual([
          ["posting", CUTOFF, false, fromCents(-cents(billOf.get(unpaid)!.amount))],
          ["reversal", CUTOFF, false, fromCents(cents(billOf.get(unpaid)!.amount))],
          ["posting", CUTOFF, true, "-77.70"]
        ])
        expect(
          (yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${company}`)[0]!
            .n
        ).toBe(entriesBefore + 2)
        expect(yield* (yield* LedgerChecks).check(company)).toEqual([])

        // Nothing changed since: the next sync posts nothing.
        yield* runSync(settings, plain)
        expect(
          (yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${company}`)[0]!
            .n
        ).toBe(entriesBefore + 2)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
