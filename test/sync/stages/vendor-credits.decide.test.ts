import { describe, expect, test } from "vitest"
import { decideCredits, vendorCreditsHandler, type CreditLookups } from "../../../src/sync/stages/vendor-credits.ts"
import { candidate, links, payloadOf, settings, verdict } from "./support.ts"

/** The vendor-credit rules with plain data: cutoff, mappings, archived, the v2 rate, closed periods. */
const VENDOR = "00901VENDOR0000001"
const ACCOUNT = "0ca01EXPENSE000001"
const ID = "vcr01CREDIT0000001"

const credit = (overrides: Record<string, unknown> = {}) => ({
  id: ID,
  vendorId: VENDOR,
  referenceNumber: "CR-1",
  creditDate: "2025-03-10",
  amount: 50,
  appliedAmount: 20,
  status: "PARTIALLY_APPLIED",
  vendorCreditLineItems: [{ amount: 50, classifications: { chartOfAccountId: ACCOUNT } }],
  updatedTime: "2025-03-10T12:00:00.000Z",
  ...overrides
})

const lookups = (overrides: Partial<CreditLookups> = {}): CreditLookups => ({
  links: links({ vendor: { [VENDOR]: 11 }, "chart-of-account": { [ACCOUNT]: 21 } }),
  refusedVendors: new Set(),
  vendorCurrencies: new Map([[11, null]]),
  v2Rates: new Map(),
  postedDates: new Map(),
  ...overrides
})

const decide = (
  raw: Record<string, unknown>,
  l: Partial<CreditLookups> = {},
  s: Parameters<typeof settings>[0] = {},
  previous?: Parameters<typeof candidate>[2]
) => decideCredits([candidate(vendorCreditsHandler, raw, previous)], lookups(l), settings(s))[0]!

describe("vendor credits", () => {
  test("a mapped credit imports with its lines, applied amount and status", () => {
    expect(payloadOf(decide(credit()))).toMatchObject({
      _tag: "Write",
      credit: {
        billcomId: ID,
        vendorId: 11,
        referenceNumber: "CR-1",
        creditDate: "2025-03-10",
        amount: "50.00",
        appliedAmount: "20.00",
        currency: "USD",
        exchangeRate: null,
        lines: [{ line_no: 1, account_id: 21, amount: "50.00" }]
      }
    })
  })

  test("archived: archived when the ledger holds it, skipped when it never did", () => {
    expect(payloadOf(decide(credit({ archived: true }), {}, {}, { outcome: "imported" }))).toEqual({ _tag: "Archive" })
    expect(verdict(decide(credit({ archived: true })))).toBe("Skip archived")
  })

  test("no creditDate: invalid record", () => {
    expect(verdict(decide(credit({ creditDate: null })))).toBe("Fail invalid-record")
  })

  test("before the cutoff: skipped without openings; with them kept without lines", () => {
    const old = credit({ creditDate: "2023-11-01", vendorCreditLineItems: [{ amount: 50 }] })
    expect(verdict(decide(old, {}, { cutoff: "2024-01-01" }))).toBe("Skip before-cutoff")
    const o = decide(old, {}, { cutoff: "2024-01-01", openingBalanceAccount: "3900" })
    expect(payloadOf(o)).toMatchObject({ credit: { lines: [], creditDate: "2023-11-01" } })
  })

  test("missing mappings are named; a credit without lines is unmapped; a refused vendor is waited for", () => {
    const o = decide(
      credit({ vendorCreditLineItems: [{ amount: 50, classifications: { chartOfAccountId: "0ca-x" } }] }),
      {
        links: links({})
      }
    )
    expect(o._tag === "Fail" && o.failure.detail).toEqual({
      missing: [`vendor ${VENDOR}`, "chart-of-account 0ca-x (line 1)"]
    })
    expect(verdict(decide(credit({ vendorCreditLineItems: [] })))).toBe("Fail vendor-credit-unmapped")
    expect(verdict(decide(credit(), { refusedVendors: new Set([VENDOR]) }))).toBe("Fail master-record-refused")
  })

  test("a foreign-currency credit posts at the v2 rate read this run, kept in the enrichment", () => {
    const o = decide(
      credit(),
      { vendorCurrencies: new Map([[11, "EUR"]]), v2Rates: new Map([[ID, 1.2]]) },
      { fxGainLossAccount: "7900" }
    )
    expect(payloadOf(o)).toMatchObject({ credit: { currency: "EUR", exchangeRate: "1.2" } })
    expect(o.enrichment).toEqual({ exchangeRate: 1.2 })
  })

  test("re-evaluation uses the stored rate; a read overrides it; none at all is fx-rate-missing", () => {
    const eur = { vendorCurrencies: new Map([[11, "EUR"]]) }
    const fx = { fxGainLossAccount: "7900" }
    const stored = { enrichment: { exchangeRate: 1.3 } }
    expect(payloadOf(decide(credit(), eur, fx, stored))).toMatchObject({ credit: { exchangeRate: "1.3" } })
    expect(payloadOf(decide(credit(), { ...eur, v2Rates: new Map([[ID, 1.4]]) }, fx, stored))).toMatchObject({
      credit: { exchangeRate: "1.4" }
    })
    const none = decide(credit(), { ...eur, v2Rates: new Map([[ID, null]]) }, fx)
    expect(verdict(none)).toBe("Fail fx-rate-missing")
    expect(none.enrichment).toEqual({ exchangeRate: null })
  })

  test("closed period (policy error): the credit's date, an opening item's cutoff, or its posted entry", () => {
    const closed = { closedThrough: "2025-03-31", closedPeriodPolicy: "error" as const }
    expect(verdict(decide(credit(), {}, closed))).toBe("Fail closed-period")
    expect(verdict(decide(credit({ creditDate: "2025-04-01" }), {}, closed))).toBe("Import")
    const posted = { postedDates: new Map([[ID, "2025-02-01"]]) }
    expect(verdict(decide(credit({ creditDate: "2025-04-01" }), posted, closed))).toBe("Fail closed-period")
    const opening = { ...closed, closedThrough: "2023-12-31", cutoff: "2024-01-01", openingBalanceAccount: "3900" }
    expect(verdict(decide(credit({ creditDate: "2023-06-01" }), {}, opening))).toBe("Import")
  })

  test("lines that do not add up import with a warning", () => {
    expect(verdict(decide(credit({ amount: 70 })))).toBe("Import (warning lines-differ-from-amount)")
  })
})
