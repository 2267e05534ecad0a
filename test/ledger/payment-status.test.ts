import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import * as TestServices from "effect/TestServices"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { fromCents, toCents } from "../../src/ledger/money.ts"
import { Reports } from "../../src/ledger/reports.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor, StoreTest, withAccounting } from "../sync/support/harness.ts"
import { companyOf, entriesOf, openErrorCodes, openItems } from "./accounting-support.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const Test = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(StoreTest))

type Snapshot = Record<string, Array<any>>

/** Every status Bill.com documents for a payment (§4.4), and whether money left in it. */
const STATUSES = [
  ["APPROVING", false],
  ["SCHEDULED", false],
  ["PAID", true],
  ["CANCELLED", false],
  ["VOID", false],
  ["ESCHEATED", true],
  ["UNDEFINED", false]
] as const

/**
 * Issue 12.5 over HTTP from the emulator into a real database: a payment posts (DR AP / CR the
 * funding account's ledger account) only in a status where money left; what a status change posts
 * or reverses; and the aging that results.
 */
it.layer(Test, { timeout: "300 seconds" })("payments post when money moves", (it) => {
  it.effect(
    "one bill per payment status: only PAID and ESCHEATED post; void and cancel reverse; a scheduled payment that clears posts dated by its process date",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const emu = yield* Emulator
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const vendor = snap["vendors"]!.find(
          (v) =>
            !v.archived && v.billCurrency === "USD" && snap["bills"]!.some((b) => b.vendorId === v.id && !b.archived)
        )!
        // What Bill.com already counts as pending clearance for this vendor (the demo organisation schedules payments of its own).
        const scheduledOf = (s: Snapshot) =>
          s["bills"]!.filter((b) => b.vendorId === vendor.id).reduce(
            (sum: bigint, b) => sum + toCents((b.scheduledAmount ?? 0).toFixed(2)),
            0n
          )
        const before = scheduledOf(snap)
        const bills: Record<string, string> = {}
        const payments: Record<string, string> = {}
        for (const [status] of STATUSES) {
          const bill = (yield* emu.mutate({
            op: "createBill",
            vendorId: vendor.id,
            invoiceDate: "2026-09-01",
            dueDate: "2026-09-15",
            amount: 1000
          })).ids[0]!
          bills[status] = bill
          payments[status] = (yield* emu.mutate({ op: "payBill", billId: bill, status, processDate: "2026-09-20" }))
            .ids[0]!
        }
        // A payment of a bill the ledger never imports (still awaiting approval), in status UNDEFINED.
        const pending = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor.id,
          invoiceDate: "2026-09-02",
          amount: 174,
          approvalStatus: "ASSIGNED"
        })).ids[0]!
        const undefinedOfPending = (yield* emu.mutate({
          op: "payBill",
          billId: pending,
          status: "UNDEFINED",
          processDate: "2026-09-20"
        })).ids[0]!

        const settings = settingsFor("pay-status", yield* emu.snapshot(), withAccounting)
        expect((yield* runSync(settings, plain)).unmet).toEqual([])
        const company = yield* companyOf("pay-status")
        const reports = yield* Reports
        const vendorKey = settings.vendors.get(vendor.id)!
        const bank = settings.fundingAccounts.get(snap["banks"]!.find((b) => b.payables)?.id ?? snap["banks"]![0]!.id)!

        const state = () =>
          Effect.gen(function* () {
            const open = yield* openItems(company)
            const out: Record<string, { posted: boolean; reversals: number; billOpen: string }> = {}
            for (const [status] of STATUSES) {
              const entries = yield* entriesOf(company, payments[status]!, ["payment"])
              out[status] = {
                posted: entries.some((e) => e.kind === "posting" && e.live),
                reversals: entries.filter((e) => e.kind === "reversal").length,
                billOpen: fromCents(open.get(`bill:${bills[status]}`)?.functional ?? 0n)
              }
            }
            return out
          })

        // Money left only in PAID and ESCHEATED: those bills are settled, every other one is still owed in full.
        expect(yield* state()).toEqual(
          Object.fromEntries(
            STATUSES.map(([status, moved]) => [
              status,
              { posted: moved, reversals: 0, billOpen: moved ? "0.00" : "1000.00" }
            ])
          )
        )
        // The posting: DR AP (open item: the bill), CR the funding account's ledger account, dated by the process date.
        const paid = (yield* entriesOf(company, payments["PAID"]!, ["payment"]))[0]!
        expect(paid.entryDate).toBe("2026-09-20")
        expect(paid.lines.map((l) => [l.account, l.amount, l.item])).toEqual([
          ["2000", "1000.00", bills["PAID"]],
          [bank, "-1000.00", null]
        ])
        // The pending bill's UNDEFINED payment posted nothing: no negative item in aging.
        expect((yield* entriesOf(company, undefinedOfPending)).length).toBe(0)
        expect((yield* openItems(company)).has(`bill:${pending}`)).toBe(false)

        // Aging: the five unpaid bills are open; SCHEDULED and APPROVING show beside them as scheduled.
        const aging = yield* reports.aging(company, "USD", "2026-09-30")
        const row = aging.rows.find((r) => r.vendorKey === vendorKey)!
        const newBills = new Set(Object.values(bills))
        expect(
          row.items
            .filter((i) => newBills.has(i.billcomId))
            .map((i) => [i.billcomId, fromCents(i.open), i.bucket])
            .sort()
        ).toEqual(
          STATUSES.filter(([, moved]) => !moved)
            .map(([s]) => [bills[s], "1000.00", "1-30"])
            .sort()
        )
        expect(fromCents(row.scheduled - before)).toBe("2000.00")
        expect(row.scheduled).toBe(scheduledOf((yield* emu.snapshot()) as unknown as Snapshot))
        expect(aging.tieOut.difference).toBe(0n)

        // Status changes in Bill.com: PAID → VOID and ESCHEATED → CANCELLED reverse; SCHEDULED clears (posts on its process date);
        // APPROVING → SCHEDULED and UNDEFINED → VOID stay unposted.
        yield* emu.advanceClock(60_000)
        yield* emu.mutate({ op: "voidPayment", id: payments["PAID"]! })
        yield* emu.mutate({ op: "setPaymentStatus", id: payments["ESCHEATED"]!, status: "CANCELLED" })
        yield* emu.mutate({ op: "clearPayment", id: payments["SCHEDULED"]! })
        yield* emu.mutate({ op: "setPaymentStatus", id: payments["APPROVING"]!, status: "SCHEDULED" })
        yield* emu.mutate({ op: "setPaymentStatus", id: payments["UNDEFINED"]!, status: "VOID" })
        yield* runSync(settings, plain)
        expect(yield* state()).toEqual({
          APPROVING: { posted: false, reversals: 0, billOpen: "1000.00" },
          SCHEDULED: { posted: true, reversals: 0, billOpen: "0.00" },
          PAID: { posted: false, reversals: 1, billOpen: "1000.00" },
          CANCELLED: { posted: false, reversals: 0, billOpen: "1000.00" },
          VOID: { posted: false, reversals: 0, billOpen: "1000.00" },
          ESCHEATED: { posted: false, reversals: 1, billOpen: "1000.00" },
          UNDEFINED: { posted: false, reversals: 0, billOpen: "1000.00" }
        })
        const cleared = (yield* entriesOf(company, payments["SCHEDULED"]!, ["payment"]))[0]!
        expect([cleared.kind, cleared.entryDate]).toEqual(["posting", "2026-09-20"])
        // The reversal mirrors the posting, on the posting's date (its period is open).
        const voided = yield* entriesOf(company, payments["PAID"]!, ["payment"])
        expect(voided.map((e) => [e.kind, e.entryDate, e.lines.map((l) => l.amount)])).toEqual([
          ["posting", "2026-09-20", ["1000.00", "-1000.00"]],
          ["reversal", "2026-09-20", ["-1000.00", "1000.00"]]
        ])
        const after = yield* reports.aging(company, "USD", "2026-09-30")
        const scheduledAfter = after.rows.find((r) => r.vendorKey === vendorKey)!.scheduled
        expect(fromCents(scheduledAfter - before)).toBe("1000.00")
        expect(scheduledAfter).toBe(scheduledOf((yield* emu.snapshot()) as unknown as Snapshot))
        expect(after.tieOut.difference).toBe(0n)
        expect(yield* (yield* LedgerChecks).check(company)).toEqual([])

        // The rule is the database's too (the AP subledger check reads it): both spellings of cancelled, and no status, never post.
        const posts = yield* sql<{
          s: string
          posts: boolean
        }>`SELECT s, journal_payment_posts(s) AS posts FROM unnest(${["PAID", "paid", "ESCHEATED", "SCHEDULED", "APPROVING", "CANCELLED", "CANCELED", "VOID", "UNDEFINED", ""]}::text[]) s`
        expect(Object.fromEntries(posts.map((p) => [p.s, p.posts]))).toEqual({
          PAID: true,
          paid: true,
          ESCHEATED: true,
          SCHEDULED: false,
          APPROVING: false,
          CANCELLED: false,
          CANCELED: false,
          VOID: false,
          UNDEFINED: false,
          "": false
        })
        expect((yield* sql<{ posts: boolean }>`SELECT journal_payment_posts(NULL) AS posts`)[0]!.posts).toBe(false)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "a WALLET payment comes out of ledger.walletAccount; without one it is an integration error, never a silent skip",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const vendor = snap["vendors"]!.find(
          (v) =>
            !v.archived && v.billCurrency === "USD" && snap["bills"]!.some((b) => b.vendorId === v.id && !b.archived)
        )!
        const bill = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor.id,
          invoiceDate: "2026-09-03",
          amount: 250
        })).ids[0]!
        const payment = (yield* emu.mutate({
          op: "payBill",
          billId: bill,
          fundingType: "WALLET",
          processDate: "2026-09-21"
        })).ids[0]!
        const raw = ((yield* emu.snapshot()) as unknown as Snapshot)["payments"]!.find((p) => p.id === payment)!
        expect(raw.fundingAccount).toEqual({ type: "WALLET" })

        // No walletAccount: the payment is an error with its resolution, nothing posts, the bill stays open.
        const without = settingsFor("wallet", yield* emu.snapshot(), (s) => ({
          ...withAccounting(s),
          walletAccount: undefined
        }))
        yield* runSync(without, plain)
        const company = yield* companyOf("wallet")
        expect((yield* openErrorCodes("wallet")).get(payment)).toBe("payment-wallet-unmapped")
        expect((yield* entriesOf(company, payment)).length).toBe(0)
        expect(fromCents((yield* openItems(company)).get(`bill:${bill}`)!.functional)).toBe("250.00")

        // With ledger.walletAccount 1050 the same payment posts against it (the error resolves).
        yield* runSync(withAccounting(without), plain)
        expect((yield* openErrorCodes("wallet")).has(payment)).toBe(false)
        const posted = (yield* entriesOf(company, payment))[0]!
        expect(posted.lines.map((l) => [l.account, l.amount])).toEqual([
          ["2000", "250.00"],
          ["1050", "-250.00"]
        ])
        expect((yield* openItems(company)).get(`bill:${bill}`)?.functional ?? 0n).toBe(0n)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
