import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { Journal } from "../../src/ledger/journal.ts"
import { LedgerPayables, type BillWrite } from "../../src/ledger/payables.ts"
import { TestDatabase } from "../support/database.ts"

type BillLine = BillWrite["lines"][number]

/** An approved USD bill with nothing optional set (invoice number INV-<id>); tests give what they care about. */
export const billWrite = (
  b: Pick<BillWrite, "billcomId" | "vendorId" | "invoiceDate" | "amount" | "lines"> & Partial<BillWrite>
): BillWrite => ({
  invoiceNumber: `INV-${b.billcomId}`,
  dueDate: null,
  currency: "USD",
  description: null,
  approvalStatus: "APPROVED",
  paymentStatus: null,
  payFromAccountId: null,
  archived: false,
  updatedTime: null,
  documents: undefined,
  ...b
})

/** A bill line with an account and an amount, nothing else unless given. */
export const billLine = (
  lineNo: number,
  accountId: number,
  amount: string,
  more: Partial<BillLine> = {}
): BillLine => ({
  line_no: lineNo,
  billcom_id: null,
  account_id: accountId,
  item_id: null,
  customer_id: null,
  dimension_ids: [],
  description: null,
  amount,
  quantity: null,
  unit_price: null,
  ...more
})

export const LedgerTest = Layer.mergeAll(Journal.Default, LedgerChecks.Default, LedgerPayables.Default).pipe(
  Layer.provideMerge(TestDatabase)
)

export interface Fixture {
  readonly companyId: number
  readonly integrationId: number
  readonly ap: number
  readonly bank: number
  readonly card: number
  readonly expenses: ReadonlyArray<number>
  readonly vendors: ReadonlyArray<number>
  readonly bankAccount: number
  readonly cardAccount: number
}

let counter = 0

/** A fresh company (own chart, vendors, funding accounts, integration) so property runs never share rows. */
export const makeFixture = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const key = `co-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`
  const [company] = yield* sql<{
    id: string
  }>`INSERT INTO companies (key, name) VALUES (${key}, ${key}) RETURNING id::text`
  const companyId = Number(company!.id)
  const [integration] = yield* sql<{
    id: string
  }>`INSERT INTO integrations (pipeline, company_id, organization_id, environment)
    VALUES (${key}, ${companyId}, 'org', 'emulator') RETURNING id::text`
  const accounts = yield* sql<{ id: string; number: string }>`INSERT INTO ledger_accounts ${sql.insert([
    { company_id: companyId, number: "1000", name: "Operating Checking", type: "bank" },
    { company_id: companyId, number: "1100", name: "Company Card", type: "credit-card" },
    { company_id: companyId, number: "2000", name: "Accounts Payable", type: "accounts-payable" },
    { company_id: companyId, number: "2050", name: "Other Payables", type: "accounts-payable" },
    { company_id: companyId, number: "6000", name: "Software", type: "expense" },
    { company_id: companyId, number: "6100", name: "Travel", type: "expense" },
    { company_id: companyId, number: "5000", name: "COGS", type: "cost-of-goods-sold" }
  ])} RETURNING id::text, number`
  const acc = (n: string) => Number(accounts.find((a) => a.number === n)!.id)
  const vendors = yield* sql<{ id: string }>`INSERT INTO vendors ${sql.insert(
    ["V-0001", "V-0002", "V-0003"].map((k) => ({
      company_id: companyId,
      key: k,
      name: `Vendor ${k}`,
      billcom_id: `009${k}`
    }))
  )} RETURNING id::text`
  const banks = yield* sql<{ id: string; billcom_id: string }>`INSERT INTO bank_accounts ${sql.insert([
    { company_id: companyId, billcom_id: "bac02BANK", kind: "bank", name: "Checking", ledger_account_id: acc("1000") },
    { company_id: companyId, billcom_id: "cat02CARD", kind: "card", name: "Card", ledger_account_id: acc("1100") }
  ])} RETURNING id::text, billcom_id`
  const journal = yield* Journal
  yield* journal.configure(companyId, "2000")
  const fixture: Fixture = {
    companyId,
    integrationId: Number(integration!.id),
    ap: acc("2000"),
    bank: acc("1000"),
    card: acc("1100"),
    expenses: [acc("6000"), acc("6100"), acc("5000")],
    vendors: vendors.map((v) => Number(v.id)),
    bankAccount: Number(banks.find((b) => b.billcom_id === "bac02BANK")!.id),
    cardAccount: Number(banks.find((b) => b.billcom_id === "cat02CARD")!.id)
  }
  return fixture
})

/** Stores a vendor credit's raw record the way the sync does (its `usage` feeds credit applications). */
export const storeCreditRaw = (
  f: Fixture,
  billcomId: string,
  usage: ReadonlyArray<{ billId: string; amount: number }>
) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const raw = JSON.stringify({ id: billcomId, usage })
    return sql`INSERT INTO source_records (integration_id, kind, billcom_id, raw, content_hash, outcome)
      VALUES (${f.integrationId}, 'vendor-credit', ${billcomId}, ${raw}::jsonb, ${String(raw.length)}, 'imported')
      ON CONFLICT (integration_id, kind, billcom_id) DO UPDATE SET raw = EXCLUDED.raw`
  })

/** Per-account balances of a company's journal (debit positive), as cents. */
export const accountBalances = (companyId: number) =>
  Effect.map(
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) =>
        sql<{
          account_id: string
          total: string
        }>`SELECT l.account_id::text, sum(l.amount)::text AS total FROM journal_lines l
        JOIN journal_entries e ON e.id = l.entry_id WHERE e.company_id = ${companyId} GROUP BY l.account_id`
    ),
    (rows) => new Map(rows.map((r) => [Number(r.account_id), r.total]))
  )
