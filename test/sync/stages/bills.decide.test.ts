import { describe, expect, test } from "vitest"
import { billsHandler, decideBills, type BillLookups } from "../../../src/sync/stages/bills.ts"
import { candidate, links, payloadOf, settings, verdict } from "./support.ts"

/**
 * The bills rules with plain data (no HTTP, no database): docs/accounting.md and the integration
 * reference — approvals, cutoff and opening items, mappings, archived, currencies, closed periods.
 */
const VENDOR = "00901VENDOR0000001"
const ACCOUNT = "0ca01EXPENSE000001"

const bill = (overrides: Record<string, unknown> = {}) => ({
  id: "00n01BILL000000001",
  vendorId: VENDOR,
  vendorName: "Acme",
  amount: 100,
  approvalStatus: "APPROVED",
  paymentStatus: "UNPAID",
  invoice: { invoiceNumber: "INV-1", invoiceDate: "2025-03-10" },
  dueDate: "2025-04-10",
  billLineItems: [{ id: "line1", amount: 100, classifications: { chartOfAccountId: ACCOUNT } }],
  updatedTime: "2025-03-10T12:00:00.000Z",
  ...overrides
})

const lookups = (overrides: Partial<BillLookups> = {}): BillLookups => ({
  links: links({ vendor: { [VENDOR]: 11 }, "chart-of-account": { [ACCOUNT]: 21 } }),
  refusedVendors: new Set(),
  vendorCurrencies: new Map([[11, null]]),
  v2Approvals: new Map(),
  postedDates: new Map(),
  ...overrides
})

const decide = (
  raw: Record<string, unknown>,
  l: Partial<BillLookups> = {},
  s: Parameters<typeof settings>[0] = {},
  previous?: Parameters<typeof candidate>[2]
) => decideBills([candidate(billsHandler, raw, previous)], lookups(l), settings(s))[0]!

describe("bills: approval", () => {
  test("APPROVED and UNASSIGNED import (UNASSIGNED: the organization has no approval policy for the bill)", () => {
    expect(verdict(decide(bill({ approvalStatus: "APPROVED" })))).toBe("Import")
    expect(verdict(decide(bill({ approvalStatus: "UNASSIGNED" })))).toBe("Import")
  })

  test("ASSIGNED and APPROVING wait as not-approved, with an open bill-not-approved error", () => {
    for (const status of ["ASSIGNED", "APPROVING"]) {
      const o = decide(bill({ approvalStatus: status }))
      expect(verdict(o)).toBe("Skip not-approved (bill-not-approved)")
      expect(o._tag === "Skip" && o.error?.message).toBe(`bill INV-1 approval status is ${status}`)
    }
  })

  test("an unknown status is not an approval", () => {
    expect(verdict(decide(bill({ approvalStatus: "SOMETHING_NEW" })))).toBe("Skip not-approved (bill-not-approved)")
  })

  test("DENIED is skipped as denied, with a bill-denied error", () => {
    expect(verdict(decide(bill({ approvalStatus: "DENIED" })))).toBe("Skip denied (bill-denied)")
  })

  test("v3 without a settled status: the v2 answer read this run decides and is kept in the enrichment", () => {
    const o = decide(bill({ approvalStatus: "UNDEFINED" }), {
      v2Approvals: new Map([["00n01BILL000000001", "APPROVED"]])
    })
    expect(verdict(o)).toBe("Import")
    expect(o.enrichment).toEqual({ approvalStatus: "APPROVED", approvalSource: "v2" })
    expect(payloadOf(o)).toMatchObject({ _tag: "Write", bill: { approvalStatus: "APPROVED" } })
  })

  test("v3 without a settled status and no v2 read (re-evaluation): the stored v2 answer decides, else UNDEFINED", () => {
    const approved = decide(bill({ approvalStatus: null }), {}, {}, { enrichment: { approvalStatus: "APPROVED" } })
    expect(verdict(approved)).toBe("Import")
    expect(approved.enrichment).toBeUndefined()
    const pending = decide(bill({ approvalStatus: null }), {}, {}, { enrichment: { approvalStatus: "ASSIGNED" } })
    expect(pending._tag === "Skip" && pending.error?.message).toBe("bill INV-1 approval status is ASSIGNED")
    const none = decide(bill({ approvalStatus: "" }))
    expect(none._tag === "Skip" && none.error?.message).toBe("bill INV-1 approval status is UNDEFINED")
  })

  test("v3's settled status wins over a stored v2 answer", () => {
    expect(
      verdict(decide(bill({ approvalStatus: "APPROVED" }), {}, {}, { enrichment: { approvalStatus: "ASSIGNED" } }))
    ).toBe("Import")
  })
})

describe("bills: cutoff and opening items", () => {
  const before = { invoice: { invoiceNumber: "OLD-1", invoiceDate: "2023-12-31" } }

  test("before the cutoff without ledger.openingBalanceAccount: skipped before-cutoff", () => {
    expect(verdict(decide(bill(before), {}, { cutoff: "2024-01-01" }))).toBe("Skip before-cutoff")
  })

  test("on the cutoff day the bill is after it (string compare of YYYY-MM-DD)", () => {
    const onDay = bill({ invoice: { invoiceNumber: "D", invoiceDate: "2024-01-01" } })
    expect(verdict(decide(onDay, {}, { cutoff: "2024-01-01" }))).toBe("Import")
  })

  test("before the cutoff with an opening balance account: kept without lines (their accounts not needed)", () => {
    const raw = bill({
      ...before,
      billLineItems: [{ amount: 100, classifications: { chartOfAccountId: "0ca-unmapped" } }]
    })
    const o = decide(raw, {}, { cutoff: "2024-01-01", openingBalanceAccount: "3900" })
    expect(verdict(o)).toBe("Import")
    expect(payloadOf(o)).toMatchObject({
      _tag: "Write",
      bill: { lines: [], amount: "100.00", invoiceDate: "2023-12-31" }
    })
  })

  test("before the cutoff and not approved (ASSIGNED, APPROVING, DENIED): skipped before-cutoff, no error", () => {
    const s = { cutoff: "2024-01-01", openingBalanceAccount: "3900" }
    for (const approvalStatus of ["ASSIGNED", "APPROVING", "DENIED"])
      expect(verdict(decide(bill({ ...before, approvalStatus }), {}, s))).toBe("Skip before-cutoff")
  })

  test("before the cutoff with an unmapped vendor: skipped when Bill.com shows it PAID, an error when still owed", () => {
    const s = { cutoff: "2024-01-01", openingBalanceAccount: "3900" }
    const unmapped = { links: links({}) }
    expect(verdict(decide(bill({ ...before, paymentStatus: "PAID" }), unmapped, s))).toBe("Skip before-cutoff")
    expect(verdict(decide(bill({ ...before, paymentStatus: "UNPAID" }), unmapped, s))).toBe("Fail bill-unmapped")
  })
})

describe("bills: mappings", () => {
  test("every missing mapping is named in one bill-unmapped error", () => {
    const raw = bill({
      billLineItems: [
        { amount: 60, classifications: { chartOfAccountId: "0ca-x", itemId: "0ii-x", departmentId: "0de-x" } },
        { amount: 40 }
      ]
    })
    const o = decide(raw, { links: links({}) })
    expect(verdict(o)).toBe("Fail bill-unmapped")
    expect(o._tag === "Fail" && o.failure.detail).toEqual({
      missing: [
        `vendor ${VENDOR} (Acme)`,
        "chart-of-account 0ca-x (line 1)",
        "item 0ii-x (line 1)",
        "department 0de-x (line 1)",
        "line 2 has no chart-of-account"
      ]
    })
  })

  test("a line without its own account takes the bill's header account", () => {
    const raw = bill({ billLineItems: [{ amount: 100 }], classifications: { chartOfAccountId: ACCOUNT } })
    expect(payloadOf(decide(raw))).toMatchObject({ bill: { lines: [{ account_id: 21, amount: "100.00" }] } })
  })

  test("a bill with no line items is unmapped", () => {
    const o = decide(bill({ billLineItems: [] }))
    expect(o._tag === "Fail" && o.failure.detail).toEqual({ missing: ["the bill has no line items"] })
  })

  test("a bill whose vendor was refused waits for it (master-record-refused)", () => {
    const o = decide(bill(), {
      links: links({ "chart-of-account": { [ACCOUNT]: 21 } }),
      refusedVendors: new Set([VENDOR])
    })
    expect(verdict(o)).toBe("Fail master-record-refused")
  })

  test("the imported bill carries the ledger ids, dates and the pay-from account", () => {
    const o = decide(bill({ payFromChartOfAccountId: ACCOUNT }))
    expect(payloadOf(o)).toMatchObject({
      _tag: "Write",
      bill: {
        billcomId: "00n01BILL000000001",
        vendorId: 11,
        invoiceNumber: "INV-1",
        invoiceDate: "2025-03-10",
        dueDate: "2025-04-10",
        amount: "100.00",
        currency: "USD",
        exchangeRate: null,
        payFromAccountId: 21,
        sourceVersion: "hash-of-00n01BILL000000001"
      }
    })
  })
})

describe("bills: archived and invalid", () => {
  test("an archived bill the ledger holds is archived; one it never held is skipped", () => {
    expect(payloadOf(decide(bill({ archived: true }), {}, {}, { outcome: "imported" }))).toEqual({ _tag: "Archive" })
    expect(verdict(decide(bill({ archived: true }), {}, {}, { outcome: "skipped", reason: "not-approved" }))).toBe(
      "Skip archived"
    )
    expect(verdict(decide(bill({ archived: true })))).toBe("Skip archived")
  })

  test("an archived bill refused while its period was closed (still holding the old version) is archived", () => {
    expect(verdict(decide(bill({ archived: true }), {}, {}, { outcome: "error", reason: "closed-period" }))).toBe(
      "Import"
    )
  })

  test("a bill without an invoice date is an invalid record", () => {
    expect(verdict(decide(bill({ invoice: { invoiceNumber: "X" } })))).toBe("Fail invalid-record")
  })
})

describe("bills: currencies", () => {
  const eur = { vendorCurrencies: new Map([[11, "eur "]]) }

  test("a bill of a foreign-currency vendor posts at Bill.com's rate (amount × rate = fundingAmount)", () => {
    const o = decide(bill({ exchangeRate: 1.1, fundingAmount: 110 }), eur, { fxGainLossAccount: "7900" })
    expect(payloadOf(o)).toMatchObject({ bill: { currency: "EUR", exchangeRate: "1.1" } })
  })

  test("no rate, an inconsistent one, no FX account, a non-USD ledger, an unreadable currency: each refused", () => {
    const fx = { fxGainLossAccount: "7900" }
    expect(verdict(decide(bill(), eur, fx))).toBe("Fail fx-rate-missing")
    expect(verdict(decide(bill({ exchangeRate: 1.1, fundingAmount: 200 }), eur, fx))).toBe("Fail fx-rate-inconsistent")
    expect(verdict(decide(bill({ exchangeRate: 1.1 }), eur))).toBe("Fail fx-account-missing")
    expect(verdict(decide(bill({ exchangeRate: 1.1 }), eur, { ...fx, currency: "CAD" }))).toBe(
      "Fail fx-no-functional-rate"
    )
    expect(verdict(decide(bill({ exchangeRate: 1.1 }), { vendorCurrencies: new Map([[11, "euro"]]) }, fx))).toBe(
      "Fail currency-unreadable"
    )
  })

  test("a vendor without a currency bills in USD", () => {
    expect(payloadOf(decide(bill(), { vendorCurrencies: new Map() }))).toMatchObject({ bill: { currency: "USD" } })
  })
})

describe("bills: closed period (closedPeriodPolicy error)", () => {
  const closed = { closedThrough: "2025-03-31", closedPeriodPolicy: "error" as const }

  test("a bill dated in the closed period is refused; after it, it imports", () => {
    expect(verdict(decide(bill(), {}, closed))).toBe("Fail closed-period")
    const april = bill({ invoice: { invoiceNumber: "A", invoiceDate: "2025-04-01" } })
    expect(verdict(decide(april, {}, closed))).toBe("Import")
  })

  test("a bill whose posted entry lies in the closed period is refused even if it moved after it", () => {
    const april = bill({ invoice: { invoiceNumber: "A", invoiceDate: "2025-04-01" } })
    const posted = { postedDates: new Map([["00n01BILL000000001", "2025-03-10"]]) }
    expect(verdict(decide(april, posted, closed))).toBe("Fail closed-period")
    expect(verdict(decide(bill({ archived: true }), posted, closed, { outcome: "imported" }))).toBe(
      "Fail closed-period"
    )
  })

  test("an opening item is dated the cutoff", () => {
    const s = { ...closed, closedThrough: "2023-12-31", cutoff: "2024-01-01", openingBalanceAccount: "3900" }
    const old = bill({ invoice: { invoiceNumber: "OLD", invoiceDate: "2023-06-01" } })
    expect(verdict(decide(old, {}, s))).toBe("Import")
  })

  test("next-open-period (the default) refuses nothing", () => {
    expect(verdict(decide(bill(), {}, { closedThrough: "2025-03-31" }))).toBe("Import")
  })
})

describe("bills: what looks wrong imports with a warning", () => {
  test("lines that do not add up to the amount, and a negative amount", () => {
    expect(verdict(decide(bill({ amount: 120 })))).toBe("Import (warning lines-differ-from-amount)")
    const negative = bill({
      amount: -5,
      billLineItems: [{ amount: -5, classifications: { chartOfAccountId: ACCOUNT } }]
    })
    expect(verdict(decide(negative))).toBe("Import (warning negative-amount)")
  })

  test("without an amount, the lines' sum is the amount", () => {
    expect(payloadOf(decide(bill({ amount: null })))).toMatchObject({ bill: { amount: "100.00" } })
  })
})
