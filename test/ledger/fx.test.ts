import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { fromCents, sumCents, toCents } from "../../src/ledger/money.ts"
import { renderHtml } from "../../src/ledger/html.ts"
import {
  agingJson,
  agingTable,
  markdownTable,
  textTable,
  trialBalanceJson,
  trialBalanceTable
} from "../../src/ledger/render.ts"
import { collectHtmlInput } from "../../src/ledger/report-data.ts"
import { Reports } from "../../src/ledger/reports.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor, StoreTest, withAccounting, withListEdits } from "../sync/support/harness.ts"
import { companyOf, entriesOf, openErrorCodes, openItems } from "./accounting-support.ts"

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }
const Test = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(StoreTest))

const lines = (e: {
  lines: ReadonlyArray<{ account: string; amount: string; currency: string | null; txn: string | null }>
}) => e.lines.map((l) => [l.account, l.amount, l.currency, l.txn])

/**
 * Issue 15.2 over HTTP from the emulator into a real database: every line in the functional
 * currency (USD) at Bill.com's rate for that transaction, keeping the transaction currency and
 * amount; realised FX gain/loss when a EUR bill is paid (or credited) at another rate; the cents of
 * converting a settled bill's parts separately cleared to FX; per-currency balances and tie-out.
 */
it.layer(Test, { timeout: "300 seconds" })("multi-currency", (it) => {
  it.effect(
    "a EUR bill paid at another rate posts the exact realised loss; a EUR credit applied at another rate the exact gain; rounding cents are cleared",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const vendor = (yield* emu.mutate({ op: "createVendor", name: "Lyon Fournitures SA", billCurrency: "EUR" }))
          .ids[0]!
        const settings = settingsFor("fx", yield* emu.snapshot(), withAccounting)
        const bill = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-01",
          dueDate: "2026-08-31",
          amount: 1000,
          exchangeRate: 1.1
        })).ids[0]!
        const payment = (yield* emu.mutate({
          op: "payBill",
          billId: bill,
          processDate: "2026-09-10",
          exchangeRate: 1.12
        })).ids[0]!
        const small = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-02",
          amount: 1,
          exchangeRate: 1.005
        })).ids[0]!
        const half1 = (yield* emu.mutate({
          op: "payBill",
          billId: small,
          amount: 0.5,
          processDate: "2026-09-11",
          exchangeRate: 1.005
        })).ids[0]!
        const half2 = (yield* emu.mutate({
          op: "payBill",
          billId: small,
          amount: 0.5,
          processDate: "2026-09-12",
          exchangeRate: 1.005
        })).ids[0]!
        const credit = (yield* emu.mutate({
          op: "createVendorCredit",
          vendorId: vendor,
          amount: 100,
          creditDate: "2026-08-05",
          exchangeRate: 1.05
        })).ids[0]!
        const credited = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-06",
          dueDate: "2026-09-05",
          amount: 500,
          exchangeRate: 1.1
        })).ids[0]!
        yield* emu.mutate({ op: "applyCredit", vendorCreditId: credit, billId: credited, amount: 100 })
        // Bill.com shows the rate on v3 bills and payments, on v2 only for credits.
        const snap = (yield* emu.snapshot()) as Record<string, Array<any>>
        expect(snap["bills"]!.find((b) => b.id === bill)).toMatchObject({
          amount: 1000,
          fundingAmount: 1100,
          exchangeRate: 1.1
        })
        expect(snap["payments"]!.find((p) => p.id === payment)).toMatchObject({
          amount: 1000,
          fundingAmount: 1120,
          exchangeRate: 1.12
        })
        expect(snap["vendor-credits"]!.find((c) => c.id === credit)!.exchangeRate).toBeUndefined()

        expect((yield* runSync(settings, plain)).unmet).toEqual([])
        const company = yield* companyOf("fx")
        expect(
          [...(yield* openErrorCodes("fx")).keys()].filter((id) =>
            [bill, payment, small, half1, half2, credit, credited].includes(id)
          )
        ).toEqual([])

        // The bill: every line at its own rate (1.10), keeping EUR and its amount.
        // The emulator's createBill books its line to the first expense account with a parent.
        const expense = snap["chart-of-accounts"]!.find(
          (a) => a.account?.type === "EXPENSE" && a.parentId !== undefined && !a.archived
        )!.account.number as string
        expect((yield* entriesOf(company, bill, ["bill"])).map(lines)).toEqual([
          [
            [expense, "1100.00", "EUR", "1000.00"],
            ["2000", "-1100.00", "EUR", "-1000.00"]
          ]
        ])
        // Paid at 1.12: the bank gives 1,120.00, AP drops by the 1,100.00 the bill was booked at, 20.00 is a realised loss.
        const bank = settings.fundingAccounts.get(snap["banks"]!.find((b) => b.payables)?.id ?? snap["banks"]![0]!.id)!
        expect((yield* entriesOf(company, payment, ["payment"])).map(lines)).toEqual([
          [
            ["2000", "1100.00", "EUR", "1000.00"],
            [bank, "-1120.00", "EUR", "-1000.00"],
            ["7900", "20.00", "USD", "20.00"]
          ]
        ])
        // 1.00 EUR at 1.005 is booked at 1.01, each 0.50 EUR half settles 0.50: the cent left is cleared to FX once the bill is paid in EUR.
        expect((yield* entriesOf(company, small, ["fx-rounding"])).map((e) => [e.kind, e.entryDate, lines(e)])).toEqual(
          [
            [
              "posting",
              "2026-09-12",
              [
                ["2000", "0.01", "EUR", "0.00"],
                ["7900", "-0.01", "USD", "-0.01"]
              ]
            ]
          ]
        )
        // The credit at 1.05 applied to a bill booked at 1.10: the bill's AP falls by 110.00, the credit's by 105.00, 5.00 is a gain.
        expect((yield* entriesOf(company, credit, ["vendor-credit"])).map(lines)[0]![0]).toEqual([
          "2000",
          "105.00",
          "EUR",
          "100.00"
        ])
        expect((yield* entriesOf(company, credit, ["credit-application"])).map(lines)).toEqual([
          [
            ["2000", "110.00", "EUR", "100.00"],
            ["2000", "-105.00", "EUR", "-100.00"],
            ["7900", "-5.00", "USD", "-5.00"]
          ]
        ])

        const open = yield* openItems(company)
        for (const id of [bill, small]) expect(open.get(`bill:${id}`), id).toEqual({ functional: 0n, txn: 0n })
        expect(open.get(`bill:${credited}`)).toEqual({ functional: 44000n, txn: 40000n })
        expect(open.get(`vendor-credit:${credit}`)).toEqual({ functional: 0n, txn: 0n })

        // Reports in USD, with the vendor's EUR balance beside it and a tie-out per currency.
        const reports = yield* Reports
        const aging = agingJson(yield* reports.aging(company, "USD", "2026-09-30"))
        const row = aging.vendors.find((v) => v.vendor === settings.vendors.get(vendor))!
        expect([row.total, row.currencies]).toEqual([
          "440.00",
          [{ currency: "EUR", open: "400.00", functional: "440.00" }]
        ])
        const eur = aging.tieOut.currencies.find((c) => c.currency === "EUR")!
        expect([eur.aging, eur.control, eur.difference, eur.differenceInCurrency]).toEqual([
          { currency: "EUR", open: "400.00", functional: "440.00" },
          { currency: "EUR", open: "400.00", functional: "440.00" },
          "0.00",
          "0.00"
        ])
        expect(aging.tieOut.ties).toBe(true)
        const tb = yield* reports.trialBalance(company, "USD", "2026-09-30")
        expect(tb.debits).toBe(tb.credits)
        // This vendor's realised FX: 20.00 loss − 0.01 rounding − 5.00 gain (the demo's CAD vendor adds its own).
        const fx = [
          ...(yield* entriesOf(company, payment)),
          ...(yield* entriesOf(company, small)),
          ...(yield* entriesOf(company, credit))
        ].flatMap((e) => e.lines.filter((l) => l.account === "7900"))
        expect(fromCents(sumCents(fx.map((l) => toCents(l.amount))))).toBe("14.99")
        expect(yield* (yield* LedgerChecks).check(company)).toEqual([])

        // The tie-out in every format (issue 15.4): text, markdown, JSON (above), HTML; per currency; the trial balance's debits = credits.
        const report = yield* reports.aging(company, "USD", "2026-09-30")
        const total = fromCents(report.tieOut.control)
        const grouped = total.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
        const overall = `Tie-out: aging total ${grouped} USD = AP control 2000 Accounts Payable ${grouped} USD, difference 0.00`
        const eurLine =
          "Tie-out EUR: aging 400.00 EUR (440.00 USD) = AP control 400.00 EUR (440.00 USD), difference 0.00 EUR / 0.00 USD"
        const text = textTable(agingTable(report))
        const markdown = markdownTable(agingTable(report))
        const html = renderHtml(yield* collectHtmlInput("fx", "fx-co", "2026-09-30"))
        for (const out of [text, markdown, html]) {
          expect(out).toContain(overall)
          expect(out).toContain(eurLine)
          expect(out).toMatch(
            /Tie-out CAD: aging [\d,.]+ CAD \([\d,.]+ USD\) = AP control [\d,.]+ CAD \([\d,.]+ USD\), difference 0\.00 CAD \/ 0\.00 USD/
          )
          expect(out).toContain("Lyon Fournitures SA (")
        }
        expect(markdown).toContain(`> ${overall}`)
        expect(html).toContain(`id="tie-out">difference 0.00</b>`)
        expect(text).toContain("open in EUR: 400.00 EUR = 440.00 USD")
        const tbText = textTable(trialBalanceTable(tb))
        expect(tbText).toMatch(/Debits [\d,.]+ = credits [\d,.]+, difference 0\.00/)
        expect(trialBalanceJson(tb).difference).toBe("0.00")
        expect(html).toMatch(/Debits [\d,.]+ = credits [\d,.]+, difference 0\.00/)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect(
    "a missing, zero or inverted rate is an integration error, never a guess; so is a foreign record without an FX account",
    () => {
      const edited = new Map<string, unknown>()
      return Effect.gen(function* () {
        const emu = yield* Emulator
        const vendor = (yield* emu.mutate({ op: "createVendor", name: "Toronto Tools Inc.", billCurrency: "CAD" }))
          .ids[0]!
        const ok = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-01",
          amount: 200,
          exchangeRate: 0.74
        })).ids[0]!
        const missing = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-02",
          amount: 200,
          exchangeRate: 0.74
        })).ids[0]!
        const zero = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-03",
          amount: 200,
          exchangeRate: 0.74
        })).ids[0]!
        const inverted = (yield* emu.mutate({
          op: "createBill",
          vendorId: vendor,
          invoiceDate: "2026-08-04",
          amount: 200,
          exchangeRate: 0.74
        })).ids[0]!
        edited.set(missing, undefined)
        edited.set(zero, 0)
        edited.set(inverted, 1 / 0.74)
        const settings = settingsFor("fx-errors", yield* emu.snapshot(), withAccounting)
        yield* runSync(settings, plain)
        const company = yield* companyOf("fx-errors")
        const errors = yield* openErrorCodes("fx-errors")
        expect([errors.get(ok), errors.get(missing), errors.get(zero), errors.get(inverted)]).toEqual([
          undefined,
          "fx-rate-missing",
          "fx-rate-missing",
          "fx-rate-inconsistent"
        ])
        for (const id of [missing, zero, inverted]) expect((yield* entriesOf(company, id)).length, id).toBe(0)
        expect((yield* entriesOf(company, ok, ["bill"]))[0]!.lines.find((l) => l.account === "2000")!.amount).toBe(
          "-148.00"
        )

        // The same records under a pipeline without ledger.fxGainLossAccount: errors, nothing posted.
        yield* runSync(
          { ...settings, pipeline: "fx-no-account", company: "fx-no-account-co", fxGainLossAccount: undefined },
          plain
        )
        expect((yield* openErrorCodes("fx-no-account")).get(ok)).toBe("fx-account-missing")
        // A GBP ledger has no Bill.com rate for a CAD (or USD) bill at all.
        yield* runSync({ ...settings, pipeline: "fx-gbp", company: "fx-gbp-co", currency: "GBP" }, plain)
        expect((yield* openErrorCodes("fx-gbp")).get(ok)).toBe("fx-no-functional-rate")
      }).pipe(
        Effect.provide(
          withListEdits((list, raw) => {
            const r = raw as { id: string }
            if (list !== "bills" || !edited.has(r.id)) return raw
            const { exchangeRate: _drop, ...rest } = raw as Record<string, unknown>
            const rate = edited.get(r.id)
            return rate === undefined ? rest : { ...rest, exchangeRate: rate }
          })
        ),
        TestServices.provideLive
      )
    }
  )
})
