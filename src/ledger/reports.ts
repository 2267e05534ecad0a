import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { sumCents, toCents, type Cents } from "./money.ts"

export const AGING_BUCKETS = ["current", "1-30", "31-60", "61-90", "90+"] as const
export type AgingBucket = (typeof AGING_BUCKETS)[number]

/** The default aging boundaries (days past due): current, 1–30, 31–60, 61–90, over 90. */
export const DEFAULT_BUCKETS: ReadonlyArray<number> = [30, 60, 90]

/** Bucket keys for ascending boundaries: [30, 60, 90] → current, 1-30, 31-60, 61-90, 90+. */
export const bucketKeys = (boundaries: ReadonlyArray<number> = DEFAULT_BUCKETS): Array<string> => {
  const out = ["current"]
  let from = 1
  for (const b of boundaries) {
    out.push(`${from}-${b}`)
    from = b + 1
  }
  out.push(`${boundaries.at(-1) ?? 0}+`)
  return out
}

/** Why a `--buckets` list is unusable, or undefined: whole days, ascending, at least one. */
export const bucketsProblem = (boundaries: ReadonlyArray<number>): string | undefined => {
  if (boundaries.length === 0) return "give at least one boundary, e.g. 30,60,90"
  if (boundaries.some((b) => !Number.isInteger(b) || b < 1 || b > 3650))
    return "boundaries are whole numbers of days from 1 to 3650"
  if (boundaries.some((b, i) => i > 0 && b <= boundaries[i - 1]!))
    return "boundaries must be in ascending order without repeats"
  return undefined
}

export interface OpenItem {
  readonly kind: "bill" | "vendor-credit" | "payment"
  readonly billcomId: string
  readonly reference: string | null
  readonly dueDate: string | null
  readonly daysPastDue: number | null
  /** What AP owes on the item in the functional currency (negative: a credit or payment not applied to a bill in the ledger). */
  readonly open: Cents
  /** The item's transaction currency and what is open in it. */
  readonly currency: string
  readonly openInCurrency: Cents
  readonly bucket: string
}

/** Open balance in one transaction currency: in it, and in the functional currency. */
export interface CurrencyBalance {
  readonly currency: string
  readonly open: Cents
  readonly functional: Cents
}

export interface AgingRow {
  readonly vendorKey: string
  readonly vendorName: string
  readonly buckets: Readonly<Record<string, Cents>>
  readonly total: Cents
  /** Payments Bill.com holds as SCHEDULED or APPROVING (not posted: no money has left), functional currency. */
  readonly scheduled: Cents
  /** Per transaction currency (a foreign-currency vendor's own balance). */
  readonly currencies: ReadonlyArray<CurrencyBalance>
  readonly items: ReadonlyArray<OpenItem>
}

/** Aging total vs the AP control account's balance, overall and per transaction currency. */
export interface TieOut {
  readonly account: string
  readonly accountName: string
  /** AP control balance as of the report date (what AP owes: credit positive). */
  readonly control: Cents
  readonly aging: Cents
  readonly difference: Cents
  readonly currencies: ReadonlyArray<{
    readonly currency: string
    readonly aging: CurrencyBalance
    readonly control: CurrencyBalance
    readonly difference: Cents
    readonly differenceInCurrency: Cents
  }>
}

export interface AgingReport {
  readonly asOf: string
  readonly currency: string
  /** Bucket keys in order ("current", "1-30", …, "90+"); every row and the totals also have "unapplied". */
  readonly bucketKeys: ReadonlyArray<string>
  readonly rows: ReadonlyArray<AgingRow>
  readonly totals: Readonly<Record<string, Cents>> & { readonly total: Cents; readonly scheduled: Cents }
  readonly currencies: ReadonlyArray<CurrencyBalance>
  readonly tieOut: TieOut
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

/** An entry dated later than its document asked for: its period was closed (docs/accounting.md). */
export interface LatePosting {
  readonly entryId: number
  readonly kind: "posting" | "reversal"
  readonly sourceKind: string
  readonly sourceId: string
  readonly vendorKey: string | null
  readonly documentDate: string
  readonly postedOn: string
  /** Sum of the entry's debits (functional currency). */
  readonly amount: Cents
  readonly memo: string | null
}

/** One vendor's 1099 figures for a calendar year (payments that moved money, card-funded ones excluded). */
export interface Form1099Row {
  readonly vendorKey: string
  readonly vendorName: string
  readonly taxIdOnFile: boolean
  readonly taxIdType: string | null
  readonly payments: number
  readonly amount: Cents
  /** Card-funded payments left out (the card processor reports them on a 1099-K). */
  readonly cardPayments: number
  readonly cardAmount: Cents
}

export interface Form1099Report {
  readonly year: number
  readonly currency: string
  readonly rows: ReadonlyArray<Form1099Row>
  readonly total: Cents
  /** Vendors tracked for 1099 without a tax id on file (they need a W-9 before filing). */
  readonly missingTaxId: number
}

const DAY_MS = 86_400_000
const days = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS)

/** 0 or less → current; then one bucket per boundary, then over the last (default 1–30, 31–60, 61–90, 90+). */
export const bucketOf = (daysPastDue: number, boundaries: ReadonlyArray<number> = DEFAULT_BUCKETS): string => {
  const keys = bucketKeys(boundaries)
  if (daysPastDue <= 0) return keys[0]!
  const i = boundaries.findIndex((b) => daysPastDue <= b)
  return keys[i < 0 ? keys.length - 1 : i + 1]!
}

const emptyBuckets = (keys: ReadonlyArray<string>): Record<string, Cents> =>
  Object.fromEntries([...keys, "unapplied"].map((k) => [k, 0n]))

const addBalance = (
  into: Map<string, { open: Cents; functional: Cents }>,
  currency: string,
  open: Cents,
  functional: Cents
) => {
  const b = into.get(currency) ?? { open: 0n, functional: 0n }
  into.set(currency, { open: b.open + open, functional: b.functional + functional })
}
const balances = (m: Map<string, { open: Cents; functional: Cents }>): Array<CurrencyBalance> =>
  [...m]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, b]) => ({ currency, open: b.open, functional: b.functional }))

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
      return r === undefined
        ? undefined
        : { integrationId: Number(r.integration_id), companyId: Number(r.company_id), currency: r.currency.trim() }
    })

    /**
     * Open AP items from the journal (AP lines grouped by the document they settle, entries dated
     * on or before `asOf`), aged by the bill's due date (its invoice date when it has none) into
     * the given buckets, with each item's transaction currency; the tie-out compares the total
     * with the AP control account's balance as of the same date, overall and per currency.
     */
    const aging = Effect.fn("Reports.aging")(function* (
      companyId: number,
      currency: string,
      asOf: string,
      boundaries: ReadonlyArray<number> = DEFAULT_BUCKETS
    ) {
      const keys = bucketKeys(boundaries)
      const items = yield* sql<{
        vendor_key: string
        vendor_name: string
        kind: OpenItem["kind"]
        open_item_id: string
        owed: string
        txn: string
        currency: string | null
        due: string | null
        reference: string | null
      }>`
        WITH items AS (
          SELECT l.vendor_id, l.open_item_kind, l.open_item_id, -sum(l.amount) AS owed, -sum(coalesce(l.txn_amount, l.amount)) AS txn,
                 max(l.currency) FILTER (WHERE l.txn_amount IS DISTINCT FROM 0) AS currency
          FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
          WHERE e.company_id = ${companyId} AND e.entry_date <= ${asOf}::date AND l.open_item_id IS NOT NULL
          GROUP BY l.vendor_id, l.open_item_kind, l.open_item_id
          HAVING sum(l.amount) <> 0 OR sum(coalesce(l.txn_amount, l.amount)) <> 0
        )
        SELECT v.key AS vendor_key, v.name AS vendor_name, i.open_item_kind AS kind, i.open_item_id, i.owed::text AS owed, i.txn::text AS txn, i.currency,
               coalesce(b.due_date, b.invoice_date)::text AS due,
               coalesce(b.invoice_number, vc.reference_number) AS reference
        FROM items i JOIN vendors v ON v.id = i.vendor_id
        LEFT JOIN bills b ON i.open_item_kind = 'bill' AND b.company_id = ${companyId} AND b.billcom_id = i.open_item_id
        LEFT JOIN vendor_credits vc ON i.open_item_kind = 'vendor-credit' AND vc.company_id = ${companyId} AND vc.billcom_id = i.open_item_id
        ORDER BY v.key, due NULLS LAST, i.open_item_id`
      const scheduled = yield* sql<{ vendor_key: string; vendor_name: string; amount: string }>`
        SELECT v.key AS vendor_key, v.name AS vendor_name, sum(coalesce(CASE WHEN p.currency = ${currency} THEN p.amount END, p.funding_amount, p.amount))::text AS amount
        FROM vendor_payments p JOIN vendors v ON v.id = p.vendor_id
        WHERE p.company_id = ${companyId} AND upper(p.status) IN ('SCHEDULED', 'APPROVING') GROUP BY v.key, v.name`
      const byVendor = new Map<string, { name: string; items: Array<OpenItem> }>()
      for (const r of items) {
        const open = toCents(r.owed)
        const dpd = r.due === null ? null : days(r.due, asOf)
        // Only a bill the ledger holds, with money still owed, is aged; everything else is unapplied.
        const bucket = r.kind === "bill" && r.due !== null && open > 0n ? bucketOf(dpd!, boundaries) : "unapplied"
        const entry = byVendor.get(r.vendor_key) ?? { name: r.vendor_name, items: [] }
        entry.items.push({
          kind: r.kind,
          billcomId: r.open_item_id,
          reference: r.reference,
          dueDate: r.due,
          daysPastDue: dpd,
          open,
          currency: r.currency?.trim() ?? currency,
          openInCurrency: toCents(r.txn),
          bucket
        })
        byVendor.set(r.vendor_key, entry)
      }
      const scheduledOf = new Map(scheduled.map((s) => [s.vendor_key, toCents(s.amount)]))
      for (const s of scheduled)
        if (!byVendor.has(s.vendor_key)) byVendor.set(s.vendor_key, { name: s.vendor_name, items: [] })
      const totals = emptyBuckets(keys)
      const all = new Map<string, { open: Cents; functional: Cents }>()
      const rows: Array<AgingRow> = [...byVendor]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([vendorKey, v]) => {
          const buckets = emptyBuckets(keys)
          const own = new Map<string, { open: Cents; functional: Cents }>()
          for (const item of v.items) {
            buckets[item.bucket] = (buckets[item.bucket] ?? 0n) + item.open
            totals[item.bucket] = (totals[item.bucket] ?? 0n) + item.open
            addBalance(own, item.currency, item.openInCurrency, item.open)
            addBalance(all, item.currency, item.openInCurrency, item.open)
          }
          return {
            vendorKey,
            vendorName: v.name,
            buckets,
            total: sumCents(v.items.map((i) => i.open)),
            scheduled: scheduledOf.get(vendorKey) ?? 0n,
            currencies: balances(own),
            items: v.items
          }
        })
      const total = sumCents(rows.map((r) => r.total))
      const currencies = balances(all)
      return {
        asOf,
        currency,
        bucketKeys: keys,
        rows,
        totals: { ...totals, total, scheduled: sumCents(rows.map((r) => r.scheduled)) },
        currencies,
        tieOut: yield* tieOut(companyId, currency, asOf, total, currencies)
      } satisfies AgingReport
    })

    /** The AP control account's balance as of a date (AP owes: positive), overall and per transaction currency, against the aging. */
    const tieOut = (
      companyId: number,
      functional: string,
      asOf: string,
      agingTotal: Cents,
      agingCurrencies: ReadonlyArray<CurrencyBalance>
    ) =>
      Effect.gen(function* () {
        const rows = yield* sql<{
          number: string
          name: string
          currency: string | null
          txn: string | null
          amount: string | null
        }>`
          SELECT a.number, a.name, coalesce(l.currency, e.currency) AS currency, (-sum(coalesce(l.txn_amount, l.amount)))::text AS txn, (-sum(l.amount))::text AS amount
          FROM journal_settings s JOIN ledger_accounts a ON a.id = s.ap_account_id
          LEFT JOIN journal_lines l ON l.account_id = a.id
          LEFT JOIN journal_entries e ON e.id = l.entry_id AND e.company_id = ${companyId} AND e.entry_date <= ${asOf}::date
          WHERE s.company_id = ${companyId} AND (l.entry_id IS NULL OR e.id IS NOT NULL)
          GROUP BY a.number, a.name, 3`
        const control = new Map<string, { open: Cents; functional: Cents }>()
        for (const r of rows)
          if (r.currency !== null && r.amount !== null)
            addBalance(control, r.currency.trim(), toCents(r.txn ?? "0"), toCents(r.amount))
        const controlTotal = sumCents([...control.values()].map((b) => b.functional))
        const names = [...new Set([...control.keys(), ...agingCurrencies.map((c) => c.currency)])].sort()
        const out: TieOut = {
          account: rows[0]?.number ?? "",
          accountName: rows[0]?.name ?? "",
          control: controlTotal,
          aging: agingTotal,
          difference: agingTotal - controlTotal,
          currencies: names.map((c) => {
            const a = agingCurrencies.find((x) => x.currency === c) ?? { currency: c, open: 0n, functional: 0n }
            const k = control.get(c) ?? { open: 0n, functional: 0n }
            return {
              currency: c,
              aging: a,
              control: { currency: c, open: k.open, functional: k.functional },
              difference: a.functional - k.functional,
              differenceInCurrency: a.open - k.open
            }
          })
        }
        void functional
        return out
      })

    const trialBalance = Effect.fn("Reports.trialBalance")(function* (
      companyId: number,
      currency: string,
      asOf: string
    ) {
      const rows = yield* sql<{ number: string; name: string; type: string; balance: string }>`
        SELECT a.number, a.name, a.type, sum(l.amount)::text AS balance
        FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.id = l.account_id
        WHERE e.company_id = ${companyId} AND e.entry_date <= ${asOf}::date
        GROUP BY a.number, a.name, a.type HAVING sum(l.amount) <> 0 ORDER BY a.number`
      const out = rows.map(
        (r): TrialBalanceRow => ({ number: r.number, name: r.name, type: r.type, balance: toCents(r.balance) })
      )
      return {
        asOf,
        currency,
        rows: out,
        debits: sumCents(out.filter((r) => r.balance > 0n).map((r) => r.balance)),
        credits: -sumCents(out.filter((r) => r.balance < 0n).map((r) => r.balance))
      } satisfies TrialBalance
    })

    /** Entries dated later than their document asked for (its period was closed), posted in [from, to]. */
    const latePostings = Effect.fn("Reports.latePostings")(function* (companyId: number, to: string, from?: string) {
      const rows = yield* sql<{
        id: string
        kind: "posting" | "reversal"
        source_kind: string
        source_id: string
        vendor_key: string | null
        document_date: string
        entry_date: string
        amount: string
        memo: string | null
      }>`
        SELECT e.id::text, e.kind, e.source_kind, e.source_id, v.key AS vendor_key, e.document_date::text, e.entry_date::text,
               (SELECT coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0) FROM journal_lines l WHERE l.entry_id = e.id)::text AS amount, e.memo
        FROM journal_entries e LEFT JOIN vendors v ON v.id = e.vendor_id
        WHERE e.company_id = ${companyId} AND e.document_date IS NOT NULL AND e.document_date < e.entry_date
          AND e.entry_date <= ${to}::date AND e.entry_date >= ${from ?? "0001-01-01"}::date
        ORDER BY e.entry_date, e.id LIMIT 5000`
      return rows.map(
        (r): LatePosting => ({
          entryId: Number(r.id),
          kind: r.kind,
          sourceKind: r.source_kind,
          sourceId: r.source_id,
          vendorKey: r.vendor_key,
          documentDate: r.document_date,
          postedOn: r.entry_date,
          amount: toCents(r.amount),
          memo: r.memo
        })
      )
    })

    /**
     * 1099 readiness for a calendar year: per vendor Bill.com tracks for 1099, the payments that
     * moved money (PAID, ESCHEATED) with a process date in the year, card-funded ones (CARD_ACCOUNT,
     * AP_CARD: reported by the card processor on 1099-K) counted apart; vendors without a tax id flagged.
     */
    const form1099 = Effect.fn("Reports.form1099")(function* (companyId: number, currency: string, year: number) {
      const rows = yield* sql<{
        vendor_key: string
        vendor_name: string
        tax_id: boolean
        tax_id_type: string | null
        payments: number
        amount: string
        card_payments: number
        card_amount: string
      }>`
        SELECT v.key AS vendor_key, v.name AS vendor_name, coalesce((v.details->>'taxIdOnFile')::boolean, false) AS tax_id, v.details->>'taxIdType' AS tax_id_type,
               count(p.id) FILTER (WHERE NOT p.card)::int AS payments, coalesce(sum(p.amount) FILTER (WHERE NOT p.card), 0)::text AS amount,
               count(p.id) FILTER (WHERE p.card)::int AS card_payments, coalesce(sum(p.amount) FILTER (WHERE p.card), 0)::text AS card_amount
        FROM vendors v
        LEFT JOIN (
          SELECT vendor_id, id, coalesce(CASE WHEN currency = ${currency} THEN amount END, funding_amount, amount) AS amount,
                 coalesce(upper(funding_type) IN ('CARD_ACCOUNT', 'AP_CARD'), false) AS card
          FROM vendor_payments
          WHERE company_id = ${companyId} AND journal_payment_posts(status)
            AND process_date >= make_date(${year}, 1, 1) AND process_date < make_date(${year + 1}, 1, 1)
        ) p ON p.vendor_id = v.id
        WHERE v.company_id = ${companyId} AND coalesce((v.details->>'track1099')::boolean, false)
        GROUP BY v.key, v.name, 3, 4
        HAVING count(p.id) > 0 OR NOT coalesce((v.details->>'taxIdOnFile')::boolean, false)
        ORDER BY v.key`
      const out = rows.map(
        (r): Form1099Row => ({
          vendorKey: r.vendor_key,
          vendorName: r.vendor_name,
          taxIdOnFile: r.tax_id,
          taxIdType: r.tax_id_type,
          payments: r.payments,
          amount: toCents(r.amount),
          cardPayments: r.card_payments,
          cardAmount: toCents(r.card_amount)
        })
      )
      return {
        year,
        currency,
        rows: out,
        total: sumCents(out.map((r) => r.amount)),
        missingTaxId: out.filter((r) => !r.taxIdOnFile).length
      } satisfies Form1099Report
    })

    /** Pulled records that no mapping covers yet (their open integration errors name what is missing). */
    const unmapped = Effect.fn("Reports.unmapped")(function* (integrationId: number) {
      const rows = yield* sql<{
        kind: string
        billcom_id: string
        code: string
        message: string
        last_seen_at: string
      }>`
        SELECT kind, billcom_id, code, message, last_seen_at::text FROM integration_errors
        WHERE integration_id = ${integrationId} AND resolved_at IS NULL AND code LIKE '%unmapped%'
        ORDER BY kind, billcom_id LIMIT 500`
      return rows.map(
        (r): UnmappedRecord => ({
          kind: r.kind,
          billcomId: r.billcom_id,
          code: r.code,
          message: r.message,
          lastSeenAt: r.last_seen_at
        })
      )
    })

    /** Resolved errors of the last runs, with the resolution that applied (the HTML report shows them with the open ones). */
    const recentlyResolved = Effect.fn("Reports.recentlyResolved")(function* (integrationId: number, limit: number) {
      return yield* sql<{
        stage: string
        kind: string
        billcom_id: string
        code: string
        symptom: string
        resolution: string
        message: string
        resolved_at: string
      }>`
        SELECT stage, kind, billcom_id, code, symptom, resolution, message, resolved_at::text FROM integration_errors
        WHERE integration_id = ${integrationId} AND resolved_at IS NOT NULL ORDER BY resolved_at DESC, id DESC LIMIT ${limit}`
    })

    /**
     * Vendor and document of the records behind integration errors, read from the raw records as
     * pulled (a record that failed to import has no ledger row). Keyed by errorContextKey.
     */
    const errorContext = Effect.fn("Reports.errorContext")(function* (
      integrationId: number,
      records: ReadonlyArray<{ readonly kind: string; readonly billcomId: string }>
    ) {
      const out = new Map<string, ErrorContext>()
      if (records.length === 0) return out
      const rows = yield* sql<{
        kind: string
        billcom_id: string
        vendor: string | null
        invoice: string | null
        reference: string | null
        amount: string | null
        process_date: string | null
        paid_invoice: string | null
      }>`
        SELECT s.kind, s.billcom_id,
               coalesce(nullif(s.raw->>'vendorName', ''), v.raw->>'name', CASE WHEN s.kind = 'vendor' THEN s.raw->>'name' END) AS vendor,
               s.raw->'invoice'->>'invoiceNumber' AS invoice, s.raw->>'referenceNumber' AS reference,
               s.raw->>'amount' AS amount, s.raw->>'processDate' AS process_date, b.raw->'invoice'->>'invoiceNumber' AS paid_invoice
        FROM source_records s
        LEFT JOIN source_records v ON v.integration_id = s.integration_id AND v.kind = 'vendor' AND v.billcom_id = s.raw->>'vendorId'
        LEFT JOIN source_records b ON s.kind = 'payment' AND b.integration_id = s.integration_id AND b.kind = 'bill'
          AND b.billcom_id = coalesce(s.raw->'billPayments'->0->>'billId', s.raw->>'billId')
        WHERE s.integration_id = ${integrationId} AND s.billcom_id IN ${sql.in([...new Set(records.map((r) => r.billcomId))])}`
      for (const r of rows) {
        const document =
          r.kind === "bill"
            ? r.invoice !== null && r.invoice !== ""
              ? `invoice ${r.invoice}`
              : undefined
            : r.kind === "vendor-credit"
              ? r.reference !== null && r.reference !== ""
                ? `credit ${r.reference}`
                : undefined
              : r.kind === "payment"
                ? `payment${r.amount !== null ? ` of ${r.amount}` : ""}${r.process_date !== null ? ` on ${r.process_date}` : ""}${r.paid_invoice !== null ? ` (invoice ${r.paid_invoice})` : ""}`
                : undefined
        out.set(errorContextKey(r.kind, r.billcom_id), { vendor: r.vendor ?? undefined, document })
      }
      return out
    })

    return { scope, aging, trialBalance, latePostings, form1099, unmapped, recentlyResolved, errorContext } as const
  })
}) {}
