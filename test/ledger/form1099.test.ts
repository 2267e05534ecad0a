import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { fromCents, type Cents } from "../../src/ledger/money.ts"
import { form1099Json, form1099Table, markdownTable } from "../../src/ledger/render.ts"
import { Reports } from "../../src/ledger/reports.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor, StoreTest, withAccounting } from "../sync/support/harness.ts"
import { cents, companyOf } from "./accounting-support.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const Test = Layer.mergeAll(Reports.Default).pipe(Layer.provideMerge(StoreTest))
type Snapshot = Record<string, Array<any>>

const CARD = new Set(["CARD_ACCOUNT", "AP_CARD"])

/**
 * Issue 15.5 on a generated organisation, checked against the emulator's own figures: per
 * calendar year, for the vendors Bill.com marks `track1099`, the payments that moved money, card-
 * funded ones apart (1099-K), vendors without a tax id flagged.
 */
it.layer(Test, { timeout: "300 seconds" })("1099 report", (it) => {
  it.effect(
    "per vendor and year it equals the emulator's payments of 1099 vendors, card-funded and unmoved ones excluded",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const snap0 = (yield* emu.snapshot()) as unknown as Snapshot
        // Exercise the statuses: an ESCHEATED payment counts (money left), a voided one does not.
        const tracked = new Set(
          snap0["vendors"]!.filter((v) => v.additionalInfo?.track1099 === true).map((v) => v.id as string)
        )
        const ofTracked = snap0["payments"]!.filter(
          (p) =>
            tracked.has(p.vendorId) &&
            p.status === "PAID" &&
            p.fundingAccount.type === "BANK_ACCOUNT" &&
            p.processDate >= "2025-01-01"
        )
        expect(ofTracked.length).toBeGreaterThan(3)
        yield* emu.mutate({ op: "setPaymentStatus", id: ofTracked[0]!.id, status: "ESCHEATED" })
        yield* emu.mutate({ op: "voidPayment", id: ofTracked[1]!.id })
        const snap = (yield* emu.snapshot()) as unknown as Snapshot
        const settings = settingsFor("ten99", snap, withAccounting)
        yield* runSync(settings, plain)
        const company = yield* companyOf("ten99")
        const reports = yield* Reports

        const vendorOf = new Map(snap["vendors"]!.map((v) => [v.id as string, v]))
        for (const year of [2023, 2024, 2025, 2026]) {
          // The emulator's own figures.
          const expected = new Map<
            string,
            { payments: number; amount: Cents; cardPayments: number; cardAmount: Cents; taxId: boolean }
          >()
          for (const v of snap["vendors"]!)
            if (v.additionalInfo?.track1099 === true)
              expected.set(v.id, {
                payments: 0,
                amount: 0n,
                cardPayments: 0,
                cardAmount: 0n,
                taxId: typeof v.additionalInfo?.taxId === "string"
              })
          for (const p of snap["payments"]!) {
            const e = expected.get(p.vendorId)
            if (e === undefined || !["PAID", "ESCHEATED"].includes(p.status) || !p.processDate.startsWith(String(year)))
              continue
            if (CARD.has(p.fundingAccount.type)) {
              e.cardPayments++
              e.cardAmount += cents(p.amount)
            } else {
              e.payments++
              e.amount += cents(p.amount)
            }
          }
          const want = [...expected]
            .filter(([, e]) => e.payments + e.cardPayments > 0 || !e.taxId)
            .map(([id, e]) => ({
              vendor: settings.vendors.get(id)!,
              name: vendorOf.get(id)!.name,
              taxIdOnFile: e.taxId,
              payments: e.payments,
              amount: fromCents(e.amount),
              cardPayments: e.cardPayments,
              cardAmount: fromCents(e.cardAmount)
            }))
            .sort((a, b) => (a.vendor < b.vendor ? -1 : 1))
          const report = yield* reports.form1099(company, "USD", year)
          const got = form1099Json(report).vendors.map((r) => ({
            vendor: r.vendorKey,
            name: r.vendorName,
            taxIdOnFile: r.taxIdOnFile,
            payments: r.payments,
            amount: r.amount,
            cardPayments: r.cardPayments,
            cardAmount: r.cardAmount
          }))
          expect(got, `1099 ${year}`).toEqual(want)
          if (year === 2026) {
            expect(want.some((w) => w.payments > 0)).toBe(true)
            expect(want.some((w) => w.cardPayments > 0 || !w.taxIdOnFile)).toBe(true)
          }
        }
        const md = markdownTable(form1099Table(yield* reports.form1099(company, "USD", 2026)))
        expect(md).toContain("### 1099 payments in 2026 (USD)")
        expect(md).toContain("| Vendor | Tax id | Payments | Amount | Card payments (1099-K) | Card amount |")
      }).pipe(
        Effect.provide(emulatorWithSource({ seed: "ten99", generate: { vendors: 30, bills: 500, cards: 2 } })),
        TestServices.provideLive
      )
  )
})
