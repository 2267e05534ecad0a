import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { Journal } from "./journal.ts"

export type LineWrite = {
  readonly line_no: number
  readonly billcom_id: string | null
  readonly account_id: number
  readonly item_id: number | null
  readonly customer_id: number | null
  readonly dimension_ids: ReadonlyArray<number>
  readonly description: string | null
  readonly amount: string
}

export interface BillWrite {
  readonly billcomId: string
  readonly vendorId: number
  readonly invoiceNumber: string | null
  readonly invoiceDate: string
  readonly dueDate: string | null
  readonly amount: string
  readonly currency: string
  /** Bill.com's rate (USD per unit of `currency`, exact decimal text) when `currency` is not the ledger's. */
  readonly exchangeRate?: string | null | undefined
  readonly description: string | null
  readonly approvalStatus: string
  readonly paymentStatus: string | null
  readonly payFromAccountId: number | null
  readonly archived: boolean
  readonly updatedTime: string | null
  readonly lines: ReadonlyArray<LineWrite & { readonly quantity: string | null; readonly unit_price: string | null }>
  /**
   * Content hash of the Bill.com record this write comes from; a new version puts the bill in the
   * documents backlog (src/store/bill-documents.ts). Undefined keeps the stored version.
   */
  readonly sourceVersion?: string | undefined
  /** Documents metadata; undefined = not fetched this time (keep what is stored). */
  readonly documents:
    | ReadonlyArray<{
        billcomId: string
        name: string
        pages: number | null
        scanStatus: string | null
        createdTime: string | null
      }>
    | undefined
}

export interface VendorCreditWrite {
  readonly billcomId: string
  readonly vendorId: number
  readonly referenceNumber: string | null
  readonly creditDate: string
  readonly amount: string
  /** The vendor's currency (default USD) and, when it is not the ledger's, Bill.com's rate (v2 read). */
  readonly currency?: string | undefined
  readonly exchangeRate?: string | null | undefined
  readonly appliedAmount: string
  readonly status: string | null
  readonly description: string | null
  readonly archived: boolean
  readonly updatedTime: string | null
  readonly lines: ReadonlyArray<LineWrite>
}

export interface VendorPaymentWrite {
  readonly billcomId: string
  readonly vendorId: number
  readonly processDate: string
  readonly amount: string
  /** Null before the cutoff when the funding account is not mapped, and for a wallet payment. */
  readonly fundingAccountId: number | null
  /** The ledger account money left from; null only before the cutoff (never posted). */
  readonly cashAccountId: number | null
  /** Bill.com's fundingAccount.type: BANK_ACCOUNT, CARD_ACCOUNT, AP_CARD, WALLET. */
  readonly fundingType?: string | null | undefined
  readonly currency?: string | undefined
  readonly exchangeRate?: string | null | undefined
  /** Bill.com's `fundingAmount` (USD). */
  readonly fundingAmount?: string | null | undefined
  readonly status: string | null
  readonly description: string | null
  readonly updatedTime: string | null
  readonly applications: ReadonlyArray<{
    line_no: number
    billcom_id: string | null
    billcom_bill_id: string
    bill_id: number | null
    amount: string
  }>
}

/**
 * Ledger payables writers: ONE function per transactional stage. Each runs inside the batch's
 * transaction (with the source records, links, errors and the cursor), which is where the journal
 * posting of the batch belongs: call it at the marked point so entries commit with their records.
 * Lines are replaced as a whole when a record changes; the journal references bills, credits and
 * payments by id, never their lines.
 */
export class LedgerPayables extends Effect.Service<LedgerPayables>()("billsync/LedgerPayables", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const journal = yield* Journal

    const writeBills = Effect.fn("LedgerPayables.writeBills")(function* (
      companyId: number,
      bills: ReadonlyArray<BillWrite>
    ) {
      if (bills.length === 0) return new Map<string, number>()
      const rows = bills.map((b) => ({
        company_id: companyId,
        billcom_id: b.billcomId,
        vendor_id: b.vendorId,
        invoice_number: b.invoiceNumber,
        invoice_date: b.invoiceDate,
        due_date: b.dueDate,
        amount: b.amount,
        currency: b.currency,
        exchange_rate: b.exchangeRate ?? null,
        description: b.description,
        approval_status: b.approvalStatus,
        payment_status: b.paymentStatus,
        pay_from_account_id: b.payFromAccountId,
        archived: b.archived,
        billcom_updated_time: b.updatedTime,
        source_version: b.sourceVersion ?? null
      }))
      const ids = yield* sql<{ id: string; billcom_id: string }>`INSERT INTO bills ${sql.insert(rows)}
        ON CONFLICT (company_id, billcom_id) DO UPDATE SET vendor_id = EXCLUDED.vendor_id, invoice_number = EXCLUDED.invoice_number,
          invoice_date = EXCLUDED.invoice_date, due_date = EXCLUDED.due_date, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
          exchange_rate = EXCLUDED.exchange_rate,
          description = EXCLUDED.description, approval_status = EXCLUDED.approval_status, payment_status = EXCLUDED.payment_status,
          pay_from_account_id = EXCLUDED.pay_from_account_id, archived = EXCLUDED.archived,
          billcom_updated_time = EXCLUDED.billcom_updated_time,
          source_version = COALESCE(EXCLUDED.source_version, bills.source_version), updated_at = now()
        RETURNING id::text, billcom_id`
      const idOf = new Map(ids.map((r) => [r.billcom_id, Number(r.id)]))
      const billIds = [...idOf.values()]
      yield* sql`DELETE FROM bill_lines WHERE bill_id IN ${sql.in(billIds)}`
      const lines = bills.flatMap((b) =>
        b.lines.map((l) => ({ bill_id: idOf.get(b.billcomId)!, ...l, dimension_ids: [...l.dimension_ids] }))
      )
      if (lines.length > 0) yield* sql`INSERT INTO bill_lines ${sql.insert(lines)}`
      const docs = bills.flatMap((b) =>
        (b.documents ?? []).map((d) => ({
          bill_id: idOf.get(b.billcomId)!,
          billcom_id: d.billcomId,
          name: d.name,
          pages: d.pages,
          scan_status: d.scanStatus,
          billcom_created_time: d.createdTime
        }))
      )
      const uniqueDocs = [...new Map(docs.map((d) => [d.billcom_id, d])).values()]
      if (uniqueDocs.length > 0) {
        yield* sql`INSERT INTO bill_documents ${sql.insert(uniqueDocs)}
          ON CONFLICT (billcom_id) DO UPDATE SET bill_id = EXCLUDED.bill_id, name = EXCLUDED.name, pages = EXCLUDED.pages,
            scan_status = EXCLUDED.scan_status, billcom_created_time = EXCLUDED.billcom_created_time, updated_at = now()`
      }
      yield* journal.postBills(companyId, [...idOf.keys()])
      return idOf
    })

    const writeVendorCredits = Effect.fn("LedgerPayables.writeVendorCredits")(function* (
      companyId: number,
      credits: ReadonlyArray<VendorCreditWrite>
    ) {
      if (credits.length === 0) return new Map<string, number>()
      const rows = credits.map((c) => ({
        company_id: companyId,
        billcom_id: c.billcomId,
        vendor_id: c.vendorId,
        reference_number: c.referenceNumber,
        credit_date: c.creditDate,
        amount: c.amount,
        currency: c.currency ?? "USD",
        exchange_rate: c.exchangeRate ?? null,
        applied_amount: c.appliedAmount,
        status: c.status,
        description: c.description,
        archived: c.archived,
        billcom_updated_time: c.updatedTime
      }))
      const ids = yield* sql<{ id: string; billcom_id: string }>`INSERT INTO vendor_credits ${sql.insert(rows)}
        ON CONFLICT (company_id, billcom_id) DO UPDATE SET vendor_id = EXCLUDED.vendor_id, reference_number = EXCLUDED.reference_number,
          credit_date = EXCLUDED.credit_date, amount = EXCLUDED.amount, currency = EXCLUDED.currency, exchange_rate = EXCLUDED.exchange_rate, applied_amount = EXCLUDED.applied_amount, status = EXCLUDED.status,
          description = EXCLUDED.description, archived = EXCLUDED.archived, billcom_updated_time = EXCLUDED.billcom_updated_time, updated_at = now()
        RETURNING id::text, billcom_id`
      const idOf = new Map(ids.map((r) => [r.billcom_id, Number(r.id)]))
      yield* sql`DELETE FROM vendor_credit_lines WHERE vendor_credit_id IN ${sql.in([...idOf.values()])}`
      const lines = credits.flatMap((c) =>
        c.lines.map((l) => ({ vendor_credit_id: idOf.get(c.billcomId)!, ...l, dimension_ids: [...l.dimension_ids] }))
      )
      if (lines.length > 0) yield* sql`INSERT INTO vendor_credit_lines ${sql.insert(lines)}`
      yield* journal.postVendorCredits(companyId, [...idOf.keys()])
      return idOf
    })

    const writeVendorPayments = Effect.fn("LedgerPayables.writeVendorPayments")(function* (
      companyId: number,
      payments: ReadonlyArray<VendorPaymentWrite>
    ) {
      if (payments.length === 0) return new Map<string, number>()
      const rows = payments.map((p) => ({
        company_id: companyId,
        billcom_id: p.billcomId,
        vendor_id: p.vendorId,
        process_date: p.processDate,
        amount: p.amount,
        funding_account_id: p.fundingAccountId,
        cash_account_id: p.cashAccountId,
        funding_type: p.fundingType ?? null,
        currency: p.currency ?? "USD",
        exchange_rate: p.exchangeRate ?? null,
        funding_amount: p.fundingAmount ?? null,
        status: p.status,
        description: p.description,
        billcom_updated_time: p.updatedTime
      }))
      const ids = yield* sql<{ id: string; billcom_id: string }>`INSERT INTO vendor_payments ${sql.insert(rows)}
        ON CONFLICT (company_id, billcom_id) DO UPDATE SET vendor_id = EXCLUDED.vendor_id, process_date = EXCLUDED.process_date,
          amount = EXCLUDED.amount, funding_account_id = EXCLUDED.funding_account_id, cash_account_id = EXCLUDED.cash_account_id,
          funding_type = EXCLUDED.funding_type, currency = EXCLUDED.currency, exchange_rate = EXCLUDED.exchange_rate, funding_amount = EXCLUDED.funding_amount,
          status = EXCLUDED.status, description = EXCLUDED.description, billcom_updated_time = EXCLUDED.billcom_updated_time, updated_at = now()
        RETURNING id::text, billcom_id`
      const idOf = new Map(ids.map((r) => [r.billcom_id, Number(r.id)]))
      yield* sql`DELETE FROM vendor_payment_applications WHERE vendor_payment_id IN ${sql.in([...idOf.values()])}`
      const apps = payments.flatMap((p) =>
        p.applications.map((a) => ({ vendor_payment_id: idOf.get(p.billcomId)!, ...a }))
      )
      if (apps.length > 0) yield* sql`INSERT INTO vendor_payment_applications ${sql.insert(apps)}`
      yield* journal.postVendorPayments(companyId, [...idOf.keys()])
      return idOf
    })

    /** Archives ledger records whose Bill.com record was archived (the journal reversal belongs here too). */
    const archive = Effect.fn("LedgerPayables.archive")(function* (
      table: "bills" | "vendor_credits",
      companyId: number,
      billcomIds: ReadonlyArray<string>
    ) {
      if (billcomIds.length === 0) return
      yield* sql`UPDATE ${sql(table)} SET archived = true, updated_at = now()
        WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)} AND NOT archived`
      yield* (table === "bills" ? journal.postBills : journal.postVendorCredits)(companyId, billcomIds)
    })

    return { writeBills, writeVendorCredits, writeVendorPayments, archive } as const
  }),
  dependencies: [Journal.Default]
}) {}
