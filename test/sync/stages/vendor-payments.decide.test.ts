import { describe, expect, test } from "vitest"
import { decidePayments, vendorPaymentsHandler, type PaymentLookups } from "../../../src/sync/stages/vendor-payments.ts"
import { candidate, links, payloadOf, settings, verdict } from "./support.ts"

/**
 * The vendor-payment rules with plain data (no HTTP, no database): cutoff, vendor and funding
 * mappings, the wallet, GL rows, currencies, and the statuses in which money moved (PAID,
 * ESCHEATED) for the closed period.
 */
const VENDOR = "00901VENDOR0000001"
const BANK = "bac01BANK000000001"
const GL = "0ca01CHECKING00001"
const BILL = "00n01BILL000000001"
const ID = "stp01PAYMENT000001"

const payment = (overrides: Record<string, unknown> = {}) => ({
  id: ID,
  vendorId: VENDOR,
  processDate: "2025-03-10",
  amount: 100,
  status: "PAID",
  fundingAccount: { type: "BANK_ACCOUNT", id: BANK },
  billPayments: [{ id: "bpy1", billId: BILL, amount: 100 }],
  updatedTime: "2025-03-10T12:00:00.000Z",
  ...overrides
})

const lookups = (overrides: Partial<PaymentLookups> = {}): PaymentLookups => ({
  links: links({ vendor: { [VENDOR]: 11 }, "bank-account": { [BANK]: 31 }, bill: { [BILL]: 41 } }),
  refusedVendors: new Set(),
  banks: new Map([[31, { ledgerAccountId: 1000, billcomChartOfAccountId: GL }]]),
  vendorCurrencies: new Map([[11, null]]),
  walletAccountId: undefined,
  postedDates: new Map(),
  billPayFrom: new Map(),
  linkedGl: new Map([[GL, 1000]]),
  pulledGl: new Set([GL]),
  v2Gl: new Map(),
  chart: [{ id: 1000, number: "1000", type: "bank", billcomId: null, active: true }],
  ...overrides
})

const decide = (
  raw: Record<string, unknown>,
  l: Partial<PaymentLookups> = {},
  s: Parameters<typeof settings>[0] = {},
  previous?: Parameters<typeof candidate>[2]
) => decidePayments([candidate(vendorPaymentsHandler, raw, previous)], lookups(l), settings(s))[0]!

describe("payments: what imports", () => {
  test("a mapped payment imports from its bank account's ledger account, applied to its linked bills", () => {
    expect(payloadOf(decide(payment()))).toEqual({
      payment: {
        billcomId: ID,
        vendorId: 11,
        processDate: "2025-03-10",
        amount: "100.00",
        fundingType: "BANK_ACCOUNT",
        fundingAmount: null,
        status: "PAID",
        description: null,
        updatedTime: "2025-03-10T12:00:00.000Z",
        applications: [{ line_no: 1, billcom_id: "bpy1", billcom_bill_id: BILL, bill_id: 41, amount: "100.00" }],
        fundingAccountId: 31,
        cashAccountId: 1000,
        currency: "USD",
        exchangeRate: null
      },
      links: []
    })
  })

  test("every status is kept (only PAID and ESCHEATED post, in the journal)", () => {
    for (const status of ["PAID", "ESCHEATED", "SCHEDULED", "CANCELLED", "FAILED"])
      expect(payloadOf(decide(payment({ status }))).payment.status).toBe(status)
  })

  test("a single-bill payment (billId) applies its whole amount; an unlinked bill is kept by its Bill.com id", () => {
    const o = decide(payment({ billPayments: null, billId: "00n-unlinked" }))
    expect(payloadOf(o).payment.applications).toEqual([
      { line_no: 1, billcom_id: null, billcom_bill_id: "00n-unlinked", bill_id: null, amount: "100.00" }
    ])
  })

  test("a payment without a processDate is an invalid record", () => {
    expect(verdict(decide(payment({ processDate: null })))).toBe("Fail invalid-record")
  })
})

describe("payments: cutoff", () => {
  const before = { processDate: "2023-12-15" }

  test("before the cutoff without ledger.openingBalanceAccount: skipped before-cutoff", () => {
    expect(verdict(decide(payment(before), {}, { cutoff: "2024-01-01" }))).toBe("Skip before-cutoff")
  })

  test("before the cutoff with openings: kept unposted to settle opening items — no GL, rate or closed-period check", () => {
    const s = {
      cutoff: "2024-01-01",
      openingBalanceAccount: "3900",
      closedThrough: "2023-12-31",
      closedPeriodPolicy: "error" as const
    }
    const o = decide(
      payment({ ...before, exchangeRate: 1.2 }),
      { vendorCurrencies: new Map([[11, "EUR"]]), linkedGl: new Map() },
      s
    )
    expect(payloadOf(o).payment).toMatchObject({
      currency: "EUR",
      exchangeRate: "1.2",
      cashAccountId: 1000,
      fundingAccountId: 31
    })
  })

  test("before the cutoff with an unmapped vendor: skipped; after it: payment-unmapped-vendor", () => {
    const s = { cutoff: "2024-01-01", openingBalanceAccount: "3900" }
    expect(verdict(decide(payment(before), { links: links({}) }, s))).toBe("Skip before-cutoff")
    expect(verdict(decide(payment(), { links: links({}) }, s))).toBe("Fail payment-unmapped-vendor")
  })

  test("a payment whose vendor was refused waits for it (master-record-refused)", () => {
    expect(verdict(decide(payment(), { links: links({}), refusedVendors: new Set([VENDOR]) }))).toBe(
      "Fail master-record-refused"
    )
  })
})

describe("payments: funding", () => {
  test("an unmapped funding account is payment-unmapped-funding", () => {
    const o = decide(payment({ fundingAccount: { type: "CARD_ACCOUNT", id: "cac-x" } }))
    expect(verdict(o)).toBe("Fail payment-unmapped-funding")
    expect(o._tag === "Fail" && o.failure.message).toBe(
      "funding account CARD_ACCOUNT cac-x is not mapped to a ledger bank account"
    )
  })

  test("a WALLET payment comes out of ledger.walletAccount", () => {
    const wallet = payment({ fundingAccount: { type: "WALLET" } })
    expect(payloadOf(decide(wallet, { walletAccountId: 1050 }, { walletAccount: "1050" })).payment).toMatchObject({
      cashAccountId: 1050,
      fundingAccountId: null
    })
  })

  test("a WALLET payment without ledger.walletAccount, or with one outside the chart, is payment-wallet-unmapped", () => {
    const wallet = payment({ fundingAccount: { type: "WALLET" } })
    const unset = decide(wallet)
    expect(verdict(unset)).toBe("Fail payment-wallet-unmapped")
    expect(unset._tag === "Fail" && unset.failure.message).toContain("set ledger.walletAccount")
    const outside = decide(wallet, {}, { walletAccount: "1050" })
    expect(outside._tag === "Fail" && outside.failure.message).toContain("is not an account of the ledger chart")
  })
})

describe("payments: GL rows", () => {
  const unlinked = { linkedGl: new Map<string, number>(), pulledGl: new Set<string>() }

  test("a GL row resolved with the v2 read maps by number and type; its link and the row are kept", () => {
    const row = { id: GL, number: "1000", type: "BANK", archived: false }
    const o = decide(payment(), { ...unlinked, v2Gl: new Map([[GL, row]]) })
    expect(payloadOf(o).links).toEqual([{ billcomId: GL, accountId: 1000, number: "1000" }])
    expect(o.enrichment).toEqual({ chartOfAccounts: { [GL]: row } })
  })

  test("a GL row resolved earlier (stored enrichment) needs no read", () => {
    const row = { id: GL, number: "1000", type: "BANK", archived: false }
    const o = decide(payment(), unlinked, {}, { enrichment: { chartOfAccounts: { [GL]: row } } })
    expect(verdict(o)).toBe("Import")
  })

  test("a GL row that maps to no ledger account, or is not resolved yet, is payment-unmapped-gl", () => {
    const row = { id: GL, number: "1999", type: "BANK", archived: false }
    const o = decide(payment(), { ...unlinked, v2Gl: new Map([[GL, row]]) })
    expect(verdict(o)).toBe("Fail payment-unmapped-gl")
    expect(o.enrichment).toEqual({ chartOfAccounts: { [GL]: row } })
    const unresolved = decide(payment(), unlinked)
    expect(unresolved._tag === "Fail" && unresolved.failure.detail).toEqual({ unmapped: [`${GL} (not resolved yet)`] })
  })

  test("the paid bills' pay-from rows are GL rows too", () => {
    const o = decide(payment(), { billPayFrom: new Map([[BILL, "0ca-payfrom"]]) })
    expect(o._tag === "Fail" && o.failure.detail).toEqual({ unmapped: ["0ca-payfrom (not resolved yet)"] })
  })
})

describe("payments: currencies", () => {
  const eur = { vendorCurrencies: new Map([[11, "EUR"]]) }

  test("a foreign-currency payment posts at its rate; without one it is refused", () => {
    const o = decide(payment({ exchangeRate: 1.1, fundingAmount: 110 }), eur, { fxGainLossAccount: "7900" })
    expect(payloadOf(o).payment).toMatchObject({ currency: "EUR", exchangeRate: "1.1", fundingAmount: "110.00" })
    expect(verdict(decide(payment(), eur, { fxGainLossAccount: "7900" }))).toBe("Fail fx-rate-missing")
  })
})

describe("payments: closed period (closedPeriodPolicy error) meets only payments in which money moved", () => {
  const closed = { closedThrough: "2025-03-31", closedPeriodPolicy: "error" as const }

  test("PAID and ESCHEATED (any case) in the closed period are refused", () => {
    for (const status of ["PAID", "ESCHEATED", "paid"])
      expect(verdict(decide(payment({ status }), {}, closed))).toBe("Fail closed-period")
  })

  test("a scheduled, cancelled or failed payment posts nothing, so it is kept", () => {
    for (const status of ["SCHEDULED", "CANCELLED", "FAILED"])
      expect(verdict(decide(payment({ status }), {}, closed))).toBe("Import")
  })

  test("a payment whose posted entry lies in the closed period is refused whatever its status now", () => {
    const posted = { postedDates: new Map([[ID, "2025-03-10"]]) }
    expect(verdict(decide(payment({ status: "VOIDED", processDate: "2025-04-02" }), posted, closed))).toBe(
      "Fail closed-period"
    )
  })
})
