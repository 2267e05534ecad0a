import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { LedgerChecks } from "../../src/ledger/invariants.ts"
import { Reports } from "../../src/ledger/reports.ts"
import { IntegrationErrors } from "../../src/store/integration-errors.ts"
import { LedgerPayables, type BillWrite } from "../../src/ledger/payables.ts"
import { StoreServices } from "../../src/ledger/services.ts"
import { TestDatabase } from "../support/database.ts"
import { billLine, billWrite, makeFixture, storeCreditRaw, type Fixture } from "./support.ts"
import { Journal } from "../../src/ledger/journal.ts"

export const ReportTest = Layer.mergeAll(StoreServices, Reports.Default, LedgerChecks.Default, Journal.Default).pipe(
  Layer.provideMerge(TestDatabase)
)

export const AS_OF = "2025-06-30"

const bill = (
  f: Fixture,
  id: string,
  vendor: number,
  amount: string,
  invoiceDate: string,
  dueDate: string
): BillWrite =>
  billWrite({
    billcomId: id,
    vendorId: f.vendors[vendor]!,
    invoiceNumber: `INV-${id.slice(-3)}`,
    invoiceDate,
    dueDate,
    amount,
    lines: [billLine(1, f.expenses[vendor % 3]!, amount)]
  })

/**
 * A company with bills in every aging bucket as of AS_OF (due dates chosen on the bucket edges),
 * a partial payment, an applied credit, a bill dated after AS_OF, one sync run and two errors.
 */
export const reportFixture = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const f = yield* makeFixture
  const payables = yield* LedgerPayables
  yield* sql`UPDATE vendors SET name = CASE key WHEN 'V-0001' THEN 'Evergreen Catering' WHEN 'V-0002' THEN 'Crescent Paper' ELSE 'Summit Components' END WHERE company_id = ${f.companyId}`
  yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* payables.writeBills(f.companyId, [
        bill(f, "00n02CUR", 0, "1000.00", "2025-06-01", "2025-06-30"), // due today: current
        bill(f, "00n02D30", 0, "300.00", "2025-05-01", "2025-05-31"), // 30 days past due
        bill(f, "00n02D31", 1, "310.00", "2025-04-30", "2025-05-30"), // 31
        bill(f, "00n02D60", 1, "600.00", "2025-04-01", "2025-05-01"), // 60
        bill(f, "00n02D61", 2, "610.00", "2025-03-31", "2025-04-30"), // 61
        bill(f, "00n02D91", 2, "910.00", "2025-01-01", "2025-03-31"), // 91
        bill(f, "00n02FUT", 2, "5000.00", "2025-07-15", "2025-08-15") // after the report date
      ])
      yield* payables.writeVendorPayments(f.companyId, [
        {
          billcomId: "stp02PAY",
          vendorId: f.vendors[2]!,
          processDate: "2025-06-01",
          amount: "410.00",
          fundingAccountId: f.bankAccount,
          cashAccountId: f.bank,
          status: "PAID",
          description: null,
          updatedTime: null,
          applications: [{ line_no: 1, billcom_id: null, billcom_bill_id: "00n02D91", bill_id: null, amount: "400.00" }]
        }
      ])
      yield* storeCreditRaw(f, "vcr02CRD", [{ billId: "00n02D30", amount: 100 }])
      yield* payables.writeVendorCredits(f.companyId, [
        {
          billcomId: "vcr02CRD",
          vendorId: f.vendors[0]!,
          referenceNumber: "CM-7",
          creditDate: "2025-05-10",
          amount: "150.00",
          appliedAmount: "100.00",
          status: "PARTIALLY_APPLIED",
          description: null,
          archived: false,
          updatedTime: null,
          lines: [
            {
              line_no: 1,
              billcom_id: null,
              account_id: f.expenses[0]!,
              item_id: null,
              customer_id: null,
              dimension_ids: [],
              description: null,
              amount: "150.00"
            }
          ]
        }
      ])
    })
  )
  const [run] = yield* sql<{
    id: string
  }>`INSERT INTO sync_runs (integration_id, kind, status, stages, started_at, finished_at, api_calls)
    VALUES (${f.integrationId}, 'full', 'succeeded_with_errors', ${["bills", "vendor-payments"]}, '2025-06-30T10:00:00Z', '2025-06-30T10:00:42Z', 57) RETURNING id::text`
  yield* sql`INSERT INTO sync_run_stages ${sql.insert([
    {
      run_id: run!.id,
      stage: "bills",
      position: 4,
      status: "succeeded_with_errors",
      pulled: 8,
      inserted: 7,
      errors: 1,
      duration_ms: 30000
    },
    {
      run_id: run!.id,
      stage: "vendor-payments",
      position: 6,
      status: "succeeded",
      pulled: 1,
      inserted: 1,
      errors: 0,
      duration_ms: 12000
    }
  ])}`
  yield* (yield* IntegrationErrors).record(f.integrationId, Number(run!.id), [
    {
      stage: "bills",
      kind: "bill",
      billcomId: "00n02UNM",
      code: "bill-unmapped",
      symptom: "Bills do not import",
      cause: "vendor / item / classification mappings are missing",
      resolution: "Map vendor 00902XYZ in mappings/demo/vendors.yaml",
      message: "unmapped: vendor 00902XYZ (Acme Unmapped Corp)",
      detail: null
    },
    {
      stage: "vendor-payments",
      kind: "payment",
      billcomId: "stp02BAD",
      code: "payment-unmapped-funding",
      symptom: "Vendor payment fails",
      cause: "Funding account is not mapped",
      resolution: "Map every Bill.com funding account in mappings/demo/funding-accounts.yaml",
      message: "funding account BANK_ACCOUNT bac02ZZZ is not mapped to a ledger bank account",
      detail: null
    }
  ])
  const pipeline = (yield* sql<{
    pipeline: string
  }>`SELECT pipeline FROM integrations WHERE id = ${f.integrationId}`)[0]!.pipeline
  return { f, pipeline }
})
