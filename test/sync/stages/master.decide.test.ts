import { describe, expect, test } from "vitest"
import type { ChartAccount } from "../../../src/store/ledger-master.ts"
import { accountsHandler, mapChartRow } from "../../../src/sync/stages/accounts.ts"
import { apCardsHandler, bankAccountsHandler, cardAccountsHandler } from "../../../src/sync/stages/funding-accounts.ts"
import {
  classificationHandlers,
  customersHandler,
  itemsHandler,
  vendorsHandler
} from "../../../src/sync/stages/master.ts"
import { candidate, payloadOf, settings, verdict } from "./support.ts"

/** The master-data rules with plain data: a record imports when a mapping names it, else it waits as unmapped. */
const chart: ReadonlyArray<ChartAccount> = [
  { id: 1, number: "1000", type: "bank", billcomId: null, active: true },
  { id: 2, number: "6000", type: "expense", billcomId: null, active: true },
  { id: 3, number: "6100", type: "expense", billcomId: "0ca-explicit", active: true },
  { id: 4, number: "7000", type: "expense", billcomId: null, active: true },
  { id: 5, number: "7000", type: "expense", billcomId: null, active: false },
  { id: 6, number: "2100", type: "credit-card", billcomId: null, active: true }
]

describe("vendors, items, classifications", () => {
  test("a vendor named in vendors.yaml imports under its ledger key, with its 1099 facts but never its tax id", () => {
    const raw = { id: "009v1", name: "Acme", additionalInfo: { taxId: "12-345", track1099: true }, billCurrency: "EUR" }
    const [mapped, unmapped] = vendorsHandler.decide(
      [candidate(vendorsHandler, raw), candidate(vendorsHandler, { ...raw, id: "009v2" })],
      undefined,
      settings({ vendors: new Map([["009v1", "acme"]]) })
    )
    expect(payloadOf(mapped!)).toEqual({
      key: "acme",
      name: "Acme",
      details: { shortName: null, email: null, currency: "EUR", track1099: true, taxIdOnFile: true, taxIdType: null }
    })
    expect(verdict(unmapped!)).toBe("Skip unmapped")
  })

  test("customers follow customers.yaml; a customer without a name is named by its company", () => {
    const s = settings({ customers: new Map([["0cu1", "globex"]]) })
    const out = customersHandler.decide(
      [
        candidate(customersHandler, { id: "0cu1", companyName: "Globex Inc" }),
        candidate(customersHandler, { id: "0cu2", name: "Initech" })
      ],
      undefined,
      s
    )
    expect(payloadOf(out[0]!)).toEqual({
      key: "globex",
      name: "Globex Inc",
      details: { companyName: "Globex Inc", email: null }
    })
    expect(verdict(out[1]!)).toBe("Skip unmapped")
  })

  test("items and classifications follow their own mapping files", () => {
    const item = itemsHandler.decide(
      [candidate(itemsHandler, { id: "0ii1", name: "Paper" })],
      undefined,
      settings({ items: new Map([["0ii1", "paper"]]) })
    )
    expect(payloadOf(item[0]!)).toMatchObject({ key: "paper", name: "Paper" })
    const employees = classificationHandlers[4]
    const s = settings()
    const mapped = settings({ classifications: { ...s.classifications, employee: new Map([["0em1", "jane"]]) } })
    const e = employees.decide(
      [candidate(employees, { id: "0em1", firstName: "Jane", lastName: "Doe" })],
      undefined,
      mapped
    )
    expect(payloadOf(e[0]!)).toEqual({ key: "jane", name: "Jane Doe", details: {} })
    expect(verdict(employees.decide([candidate(employees, { id: "0em1" })], undefined, s)[0]!)).toBe("Skip unmapped")
  })
})

describe("chart of accounts", () => {
  test("a row maps to the account naming its billcomId, else to the only one with its number and type", () => {
    expect(mapChartRow(chart, { id: "0ca-explicit", number: "9999", type: "BANK" })?.id).toBe(3)
    expect(mapChartRow(chart, { id: "0ca-a", number: "6000", type: "EXPENSE" })?.id).toBe(2)
    expect(mapChartRow(chart, { id: "0ca-a", number: "6000", type: "INCOME" })).toBeUndefined()
    expect(mapChartRow(chart, { id: "0ca-a", number: "7000", type: "EXPENSE" })).toBeUndefined()
    expect(mapChartRow(chart, { id: "0ca-a", number: undefined, type: "EXPENSE" })).toBeUndefined()
  })

  test("the accounts stage links mapped rows and skips the rest as unmapped", () => {
    const rows = [
      { id: "0ca-b", account: { number: "1000", type: "BANK" } },
      { id: "0ca-c", account: { number: "1000", type: "EXPENSE" } }
    ].map((r) => candidate(accountsHandler, r))
    expect(accountsHandler.decide(rows, chart, settings()).map(verdict)).toEqual(["Import", "Skip unmapped"])
    expect(payloadOf(accountsHandler.decide(rows, chart, settings())[0]!)).toEqual({ accountId: 1, number: "1000" })
  })
})

describe("funding accounts", () => {
  test("a funding account maps to a ledger bank or credit-card account named in funding-accounts.yaml, nothing else", () => {
    const s = settings({
      fundingAccounts: new Map([
        ["bac1", "1000"],
        ["bac2", "6000"],
        ["dva1", "2100"]
      ])
    })
    const banks = ["bac1", "bac2", "bac3"].map((id) =>
      candidate(bankAccountsHandler, { id, bankName: "First", accountNumber: "123456789" })
    )
    const out = bankAccountsHandler.decide(banks, chart, s)
    expect(out.map(verdict)).toEqual(["Import", "Skip unmapped", "Skip unmapped"])
    expect(payloadOf(out[0]!)).toMatchObject({
      kind: "bank",
      ledger_account_id: 1,
      last4: "6789",
      institution: "First"
    })
    const cards = cardAccountsHandler.decide(
      [candidate(cardAccountsHandler, { id: "cac1", brand: "VISA", last4: "4242" })],
      chart,
      settings({ fundingAccounts: new Map([["cac1", "2100"]]) })
    )
    expect(payloadOf(cards[0]!)).toMatchObject({ kind: "card", ledger_account_id: 6, name: "VISA", last4: "4242" })
    const card = apCardsHandler.decide([candidate(apCardsHandler, { id: "dva1", status: "ACTIVE" })], chart, s)
    expect(payloadOf(card[0]!)).toMatchObject({ kind: "card", ledger_account_id: 6, institution: "BILL AP Card" })
  })
})
