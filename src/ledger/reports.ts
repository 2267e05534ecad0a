import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { sumCents, toCents, type Cents } from "./money.ts"

export const AGING_BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"] as const
export type AgingBucket = (typeof AGING_BUCKETS)[number]

export interface OpenItem {
  readonly kind: "bill" | "vendor-credit" | "payment"
  readonly billcomId: string
  readonly reference: string | null
  readonly dueDate: string | null
  readonly daysPastDue: number | null
  /** What AP owes on the item (negative: a credit or payment not applied to a bill in the ledger). */
  readonly open: Cents
  readonly bucket: AgingBucket | "unapplied"
}

export interface AgingRow {
  readonly vendorKey: string
  readonly vendorName: string
  readonly buckets: Readonly<Record<AgingBucket | "unapplied", Cents>>
  readonly total: Cents
  readonly items: ReadonlyArray<OpenItem>
}

export interface AgingReport {
  readonly asOf: string
  readonly currency: string
  readonly rows: ReadonlyArray<AgingRow>
  readonly totals: Readonly<Record<AgingBucket | "unapplied", Cents>> & { readonly total: Cents }
}

export interface TrialBalanceRow {
  readonly number: string
  readonly name: string
  readonly type: string
  readonly balance: Cents
}

export interface TrialBalance {
  readonly asOf: string
  readonly currency: string
  readonly rows: ReadonlyArray<TrialBalanceRow>
  readonly debits: Cents
  readonly credits: Cents
}

/** What a person recognises a failing record by: its vendor and its document number, from the pulled record. */
export interface ErrorContext {
  readonly vendor: string | undefined
  /** Invoice number of a bill, reference number of a credit, or "payment of <amount> on <date>" (for bill <invoice>). */
  readonly document: string | undefined
}

export const errorContextKey = (kind: string, billcomId: string) => `${kind}\u0000${billcomId}`

export interface UnmappedRecord {
  readonly kind: string
  readonly billcomId: string
  readonly code: string
  readonly message: string
  readonly lastSeenAt: string
}

const DAY_MS = 86_400_000
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)

/** 0 or less → current; then 1–30, 31–60, 61–90, over 90 days past due. */
export const bucketOf = (daysPastDue: number): AgingBucket =>
  daysPastDue <= 0 ? "current" : daysPastDue <= 30 ? "1-30" : daysPastDue <= 60 ? "31-60" : daysPastDue <= 90 ? "61-90" : "90+"

const emptyBuckets = (): Record<AgingBucket | "unapplied", Cents> => ({ current: 0n, "1-30": 0n, "31-60": 0n, "61-90": 0n, "90+": 0n, unapplied: 0n })

/** Read models over the journal: AP aging and the trial balance as of a date, open errors and unmapped records. */
export class Reports extends Effect.Service<Reports>()("billsync/Reports", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** The pipeline's integration and company, or undefined before its first sync. */
    const scope = Effect.fn("Reports.scope")(function* (pipeline: string) {
      const rows = yield* sql<{ integration_id: string; company_id: string; currency: string }>`
        SELECT i.id::text AS integration_id, c.id::text AS company_id, c.currency FROM integrations i JOIN companies c ON c.id = i.company_id
        WHERE i.pipeline = ${pipeline}`
      const r = rows[0]
      return r === undefined ? undefined : { integrationId: Number(r.integration_id), companyId: Number(r.company_id), currency: r.currency.trim() }
    })

    /**
     * Open AP items from the journal (AP lines grouped by the document they settle, entries dated
     * on or before `asOf`), aged by the bill's due date (its invoice date when it has none).
     */
    const aging = Effect.fn("Reports.aging")(function* (companyId: number, currency: string, asOf: string) {
      const items = yield* sql<{ vendor_key: string; vendor_name: string; kind: OpenItem["kind"]; open_item_id: string; owed: string; due: string | null; reference: string | null }>`
        WITH items AS (
          SELECT l.vendor_id, l.open_item_kind, l.open_item_id, -sum(l.amount) AS owed
          FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
          WHERE e.company_id = ${companyId} AND e.entry_date <= ${asOf}::date AND l.open_item_id IS NOT NULL
          GROUP BY l.vendor_id, l.open_item_kind, l.open_item_id
          HAVING sum(l.amount) <> 0
        )
        SELECT v.key AS vendor_key, v.name AS vendor_name, i.open_item_kind AS kind, i.open_item_id, i.owed::text AS owed,
               coalesce(b.due_date, b.invoice_date)::text AS due,
               coalesce(b.invoice_number, vc.reference_number) AS reference
        FROM items i JOIN vendors v ON v.id = i.vendor_id
        LEFT JOIN bills b ON i.open_item_kind = 'bill' AND b.company_id = ${companyId} AND b.billcom_id = i.open_item_id
        LEFT JOIN vendor_credits vc ON i.open_item_kind = 'vendor-credit' AND vc.company_id = ${companyId} AND vc.billcom_id = i.open_item_id
        ORDER BY v.key, due NULLS LAST, i.open_item_id`
      const byVendor = new Map<string, { name: string; items: Array<OpenItem> }>()
      for (const r of items) {
        const open = toCents(r.owed)
        const dpd = r.due === null ? null : days(r.due, asOf)
        // Only a bill the ledger holds, with money still owed, is aged; everything else is unapplied.
        const bucket = r.kind === "bill" && r.due !== null && open > 0n ? bucketOf(dpd!) : "unapplied"
        const entry = byVendor.get(r.vendor_key) ?? { name: r.vendor_name, items: [] }
        entry.items.push({ kind: r.kind, billcomId: r.open_item_id, reference: r.reference, dueDate: r.due, daysPastDue: dpd, open, bucket })
        byVendor.set(r.vendor_key, entry)
      }
      const totals = emptyBuckets()
      const rows: Array<AgingRow> = [...byVendor].map(([vendorKey, v]) => {
        const buckets = emptyBuckets()
        for (const item of v.items) {
          buckets[item.bucket] += item.open
          totals[item.bucket] += item.open
        }
        return { vendorKey, vendorName: v.name, buckets, total: sumCents(v.items.map((i) => i.open)), items: v.items }
      })
      return { asOf, currency, rows, totals: { ...totals, total: sumCents(rows.map((r) => r.total)) } } satisfies AgingReport
    })

    const trialBalance = Effect.fn("Reports.trialBalance")(function* (companyId: number, currency: string, asOf: string) {
      const rows = yield* sql<{ number: string; name: string; type: string; balance: string }>`
        SELECT a.number, a.name, a.type, sum(l.amount)::text AS balance
        FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.id = l.account_id
        WHERE e.company_id = ${companyId} AND e.entry_date <= ${asOf}::date
        GROUP BY a.number, a.name, a.type HAVING sum(l.amount) <> 0 ORDER BY a.number`
      const out = rows.map((r): TrialBalanceRow => ({ number: r.number, name: r.name, type: r.type, balance: toCents(r.balance) }))
      return {
        asOf,
        currency,
        rows: out,
        debits: sumCents(out.filter((r) => r.balance > 0n).map((r) => r.balance)),
        credits: -sumCents(out.filter((r) => r.balance < 0n).map((r) => r.balance))
      } satisfies TrialBalance
    })

    /** Pulled records that no mapping covers yet (their open integration errors name what is missing). */
    const unmapped = Effect.fn("Reports.unmapped")(function* (integrationId: number) {
      const rows = yield* sql<{ kind: string; billcom_id: string; code: string; message: string; last_seen_at: string }>`
        SELECT kind, billcom_id, code, message, last_seen_at::text FROM integration_errors
        WHERE integration_id = ${integrationId} AND resolved_at IS NULL AND code LIKE '%unmapped%'
        ORDER BY kind, billcom_id LIMIT 500`
      return rows.map((r): UnmappedRecord => ({ kind: r.kind, billcomId: r.billcom_id, code: r.code, message: r.message, lastSeenAt: r.last_seen_at }))
    })

    /** Resolved errors of the last runs, with the resolution that applied (the HTML report shows them with the open ones). */
    const recentlyResolved = Effect.fn("Reports.recentlyResolved")(function* (integrationId: number, limit: number) {
      return yield* sql<{ stage: string; kind: string; billcom_id: string; code: string; symptom: string; resolution: string; message: string; resolved_at: string }>`
        SELECT stage, kind, billcom_id, code, symptom, resolution, message, resolved_at::text FROM integration_errors
        WHERE integration_id = ${integrationId} AND resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT ${limit}`
    })

    /**
     * Vendor and document of the records behind integration errors, read from the raw records as
     * pulled (a record that failed to import has no ledger row). Keyed by errorContextKey.
     */
    const errorContext = Effect.fn("Reports.errorContext")(function* (integrationId: number, records: ReadonlyArray<{ readonly kind: string; readonly billcomId: string }>) {
      const out = new Map<string, ErrorContext>()
      if (records.length === 0) return out
      const rows = yield* sql<{ kind: string; billcom_id: string; vendor: string | null; invoice: string | null; reference: string | null; amount: string | null; process_date: string | null; paid_invoice: string | null }>`
        SELECT s.kind, s.billcom_id,
               coalesce(nullif(s.raw->>'vendorName', ''), v.raw->>'name', CASE WHEN s.kind = 'vendor' THEN s.raw->>'name' END) AS vendor,
               s.raw->'invoice'->>'invoiceNumber' AS invoice, s.raw->>'referenceNumber' AS reference,
               s.raw->>'amount' AS amount, s.raw->>'processDate' AS process_date, b.raw->'invoice'->>'invoiceNumber' AS paid_invoice
        FROM source_records s
        LEFT JOIN source_records v ON v.integration_id = s.integration_id AND v.kind = 'vendor' AND v.billcom_id = s.raw->>'vendorId'
        LEFT JOIN source_records b ON s.kind = 'payment' AND b.integration_id = s.integration_id AND b.kind = 'bill' AND b.billcom_id = s.raw->>'billId'
        WHERE s.integration_id = ${integrationId} AND s.billcom_id IN ${sql.in([...new Set(records.map((r) => r.billcomId))])}`
      for (const r of rows) {
        const document =
          r.kind === "bill"
            ? r.invoice !== null && r.invoice !== "" ? `invoice ${r.invoice}` : undefined
            : r.kind === "vendor-credit"
              ? r.reference !== null && r.reference !== "" ? `credit ${r.reference}` : undefined
              : r.kind === "payment"
                ? `payment${r.amount !== null ? ` of ${r.amount}` : ""}${r.process_date !== null ? ` on ${r.process_date}` : ""}${r.paid_invoice !== null ? ` (invoice ${r.paid_invoice})` : ""}`
                : undefined
        out.set(errorContextKey(r.kind, r.billcom_id), { vendor: r.vendor ?? undefined, document })
      }
      return out
    })

    return { scope, aging, trialBalance, unmapped, recentlyResolved, errorContext } as const
  })
}) {}
