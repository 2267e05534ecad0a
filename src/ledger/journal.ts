import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { fromCents, toCents } from "./money.ts"
import {
  billEntry,
  canonicalEntry,
  creditApplicationEntry,
  creditEntry,
  paymentEntry,
  versionHash,
  type BillDocument,
  type CreditDocument,
  type EntrySpec,
  type NaturalKeys,
  type PaymentDocument,
  type SourceKind
} from "./postings.ts"

export interface PostingCounts {
  posted: number
  reversed: number
  unchanged: number
}

interface Head {
  readonly source_kind: string
  readonly source_id: string
  readonly live_entry_id: string | null
  readonly version_hash: string | null
  readonly postings: number
}

interface StoredLine {
  readonly entry_id: string
  readonly line_no: number
  readonly account_id: string
  readonly amount: string
  readonly vendor_id: string | null
  readonly item_id: string | null
  readonly customer_id: string | null
  readonly dimension_ids: ReadonlyArray<string>
  readonly open_item_kind: string | null
  readonly open_item_id: string | null
  readonly description: string | null
}

/** Statement size guard: rows per multi-row INSERT (11 columns × 4000 stays under Postgres' 65535 parameters). */
const INSERT_CHUNK = 4000

const chunks = <A>(rows: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

type DocLineRow = { account_id: number; item_id: number | null; customer_id: number | null; dimension_ids: Array<number>; description: string | null; amount: string }

/**
 * The posting service. Each `post*` call takes Bill.com ids of documents already written to the
 * payables tables IN THE CURRENT TRANSACTION and makes the journal agree with them: unchanged →
 * no-op (the version hash matches the live entry), changed → reversal of the live entry + a new
 * entry, archived / voided / gone → reversal only. Safe to call again with the same ids.
 */
export class Journal extends Effect.Service<Journal>()("billsync/Journal", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** Records the AP control account (pipeline `ledger.apAccount`) of a company. */
    const configure = Effect.fn("Journal.configure")(function* (companyId: number, apAccountNumber: string) {
      const rows = yield* sql<{ id: string }>`SELECT id::text FROM ledger_accounts
        WHERE company_id = ${companyId} AND number = ${apAccountNumber} AND type = 'accounts-payable'`
      if (rows[0] === undefined) return yield* Effect.dieMessage(`ledger.apAccount ${apAccountNumber} is not an accounts-payable account of company ${companyId}`)
      yield* sql`INSERT INTO journal_settings (company_id, ap_account_id) VALUES (${companyId}, ${rows[0].id})
        ON CONFLICT (company_id) DO UPDATE SET ap_account_id = EXCLUDED.ap_account_id, updated_at = now()`
    })

    /** The configured AP account, else the company's only active accounts-payable account. */
    const apAccount = (companyId: number) =>
      Effect.gen(function* () {
        const configured = yield* sql<{ id: string }>`SELECT ap_account_id::text AS id FROM journal_settings WHERE company_id = ${companyId}`
        if (configured[0] !== undefined) return Number(configured[0].id)
        const candidates = yield* sql<{ id: string }>`SELECT id::text FROM ledger_accounts
          WHERE company_id = ${companyId} AND type = 'accounts-payable' AND active ORDER BY number`
        if (candidates.length === 1) return Number(candidates[0]!.id)
        return yield* Effect.dieMessage(
          `company ${companyId} has ${candidates.length} active accounts-payable accounts and no configured AP control account (Journal.configure with ledger.apAccount)`
        )
      })

    /*
     * id → natural key of the rows journal lines reference. Cached for the life of the service: the
     * key is each table's upsert conflict target, so a row's key never changes, and an id is never
     * reused (a cached id of a rolled-back row is simply never asked for again).
     */
    const keyCache = { account: new Map<number, string>(), vendor: new Map<number, string>(), item: new Map<number, string>(), customer: new Map<number, string>(), dimension: new Map<number, string>() }
    type KeyTable = keyof typeof keyCache
    const naturalKeys = (specs: Iterable<EntrySpec>) =>
      Effect.gen(function* () {
        const wanted: Record<KeyTable, Set<number>> = { account: new Set(), vendor: new Set(), item: new Set(), customer: new Set(), dimension: new Set() }
        const need = (table: KeyTable, id: number | null) => {
          if (id !== null && !keyCache[table].has(id)) wanted[table].add(id)
        }
        for (const spec of specs) {
          need("vendor", spec.vendorId)
          for (const l of spec.lines) {
            need("account", l.accountId)
            need("vendor", l.vendorId)
            need("item", l.itemId)
            need("customer", l.customerId)
            for (const d of l.dimensionIds) need("dimension", d)
          }
        }
        const arr = (t: KeyTable) => `{${[...wanted[t]].join(",")}}`
        if (Object.values(wanted).some((w) => w.size > 0)) {
          const rows = yield* sql<{ t: KeyTable; id: string; key: string }>`
            SELECT 'account' AS t, id::text, number AS key FROM ledger_accounts WHERE id = ANY(${arr("account")}::bigint[])
            UNION ALL SELECT 'vendor', id::text, key FROM vendors WHERE id = ANY(${arr("vendor")}::bigint[])
            UNION ALL SELECT 'item', id::text, key FROM items WHERE id = ANY(${arr("item")}::bigint[])
            UNION ALL SELECT 'customer', id::text, key FROM customers WHERE id = ANY(${arr("customer")}::bigint[])
            UNION ALL SELECT 'dimension', id::text, kind || ':' || key FROM dimensions WHERE id = ANY(${arr("dimension")}::bigint[])`
          for (const r of rows) keyCache[r.t].set(Number(r.id), r.key)
        }
        const lookup = (t: KeyTable) => (id: number) => {
          const key = keyCache[t].get(id)
          if (key === undefined) throw new Error(`journal line references ${t} ${id}, which does not exist`)
          return key
        }
        const keys: NaturalKeys = { account: lookup("account"), vendor: lookup("vendor"), item: lookup("item"), customer: lookup("customer"), dimension: lookup("dimension") }
        return keys
      })

    const currencyOf = (companyId: number) =>
      Effect.map(sql<{ currency: string }>`SELECT currency FROM companies WHERE id = ${companyId}`, (r) => r[0]?.currency ?? "USD")

    /** Reconciles the heads of `ids` (one source kind) with the entries the documents want now. */
    const reconcile = (companyId: number, kind: SourceKind, ids: ReadonlyArray<string>, wanted: ReadonlyMap<string, EntrySpec>) =>
      Effect.gen(function* () {
        const counts: PostingCounts = { posted: 0, reversed: 0, unchanged: 0 }
        if (ids.length === 0) return counts
        const heads = new Map(
          (yield* sql<Head>`SELECT source_kind, source_id, live_entry_id::text, version_hash, postings FROM journal_heads
            WHERE company_id = ${companyId} AND source_kind = ${kind} AND source_id IN ${sql.in(ids)} FOR UPDATE`).map((h) => [h.source_id, h])
        )
        const keys = yield* naturalKeys(wanted.values())
        const toReverse: Array<string> = []
        const toPost: Array<{ spec: EntrySpec; hash: string; generation: number }> = []
        const headRows: Array<{ source_id: string; live: EntrySpec | undefined; hash: string | null; postings: number }> = []
        for (const id of new Set(ids)) {
          const head = heads.get(id)
          const desired = wanted.get(id)
          const spec = desired === undefined ? undefined : canonicalEntry(desired, keys)
          const hash = spec === undefined ? null : versionHash(spec, keys)
          if ((head?.version_hash ?? null) === hash) {
            counts.unchanged++
            continue
          }
          if (head?.live_entry_id != null) toReverse.push(head.live_entry_id)
          const postings = (head?.postings ?? 0) + (spec === undefined ? 0 : 1)
          if (spec !== undefined) toPost.push({ spec, hash: hash!, generation: postings })
          headRows.push({ source_id: id, live: spec, hash, postings })
        }
        if (toReverse.length === 0 && toPost.length === 0) return counts

        const originals = toReverse.length === 0 ? [] : yield* sql<{ id: string; source_id: string; version_hash: string; entry_date: string; currency: string; vendor_id: string | null; memo: string | null }>`
          SELECT id::text, source_id, version_hash, entry_date::text, currency, vendor_id::text, memo FROM journal_entries WHERE id IN ${sql.in(toReverse)}`
        const originalLines = toReverse.length === 0 ? [] : yield* sql<StoredLine>`
          SELECT entry_id::text, line_no, account_id::text, amount::text, vendor_id::text, item_id::text, customer_id::text,
                 dimension_ids::text[] AS dimension_ids, open_item_kind, open_item_id, description
          FROM journal_lines WHERE entry_id IN ${sql.in(toReverse)} ORDER BY entry_id, line_no`

        // Reversals first (their key is the entry they reverse: a second reversal cannot be inserted), then the new versions.
        const entryRows = [
          ...originals.map((o) => ({
            company_id: companyId,
            kind: "reversal",
            source_kind: kind,
            source_id: o.source_id,
            version_hash: o.version_hash,
            idempotency_key: `reversal/${o.id}`,
            reverses_entry_id: Number(o.id),
            entry_date: o.entry_date,
            currency: o.currency,
            vendor_id: o.vendor_id === null ? null : Number(o.vendor_id),
            memo: `Reversal: ${o.memo ?? ""}`.trim()
          })),
          ...toPost.map(({ spec, hash, generation }) => ({
            company_id: companyId,
            kind: "posting",
            source_kind: kind,
            source_id: spec.sourceId,
            version_hash: hash,
            idempotency_key: `${companyId}/${kind}/${spec.sourceId}/${hash.slice(0, 32)}/${generation}`,
            reverses_entry_id: null,
            entry_date: spec.entryDate,
            currency: spec.currency,
            vendor_id: spec.vendorId,
            memo: spec.memo
          }))
        ]
        const inserted = yield* sql<{ id: string; idempotency_key: string }>`INSERT INTO journal_entries ${sql.insert(entryRows)} RETURNING id::text, idempotency_key`
        const idOf = new Map(inserted.map((r) => [r.idempotency_key, Number(r.id)]))

        const lineRows = [
          ...originalLines.map((l) => ({
            entry_id: idOf.get(`reversal/${l.entry_id}`)!,
            line_no: l.line_no,
            account_id: Number(l.account_id),
            amount: fromCents(-toCents(l.amount)),
            vendor_id: l.vendor_id === null ? null : Number(l.vendor_id),
            item_id: l.item_id === null ? null : Number(l.item_id),
            customer_id: l.customer_id === null ? null : Number(l.customer_id),
            dimension_ids: l.dimension_ids.map(Number),
            open_item_kind: l.open_item_kind,
            open_item_id: l.open_item_id,
            description: l.description
          })),
          ...toPost.flatMap(({ spec, hash, generation }) => {
            const entryId = idOf.get(`${companyId}/${kind}/${spec.sourceId}/${hash.slice(0, 32)}/${generation}`)!
            return spec.lines.map((l, i) => ({
              entry_id: entryId,
              line_no: i + 1,
              account_id: l.accountId,
              amount: fromCents(l.amount),
              vendor_id: l.vendorId,
              item_id: l.itemId,
              customer_id: l.customerId,
              dimension_ids: [...l.dimensionIds],
              open_item_kind: l.openItem?.kind ?? null,
              open_item_id: l.openItem?.id ?? null,
              description: l.description
            }))
          })
        ]
        for (const chunk of chunks(lineRows, INSERT_CHUNK)) yield* sql`INSERT INTO journal_lines ${sql.insert(chunk)}`

        const heads2 = headRows.map((h) => ({
          company_id: companyId,
          source_kind: kind,
          source_id: h.source_id,
          live_entry_id: h.live === undefined ? null : idOf.get(`${companyId}/${kind}/${h.source_id}/${h.hash!.slice(0, 32)}/${h.postings}`)!,
          version_hash: h.hash,
          postings: h.postings
        }))
        yield* sql`INSERT INTO journal_heads ${sql.insert(heads2)}
          ON CONFLICT (company_id, source_kind, source_id) DO UPDATE SET live_entry_id = EXCLUDED.live_entry_id,
            version_hash = EXCLUDED.version_hash, postings = EXCLUDED.postings, updated_at = now()`
        counts.reversed = originals.length
        counts.posted = toPost.length
        return counts
      })

    const docLines = (table: "bill_lines" | "vendor_credit_lines", parent: "bill_id" | "vendor_credit_id", parentIds: ReadonlyArray<string>) =>
      parentIds.length === 0
        ? Effect.succeed(new Map<string, Array<DocLineRow>>())
        : Effect.map(
            sql<DocLineRow & { parent: string }>`SELECT ${sql(parent)}::text AS parent, account_id::int, item_id::int, customer_id::int,
                dimension_ids::int[] AS dimension_ids, description, amount::text
              FROM ${sql(table)} WHERE ${sql(parent)} IN ${sql.in(parentIds)} ORDER BY ${sql(parent)}, line_no`,
            (rows) => {
              const out = new Map<string, Array<DocLineRow>>()
              for (const { parent: p, ...l } of rows) out.set(p, [...(out.get(p) ?? []), l])
              return out
            }
          )

    /** Bills by Bill.com id (written, re-written or archived in this transaction). */
    const postBills = Effect.fn("Journal.postBills")(function* (companyId: number, billcomIds: ReadonlyArray<string>) {
      if (billcomIds.length === 0) return { posted: 0, reversed: 0, unchanged: 0 }
      const ap = yield* apAccount(companyId)
      const bills = yield* sql<{ id: string; billcom_id: string; vendor_id: number; invoice_number: string | null; invoice_date: string; amount: string; currency: string; archived: boolean }>`
        SELECT id::text, billcom_id, vendor_id::int, invoice_number, invoice_date::text, amount::text, currency, archived
        FROM bills WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)}`
      const lines = yield* docLines("bill_lines", "bill_id", bills.map((b) => b.id))
      const wanted = new Map<string, EntrySpec>()
      for (const b of bills) {
        const doc: BillDocument = { billcomId: b.billcom_id, vendorId: b.vendor_id, invoiceNumber: b.invoice_number, invoiceDate: b.invoice_date, amount: b.amount, currency: b.currency, archived: b.archived, lines: lines.get(b.id) ?? [] }
        const spec = billEntry(doc, ap)
        if (spec !== undefined) wanted.set(b.billcom_id, spec)
      }
      const counts = yield* reconcile(companyId, "bill", billcomIds, wanted)
      // A credit application is dated by the bills it settles (postVendorCredits), so a bill edited or
      // archived here re-dates the applications of its credits now, not at the credit's next change.
      // Driven by the company's vendor credits: none exist yet while a first load writes bills.
      const credits = yield* sql<{ billcom_id: string }>`
        SELECT DISTINCT c.billcom_id FROM vendor_credits c
        JOIN integrations i ON i.company_id = c.company_id
        JOIN source_records s ON s.integration_id = i.id AND s.kind = 'vendor-credit' AND s.billcom_id = c.billcom_id,
             jsonb_array_elements(CASE jsonb_typeof(s.raw->'usage') WHEN 'array' THEN s.raw->'usage' ELSE '[]'::jsonb END) u
        WHERE c.company_id = ${companyId} AND u->>'billId' IN ${sql.in(billcomIds)}`
      if (credits.length === 0) return counts
      const applications = yield* postVendorCredits(companyId, credits.map((c) => c.billcom_id))
      return { posted: counts.posted + applications.posted, reversed: counts.reversed + applications.reversed, unchanged: counts.unchanged }
    })

    /** Vendor credits by Bill.com id: the credit itself and its applications to bills (Bill.com's `usage`, from the raw record). */
    const postVendorCredits = Effect.fn("Journal.postVendorCredits")(function* (companyId: number, billcomIds: ReadonlyArray<string>) {
      if (billcomIds.length === 0) return { posted: 0, reversed: 0, unchanged: 0 }
      const ap = yield* apAccount(companyId)
      const currency = yield* currencyOf(companyId)
      const credits = yield* sql<{ id: string; billcom_id: string; vendor_id: number; reference_number: string | null; credit_date: string; amount: string; archived: boolean }>`
        SELECT id::text, billcom_id, vendor_id::int, reference_number, credit_date::text, amount::text, archived
        FROM vendor_credits WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)}`
      const lines = yield* docLines("vendor_credit_lines", "vendor_credit_id", credits.map((c) => c.id))
      const usageRows = yield* sql<{ billcom_id: string; bill_id: string; amount: string }>`
        SELECT s.billcom_id, u->>'billId' AS bill_id, (u->>'amount')::numeric(18,2)::text AS amount
        FROM source_records s JOIN integrations i ON i.id = s.integration_id,
             jsonb_array_elements(CASE jsonb_typeof(s.raw->'usage') WHEN 'array' THEN s.raw->'usage' ELSE '[]'::jsonb END) u
        WHERE i.company_id = ${companyId} AND s.kind = 'vendor-credit' AND s.billcom_id IN ${sql.in(billcomIds)}
          AND u->>'billId' IS NOT NULL AND jsonb_typeof(u->'amount') = 'number'`
      const usage = new Map<string, Array<{ billId: string; amount: string }>>()
      for (const u of usageRows) usage.set(u.billcom_id, [...(usage.get(u.billcom_id) ?? []), { billId: u.bill_id, amount: u.amount }])
      const appliedBills = [...new Set(usageRows.map((u) => u.bill_id))]
      const billDates = new Map(
        appliedBills.length === 0
          ? []
          : // The ledger's bills, else the stored Bill.com record (imported or not): dating only by the
            // ledger's bills made the entry depend on import order (a bill that failed to decode and
            // was imported later never re-dated the application).
            (yield* sql<{ billcom_id: string; invoice_date: string }>`
              SELECT billcom_id, invoice_date::text AS invoice_date FROM bills
              WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(appliedBills)} AND NOT archived
              UNION ALL
              SELECT s.billcom_id, COALESCE(s.business_date::text, s.raw->'invoice'->>'invoiceDate')
              FROM source_records s JOIN integrations i ON i.id = s.integration_id
              WHERE i.company_id = ${companyId} AND s.kind = 'bill' AND s.billcom_id IN ${sql.in(appliedBills)} AND NOT s.archived
                AND COALESCE(s.business_date::text, s.raw->'invoice'->>'invoiceDate') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.company_id = ${companyId} AND b.billcom_id = s.billcom_id)`
            ).map((b) => [b.billcom_id, b.invoice_date] as const)
      )
      const credit = new Map<string, EntrySpec>()
      const application = new Map<string, EntrySpec>()
      for (const c of credits) {
        const doc: CreditDocument = { billcomId: c.billcom_id, vendorId: c.vendor_id, referenceNumber: c.reference_number, creditDate: c.credit_date, amount: c.amount, currency, archived: c.archived, lines: lines.get(c.id) ?? [], usage: usage.get(c.billcom_id) ?? [] }
        const spec = creditEntry(doc, ap)
        if (spec !== undefined) credit.set(c.billcom_id, spec)
        const applied = spec === undefined ? undefined : creditApplicationEntry(doc, ap, billDates)
        if (applied !== undefined) application.set(c.billcom_id, applied)
      }
      const a = yield* reconcile(companyId, "vendor-credit", billcomIds, credit)
      const b = yield* reconcile(companyId, "credit-application", billcomIds, application)
      return { posted: a.posted + b.posted, reversed: a.reversed + b.reversed, unchanged: a.unchanged + b.unchanged }
    })

    /** Vendor payments by Bill.com id; a voided/cancelled payment reverses its entry. */
    const postVendorPayments = Effect.fn("Journal.postVendorPayments")(function* (companyId: number, billcomIds: ReadonlyArray<string>) {
      if (billcomIds.length === 0) return { posted: 0, reversed: 0, unchanged: 0 }
      const ap = yield* apAccount(companyId)
      const currency = yield* currencyOf(companyId)
      const payments = yield* sql<{ id: string; billcom_id: string; vendor_id: number; process_date: string; amount: string; cash_account_id: number; posts: boolean }>`
        SELECT id::text, billcom_id, vendor_id::int, process_date::text, amount::text, cash_account_id::int, journal_payment_posts(status) AS posts
        FROM vendor_payments WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)}`
      const apps = payments.length === 0 ? [] : yield* sql<{ payment: string; billcom_bill_id: string; amount: string }>`
        SELECT vendor_payment_id::text AS payment, billcom_bill_id, amount::text FROM vendor_payment_applications
        WHERE vendor_payment_id IN ${sql.in(payments.map((p) => p.id))} ORDER BY vendor_payment_id, line_no`
      const wanted = new Map<string, EntrySpec>()
      for (const p of payments) {
        const doc: PaymentDocument = {
          billcomId: p.billcom_id,
          vendorId: p.vendor_id,
          processDate: p.process_date,
          amount: p.amount,
          currency,
          cashAccountId: p.cash_account_id,
          posts: p.posts,
          applications: apps.filter((a) => a.payment === p.id).map((a) => ({ billcomBillId: a.billcom_bill_id, amount: a.amount }))
        }
        const spec = paymentEntry(doc, ap)
        if (spec !== undefined) wanted.set(p.billcom_id, spec)
      }
      return yield* reconcile(companyId, "payment", billcomIds, wanted)
    })

    /** Every document of a company (backfill after an upgrade, repair): unchanged ones are no-ops. */
    const postAll = Effect.fn("Journal.postAll")(function* (companyId: number) {
      const ids = (table: "bills" | "vendor_credits" | "vendor_payments") =>
        Effect.map(sql<{ billcom_id: string }>`SELECT billcom_id FROM ${sql(table)} WHERE company_id = ${companyId} ORDER BY billcom_id`, (r) => r.map((x) => x.billcom_id))
      const total: PostingCounts = { posted: 0, reversed: 0, unchanged: 0 }
      const add = (c: PostingCounts) => {
        total.posted += c.posted
        total.reversed += c.reversed
        total.unchanged += c.unchanged
      }
      for (const chunk of chunks(yield* ids("bills"), 1000)) add(yield* postBills(companyId, chunk))
      for (const chunk of chunks(yield* ids("vendor_credits"), 1000)) add(yield* postVendorCredits(companyId, chunk))
      for (const chunk of chunks(yield* ids("vendor_payments"), 1000)) add(yield* postVendorPayments(companyId, chunk))
      return total
    })

    return { configure, postBills, postVendorCredits, postVendorPayments, postAll } as const
  })
}) {}
