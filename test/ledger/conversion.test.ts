import { expect, it } from "vitest"
import { convertCents, fromCents, parseRate, sumCents } from "../../src/ledger/money.ts"
import { billEntry, paymentEntry } from "../../src/ledger/postings.ts"
import { toRate } from "../../src/sync/money.ts"

/** Pure rules of the multi-currency postings (docs/accounting.md, "Currencies"): exact, never a float. */

it("converts cents at a decimal rate, rounding half away from zero in integer arithmetic", () => {
  expect(convertCents(100000n, "1.1")).toBe(110000n)
  expect(convertCents(50n, "1.005")).toBe(50n) // 0.5025 → 0.50
  expect(convertCents(100n, "1.005")).toBe(101n) // 1.005 → 1.01 (half away from zero)
  expect(convertCents(-100n, "1.005")).toBe(-101n)
  expect(convertCents(22899n, "1")).toBe(22899n)
  // A float product would give 228.98999…: the decimal rate never goes through one.
  expect(convertCents(22899n, "1.000000")).toBe(22899n)
  expect(convertCents(1n, "0.4")).toBe(0n)
  expect(parseRate("0")).toBeUndefined()
  expect(parseRate("-1.2")).toBeUndefined()
  expect(parseRate("1e3")).toBeUndefined()
  expect(() => convertCents(1n, "abc")).toThrow(/not an exchange rate/)
})

it("Bill.com's JSON rate becomes exact decimal text (its shortest form), a zero or missing one none", () => {
  expect([
    toRate(1.1),
    toRate(0.735412),
    toRate(1),
    toRate(0),
    toRate(-1),
    toRate(undefined),
    toRate(Number.NaN)
  ]).toEqual(["1.1", "0.735412", "1", undefined, undefined, undefined, undefined])
})

it("a foreign bill's lines meet its converted total: a visible rounding line takes the cents", () => {
  const lines = ["33.33", "33.33", "33.34"].map((amount, i) => ({
    account_id: 10 + i,
    item_id: null,
    customer_id: null,
    dimension_ids: [],
    description: null,
    amount
  }))
  const spec = billEntry(
    {
      billcomId: "00n02X",
      vendorId: 1,
      invoiceNumber: "X",
      invoiceDate: "2026-01-05",
      amount: "100.00",
      currency: "USD",
      conversion: { currency: "EUR", rate: "1.005" },
      archived: false,
      lines
    },
    99
  )!
  expect(spec.currency).toBe("USD")
  expect(
    spec.lines.map((l) => [l.accountId, fromCents(l.amount), l.currency, fromCents(l.txnAmount), l.description])
  ).toEqual([
    [10, "33.50", "EUR", "33.33", null],
    [11, "33.50", "EUR", "33.33", null],
    [12, "33.51", "EUR", "33.34", null],
    [10, "-0.01", "EUR", "0.00", "rounding at the exchange rate"],
    [99, "-100.50", "EUR", "-100.00", null]
  ])
  expect(sumCents(spec.lines.map((l) => l.amount))).toBe(0n)
})

it("a payment at another rate than the bill's: AP at the booked rate, the bank at the payment's, the gap to FX; none without an FX account", () => {
  const payment = {
    billcomId: "stp02P",
    vendorId: 1,
    processDate: "2026-02-01",
    amount: "1000.00",
    currency: "USD",
    conversion: { currency: "EUR", rate: "1.12" },
    cashAccountId: 5,
    posts: true,
    applications: [{ billcomBillId: "00n02B", amount: "1000.00" }]
  }
  const booked = new Map([["00n02B", { currency: "EUR", rate: "1.1" }]])
  const spec = paymentEntry(payment, { ap: 99, fxGainLoss: 7 }, booked)!
  expect(spec.lines.map((l) => [l.accountId, fromCents(l.amount)])).toEqual([
    [99, "1100.00"],
    [5, "-1120.00"],
    [7, "20.00"]
  ])
  expect(() => paymentEntry(payment, { ap: 99 }, booked)).toThrow(/names no ledger.fxGainLossAccount/)
  // Not moved (SCHEDULED, VOID, …): nothing at all.
  expect(paymentEntry({ ...payment, posts: false }, { ap: 99, fxGainLoss: 7 }, booked)).toBeUndefined()
})
