import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { fromCents, sumCents, toCents, type Cents } from "./money.ts"
import { checkFence } from "../store/fence.ts"
import {
  applicationDate,
  billEntry,
  canonicalEntry,
  creditApplicationEntry,
  creditEntry,
  FUNCTIONAL,
  fxRoundingEntry,
  openingEntry,
  paymentEntry,
  versionHash,
  type BillDocument,
  type Conversion,
  type CreditDocument,
  type EntrySpec,
  type NaturalKeys,
  type OpenItemKind,
  type PaymentDocument,
  type PostingAccounts,
  type SourceKind
} from "./postings.ts"

export interface PostingCounts {
  posted: number
  reversed: number
  unchanged: number
}

const add = (a: PostingCounts, b: PostingCounts): PostingCounts => ({
  posted: a.posted + b.posted,
  reversed: a.reversed + b.reversed,
  unchanged: a.unchanged + b.unchanged
})
const none = (): PostingCounts => ({ posted: 0, reversed: 0, unchanged: 0 })

/** The pipeline's `ledger` section as the journal keeps it (journal_settings). */
export interface JournalConfig {
  readonly apAccount: string
  readonly currency?: string | undefined
  readonly cutoff?: string | undefined
  readonly openingBalanceAccount?: string | undefined
  readonly fxGainLossAccount?: string | undefined
  readonly closedThrough?: string | undefined
  readonly closedPeriodPolicy?: "next-open-period" | "error" | undefined
}

/** What every posting of a company needs: its accounts, functional currency, cutoff and closed period. */
export interface CompanySettings {
  readonly accounts: PostingAccounts
  readonly currency: string
  readonly cutoff: string | undefined
  readonly closedThrough: string | undefined
  readonly closedPolicy: "next-open-period" | "error"
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
  readonly currency: string | null
  readonly txn_amount: string | null
  readonly exchange_rate: string | null
}

/** Statement size guard: rows per multi-row INSERT (14 columns × 4000 stays under Postgres' 65535 parameters). */
const INSERT_CHUNK = 4000

const chunks = <A>(rows: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size))
  return out
}

/** The day after `date` (yyyy-MM-dd): the first open day after a closed period. */
export const dayAfter = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

/** When an entry wanted on `date` is dated: `date`, or the first open day when `date` lies in the closed period. */
export const postingDate = (date: string, closedThrough: string | undefined): string =>
  closedThrough !== undefined && date <= closedThrough ? dayAfter(closedThrough) : date

type DocLineRow = {
  account_id: number
  item_id: number | null
  customer_id: number | null
  dimension_ids: Array<number>
  description: string | null
  amount: string
}

/**
 * The posting service. Each `post*` call takes Bill.com ids of documents already written to the
 * payables tables IN THE CURRENT TRANSACTION and makes the journal agree with them: unchanged →
 * no-op (the version hash matches the live entry), changed → reversal of the live entry + a new
 * entry, archived / voided / gone → reversal only. Safe to call again with the same ids.
 *
 * Bills and vendor credits dated before the cutoff post no entry of their own: their balance open
 * at the cutoff comes in as an `opening` entry. It depends on the payments and credits before the
 * cutoff too, so the post* calls only put the documents concerned in journal_opening_backlog and
 * `settle` (after the payables stages of a sync) posts the openings once, from complete data.
 *
 * An entry wanted in a closed period (on or before `closedThrough`) — a posting or a reversal — is
 * dated the first open day; its `document_date` keeps the date it wanted (a late posting). The
 * version hash uses the wanted date, so closing a period never re-posts anything.
 */
export class Journal extends Effect.Service<Journal>()("billsync/Journal", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const accountId = (companyId: number, setting: string, number: string, types: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const rows = yield* sql<{
          id: string
          type: string
        }>`SELECT id::text, type FROM ledger_accounts WHERE company_id = ${companyId} AND number = ${number}`
        const row = rows[0]
        if (row === undefined || !types.includes(row.type)) {
          return yield* Effect.dieMessage(
            `ledger.${setting} ${number} is not ${types.length === 1 ? `an ${types[0]}` : `a ${types.join("/")}`} account of company ${companyId}`
          )
        }
        return Number(row.id)
      })

    /**
     * Records the pipeline's ledger settings of a company: the AP control account (`ledger.apAccount`),
     * functional currency, cutoff, opening balance and FX accounts, closed period. A bare account
     * number configures the AP account only (the rest keeps what is stored).
     */
    const configure = Effect.fn("Journal.configure")(function* (companyId: number, config: string | JournalConfig) {
      const c: JournalConfig = typeof config === "string" ? { apAccount: config } : config
      const ap = yield* accountId(companyId, "apAccount", c.apAccount, ["accounts-payable"])
      if (typeof config === "string") {
        yield* sql`INSERT INTO journal_settings (company_id, ap_account_id) VALUES (${companyId}, ${ap})
          ON CONFLICT (company_id) DO UPDATE SET ap_account_id = EXCLUDED.ap_account_id, updated_at = now()`
        return
      }
      const opening =
        c.openingBalanceAccount === undefined
          ? null
          : yield* accountId(companyId, "openingBalanceAccount", c.openingBalanceAccount, ["equity"])
      const fx =
        c.fxGainLossAccount === undefined
          ? null
          : yield* accountId(companyId, "fxGainLossAccount", c.fxGainLossAccount, [
              "income",
              "other-income",
              "expense",
              "other-expense"
            ])
      const currency = c.currency ?? (yield* currencyOf(companyId))
      yield* sql`INSERT INTO journal_settings ${sql.insert({
        company_id: companyId,
        ap_account_id: ap,
        currency,
        cutoff: c.cutoff ?? null,
        opening_account_id: opening,
        fx_account_id: fx,
        closed_through: c.closedThrough ?? null,
        closed_policy: c.closedPeriodPolicy ?? "next-open-period"
      })}
        ON CONFLICT (company_id) DO UPDATE SET ap_account_id = EXCLUDED.ap_account_id, currency = EXCLUDED.currency, cutoff = EXCLUDED.cutoff,
          opening_account_id = EXCLUDED.opening_account_id, fx_account_id = EXCLUDED.fx_account_id, closed_through = EXCLUDED.closed_through,
          closed_policy = EXCLUDED.closed_policy, updated_at = now()`
    })

    const currencyOf = (companyId: number) =>
      Effect.map(
        sql<{ currency: string }>`SELECT currency FROM companies WHERE id = ${companyId}`,
        (r) => r[0]?.currency.trim() ?? "USD"
      )

    /** The configured settings; without ledger.apAccount, the company's only active accounts-payable account. */
    const settings = (companyId: number) =>
      Effect.gen(function* () {
        const rows = yield* sql<{
          ap: string
          currency: string | null
          cutoff: string | null
          opening: string | null
          fx: string | null
          closed_through: string | null
          closed_policy: "next-open-period" | "error"
        }>`
          SELECT ap_account_id::text AS ap, currency, cutoff::text AS cutoff, opening_account_id::text AS opening, fx_account_id::text AS fx,
                 closed_through::text AS closed_through, closed_policy FROM journal_settings WHERE company_id = ${companyId}`
        const r = rows[0]
        const functional = r?.currency?.trim() ?? (yield* currencyOf(companyId))
        if (r !== undefined) {
          const out: CompanySettings = {
            accounts: {
              ap: Number(r.ap),
              fxGainLoss: r.fx === null ? undefined : Number(r.fx),
              openingBalance: r.opening === null ? undefined : Number(r.opening)
            },
            currency: functional,
            cutoff: r.cutoff ?? undefined,
            closedThrough: r.closed_through ?? undefined,
            closedPolicy: r.closed_policy
          }
          return out
        }
        const candidates = yield* sql<{ id: string }>`SELECT id::text FROM ledger_accounts
          WHERE company_id = ${companyId} AND type = 'accounts-payable' AND active ORDER BY number`
        if (candidates.length !== 1) {
          return yield* Effect.dieMessage(
            `company ${companyId} has ${candidates.length} active accounts-payable accounts and no configured AP control account (Journal.configure with ledger.apAccount)`
          )
        }
        const out: CompanySettings = {
          accounts: { ap: Number(candidates[0]!.id) },
          currency: functional,
          cutoff: undefined,
          closedThrough: undefined,
          closedPolicy: "next-open-period"
        }
        return out
      })

    /** A document's conversion into the functional currency: none when it is in it, else its stored Bill.com rate. */
    const conversionOf = (functional: string, what: string, currency: string, rate: string | null): Conversion => {
      const c = currency.trim()
      if (c === functional) return FUNCTIONAL(functional)
      if (rate === null || rate === "")
        throw new Error(
          `${what} is in ${c} and has no exchange rate into ${functional} (the sync records an integration error instead of posting it)`
        )
      return { currency: c, rate: normalRate(rate) }
    }

    /*
     * id → natural key of the rows journal lines reference. Cached for the life of the service: the
     * key is each table's upsert conflict target, so a row's key never changes, and an id is never
     * reused (a cached id of a rolled-back row is simply never asked for again).
     */
    const keyCache = {
      account: new Map<number, string>(),
      vendor: new Map<number, string>(),
      item: new Map<number, string>(),
      customer: new Map<number, string>(),
      dimension: new Map<number, string>()
    }
    type KeyTable = keyof typeof keyCache
    const naturalKeys = (specs: Iterable<EntrySpec>) =>
      Effect.gen(function* () {
        const wanted: Record<KeyTable, Set<number>> = {
          account: new Set(),
          vendor: new Set(),
          item: new Set(),
          customer: new Set(),
          dimension: new Set()
        }
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
        const keys: NaturalKeys = {
          account: lookup("account"),
          vendor: lookup("vendor"),
          item: lookup("item"),
          customer: lookup("customer"),
          dimension: lookup("dimension")
        }
        return keys
      })

    /** Reconciles the heads of `ids` (one source kind) with the entries the documents want now. */
    const reconcile = (
      companyId: number,
      s: CompanySettings,
      kind: SourceKind,
      ids: ReadonlyArray<string>,
      wanted: ReadonlyMap<string, EntrySpec>
    ) =>
      Effect.gen(function* () {
        const counts: PostingCounts = none()
        if (ids.length === 0) return counts
        const heads = new Map(
          (yield* sql<Head>`SELECT source_kind, source_id, live_entry_id::text, version_hash, postings FROM journal_heads
            WHERE company_id = ${companyId} AND source_kind = ${kind} AND source_id IN ${sql.in(ids)} FOR UPDATE`).map(
            (h) => [h.source_id, h]
          )
        )
        const keys = yield* naturalKeys(wanted.values())
        const toReverse: Array<string> = []
        const toPost: Array<{ spec: EntrySpec; hash: string; generation: number }> = []
        const headRows: Array<{
          source_id: string
          live: EntrySpec | undefined
          hash: string | null
          postings: number
        }> = []
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

        const originals =
          toReverse.length === 0
            ? []
            : yield* sql<{
                id: string
                source_id: string
                version_hash: string
                entry_date: string
                currency: string
                vendor_id: string | null
                memo: string | null
              }>`
          SELECT id::text, source_id, version_hash, entry_date::text, currency, vendor_id::text, memo FROM journal_entries WHERE id IN ${sql.in(toReverse)}`
        const originalLines =
          toReverse.length === 0
            ? []
            : yield* sql<StoredLine>`
          SELECT entry_id::text, line_no, account_id::text, amount::text, vendor_id::text, item_id::text, customer_id::text,
                 dimension_ids::text[] AS dimension_ids, open_item_kind, open_item_id, description, currency, txn_amount::text, exchange_rate::text
          FROM journal_lines WHERE entry_id IN ${sql.in(toReverse)} ORDER BY entry_id, line_no`

        // Reversals first (their key is the entry they reverse: a second reversal cannot be inserted), then the new versions.
        // An entry is dated what its document wants, or the first open day when that lies in the closed period.
        const entryRows = [
          ...originals.map((o) => ({
            company_id: companyId,
            kind: "reversal",
            source_kind: kind,
            source_id: o.source_id,
            version_hash: o.version_hash,
            idempotency_key: `reversal/${o.id}`,
            reverses_entry_id: Number(o.id),
            entry_date: postingDate(o.entry_date, s.closedThrough),
            document_date: o.entry_date,
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
            entry_date: postingDate(spec.entryDate, s.closedThrough),
            document_date: spec.entryDate,
            currency: spec.currency,
            vendor_id: spec.vendorId,
            memo: spec.memo
          }))
        ]
        const inserted = yield* sql<{
          id: string
          idempotency_key: string
        }>`INSERT INTO journal_entries ${sql.insert(entryRows)} RETURNING id::text, idempotency_key`
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
            description: l.description,
            currency: l.currency,
            txn_amount: l.txn_amount === null ? null : fromCents(-toCents(l.txn_amount)),
            exchange_rate: l.exchange_rate
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
              description: l.description,
              currency: l.currency,
              txn_amount: fromCents(l.txnAmount),
              // Only a conversion is recorded as a rate: the FX rounding step looks for items with one.
              exchange_rate: l.rate === null || l.rate === "1" ? null : l.rate
            }))
          })
        ]
        for (const chunk of chunks(lineRows, INSERT_CHUNK)) yield* sql`INSERT INTO journal_lines ${sql.insert(chunk)}`

        const heads2 = headRows.map((h) => ({
          company_id: companyId,
          source_kind: kind,
          source_id: h.source_id,
          live_entry_id:
            h.live === undefined
              ? null
              : idOf.get(`${companyId}/${kind}/${h.source_id}/${h.hash!.slice(0, 32)}/${h.postings}`)!,
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

    const docLines = (
      table: "bill_lines" | "vendor_credit_lines",
      parent: "bill_id" | "vendor_credit_id",
      parentIds: ReadonlyArray<string>
    ) =>
      parentIds.length === 0
        ? Effect.succeed(new Map<string, Array<DocLineRow>>())
        : Effect.map(
            sql<
              DocLineRow & { parent: string }
            >`SELECT ${sql(parent)}::text AS parent, account_id::int, item_id::int, customer_id::int,
                dimension_ids::int[] AS dimension_ids, description, amount::text
              FROM ${sql(table)} WHERE ${sql(parent)} IN ${sql.in(parentIds)} ORDER BY ${sql(parent)}, line_no`,
            (rows) => {
              const out = new Map<string, Array<DocLineRow>>()
              for (const { parent: p, ...l } of rows) out.set(p, [...(out.get(p) ?? []), l])
              return out
            }
          )

    /** Bill.com ids of a company's bills → their invoice dates: the ledger's bills, else the stored Bill.com record (imported or not). */
    const billDatesOf = (companyId: number, billIds: ReadonlyArray<string>) =>
      billIds.length === 0
        ? Effect.succeed(new Map<string, string>())
        : Effect.map(
            // Dating only by the ledger's bills made an application depend on import order (a bill that
            // failed to decode and was imported later never re-dated the application).
            sql<{ billcom_id: string; invoice_date: string }>`
              SELECT billcom_id, invoice_date::text AS invoice_date FROM bills
              WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billIds)} AND NOT archived
              UNION ALL
              SELECT s.billcom_id, COALESCE(s.business_date::text, s.raw->'invoice'->>'invoiceDate')
              FROM source_records s JOIN integrations i ON i.id = s.integration_id
              WHERE i.company_id = ${companyId} AND s.kind = 'bill' AND s.billcom_id IN ${sql.in(billIds)} AND NOT s.archived
                AND COALESCE(s.business_date::text, s.raw->'invoice'->>'invoiceDate') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
                AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.company_id = ${companyId} AND b.billcom_id = s.billcom_id)`,
            (rows) => new Map(rows.map((b) => [b.billcom_id, b.invoice_date] as const))
          )

    /** The conversions the ledger's bills were booked at (a settlement debits AP at them). */
    const billConversions = (companyId: number, s: CompanySettings, billIds: ReadonlyArray<string>) =>
      billIds.length === 0
        ? Effect.succeed(new Map<string, Conversion>())
        : Effect.map(
            sql<{
              billcom_id: string
              currency: string
              exchange_rate: string | null
            }>`SELECT billcom_id, currency, exchange_rate::text
              FROM bills WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billIds)} AND NOT archived`,
            (rows) => {
              const out = new Map<string, Conversion>()
              for (const r of rows) {
                if (r.currency.trim() === s.currency) out.set(r.billcom_id, FUNCTIONAL(s.currency))
                else if (r.exchange_rate !== null)
                  out.set(r.billcom_id, { currency: r.currency.trim(), rate: normalRate(r.exchange_rate) })
              }
              return out
            }
          )

    /** Raw `usage` of stored vendor-credit records: credit id → applications (bill id, amount). */
    const usageOf = (companyId: number, creditIds: ReadonlyArray<string>) =>
      creditIds.length === 0
        ? Effect.succeed(new Map<string, Array<{ billId: string; amount: string }>>())
        : Effect.map(
            sql<{ billcom_id: string; bill_id: string; amount: string }>`
              SELECT s.billcom_id, u->>'billId' AS bill_id, (u->>'amount')::numeric(18,2)::text AS amount
              FROM source_records s JOIN integrations i ON i.id = s.integration_id,
                   jsonb_array_elements(CASE jsonb_typeof(s.raw->'usage') WHEN 'array' THEN s.raw->'usage' ELSE '[]'::jsonb END) u
              WHERE i.company_id = ${companyId} AND s.kind = 'vendor-credit' AND s.billcom_id IN ${sql.in(creditIds)}
                AND u->>'billId' IS NOT NULL AND jsonb_typeof(u->'amount') = 'number'`,
            (rows) => {
              const usage = new Map<string, Array<{ billId: string; amount: string }>>()
              for (const u of rows)
                usage.set(u.billcom_id, [...(usage.get(u.billcom_id) ?? []), { billId: u.bill_id, amount: u.amount }])
              return usage
            }
          )

    /**
     * Puts documents whose opening item may have changed in the backlog `settle` works off: the
     * given bills and credits when dated before the cutoff or already holding an opening item.
     */
    const markOpenings = (
      companyId: number,
      s: CompanySettings,
      kind: "bill" | "vendor-credit",
      ids: ReadonlyArray<string>
    ) =>
      ids.length === 0
        ? Effect.void
        : kind === "bill"
          ? sql`INSERT INTO journal_opening_backlog (company_id, kind, billcom_id)
              SELECT ${companyId}, 'bill', b.billcom_id FROM bills b WHERE b.company_id = ${companyId} AND b.billcom_id IN ${sql.in(ids)}
                AND (b.invoice_date < ${s.cutoff ?? null}::date OR EXISTS (SELECT 1 FROM journal_heads h WHERE h.company_id = ${companyId} AND h.source_kind = 'opening' AND h.source_id = b.billcom_id))
              ON CONFLICT DO NOTHING`.pipe(Effect.asVoid)
          : sql`INSERT INTO journal_opening_backlog (company_id, kind, billcom_id)
              SELECT ${companyId}, 'vendor-credit', c.billcom_id FROM vendor_credits c WHERE c.company_id = ${companyId} AND c.billcom_id IN ${sql.in(ids)}
                AND (c.credit_date < ${s.cutoff ?? null}::date OR EXISTS (SELECT 1 FROM journal_heads h WHERE h.company_id = ${companyId} AND h.source_kind = 'opening' AND h.source_id = c.billcom_id))
              ON CONFLICT DO NOTHING`.pipe(Effect.asVoid)

    /** The stored bills with these Bill.com ids: what an entry of each is made of (posting and the opening items). */
    const billRows = (companyId: number, billcomIds: ReadonlyArray<string>) =>
      sql<{
        id: string
        billcom_id: string
        vendor_id: number
        invoice_number: string | null
        invoice_date: string
        amount: string
        currency: string
        exchange_rate: string | null
        archived: boolean
      }>`
        SELECT id::text, billcom_id, vendor_id::int, invoice_number, invoice_date::text, amount::text, currency, exchange_rate::text, archived
        FROM bills WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)}`

    /** Bills by Bill.com id (written, re-written or archived in this transaction). */
    const postBills = Effect.fn("Journal.postBills")(function* (companyId: number, billcomIds: ReadonlyArray<string>) {
      if (billcomIds.length === 0) return none()
      const s = yield* settings(companyId)
      const bills = yield* billRows(companyId, billcomIds)
      // A bill dated before the cutoff has no entry of its own: its opening item comes from `settle`.
      const regular = bills.filter((b) => s.cutoff === undefined || b.invoice_date >= s.cutoff)
      const lines = yield* docLines(
        "bill_lines",
        "bill_id",
        regular.map((b) => b.id)
      )
      const wanted = new Map<string, EntrySpec>()
      for (const b of regular) {
        if (b.archived) continue
        const doc: BillDocument = {
          billcomId: b.billcom_id,
          vendorId: b.vendor_id,
          invoiceNumber: b.invoice_number,
          invoiceDate: b.invoice_date,
          amount: b.amount,
          currency: s.currency,
          conversion: conversionOf(s.currency, `bill ${b.billcom_id}`, b.currency, b.exchange_rate),
          archived: b.archived,
          lines: lines.get(b.id) ?? []
        }
        const spec = billEntry(doc, s.accounts.ap)
        if (spec !== undefined) wanted.set(b.billcom_id, spec)
      }
      const counts = yield* reconcile(companyId, s, "bill", billcomIds, wanted)
      yield* markOpenings(companyId, s, "bill", billcomIds)
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
      return add(
        counts,
        yield* postVendorCredits(
          companyId,
          credits.map((c) => c.billcom_id)
        )
      )
    })

    /**
     * Vendor credits by Bill.com id: the credit itself (from the cutoff on; an earlier one has an
     * opening item instead) and its applications to bills on or after the cutoff (Bill.com's `usage`,
     * from the raw record).
     */
    const postVendorCredits = Effect.fn("Journal.postVendorCredits")(function* (
      companyId: number,
      billcomIds: ReadonlyArray<string>
    ) {
      if (billcomIds.length === 0) return none()
      const s = yield* settings(companyId)
      const credits = yield* sql<{
        id: string
        billcom_id: string
        vendor_id: number
        reference_number: string | null
        credit_date: string
        amount: string
        currency: string
        exchange_rate: string | null
        archived: boolean
      }>`
        SELECT id::text, billcom_id, vendor_id::int, reference_number, credit_date::text, amount::text, currency, exchange_rate::text, archived
        FROM vendor_credits WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)}`
      const lines = yield* docLines(
        "vendor_credit_lines",
        "vendor_credit_id",
        credits.map((c) => c.id)
      )
      const usage = yield* usageOf(companyId, billcomIds)
      const appliedBills = [...new Set([...usage.values()].flat().map((u) => u.billId))]
      const billDates = yield* billDatesOf(companyId, appliedBills)
      const billRates = yield* billConversions(companyId, s, appliedBills)
      const credit = new Map<string, EntrySpec>()
      const application = new Map<string, EntrySpec>()
      for (const c of credits) {
        const doc: CreditDocument = {
          billcomId: c.billcom_id,
          vendorId: c.vendor_id,
          referenceNumber: c.reference_number,
          creditDate: c.credit_date,
          amount: c.amount,
          currency: s.currency,
          conversion: conversionOf(s.currency, `vendor credit ${c.billcom_id}`, c.currency, c.exchange_rate),
          archived: c.archived,
          lines: lines.get(c.id) ?? [],
          usage: usage.get(c.billcom_id) ?? []
        }
        const before = s.cutoff !== undefined && c.credit_date < s.cutoff
        const spec = before ? undefined : creditEntry(doc, s.accounts.ap)
        if (spec !== undefined) credit.set(c.billcom_id, spec)
        // A credit before the cutoff still applies to bills afterwards (against its opening item).
        const applied =
          before || spec !== undefined
            ? creditApplicationEntry(doc, s.accounts, billDates, billRates, s.cutoff)
            : undefined
        if (applied !== undefined && !c.archived) application.set(c.billcom_id, applied)
      }
      const a = yield* reconcile(companyId, s, "vendor-credit", billcomIds, credit)
      const b = yield* reconcile(companyId, s, "credit-application", billcomIds, application)
      yield* markOpenings(companyId, s, "vendor-credit", billcomIds)
      yield* markOpenings(companyId, s, "bill", appliedBills)
      return add(a, b)
    })

    /** Vendor payments by Bill.com id: posted while money has left (PAID, ESCHEATED) and from the cutoff on; otherwise reversed. */
    const postVendorPayments = Effect.fn("Journal.postVendorPayments")(function* (
      companyId: number,
      billcomIds: ReadonlyArray<string>
    ) {
      if (billcomIds.length === 0) return none()
      const s = yield* settings(companyId)
      const payments = yield* sql<{
        id: string
        billcom_id: string
        vendor_id: number
        process_date: string
        amount: string
        currency: string
        exchange_rate: string | null
        cash_account_id: number | null
        posts: boolean
      }>`
        SELECT id::text, billcom_id, vendor_id::int, process_date::text, amount::text, currency, exchange_rate::text, cash_account_id::int, journal_payment_posts(status) AS posts
        FROM vendor_payments WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(billcomIds)}`
      const apps =
        payments.length === 0
          ? []
          : yield* sql<{ payment: string; billcom_bill_id: string; amount: string }>`
        SELECT vendor_payment_id::text AS payment, billcom_bill_id, amount::text FROM vendor_payment_applications
        WHERE vendor_payment_id IN ${sql.in(payments.map((p) => p.id))} ORDER BY vendor_payment_id, line_no`
      const paidBills = [...new Set(apps.map((a) => a.billcom_bill_id))]
      const billRates = yield* billConversions(companyId, s, paidBills)
      const wanted = new Map<string, EntrySpec>()
      for (const p of payments) {
        // Before the cutoff a payment is part of the opening balances; an unmapped funding account never posts.
        if ((s.cutoff !== undefined && p.process_date < s.cutoff) || p.cash_account_id === null || !p.posts) continue
        const doc: PaymentDocument = {
          billcomId: p.billcom_id,
          vendorId: p.vendor_id,
          processDate: p.process_date,
          amount: p.amount,
          currency: s.currency,
          conversion: conversionOf(s.currency, `payment ${p.billcom_id}`, p.currency, p.exchange_rate),
          cashAccountId: p.cash_account_id,
          posts: p.posts,
          applications: apps
            .filter((a) => a.payment === p.id)
            .map((a) => ({ billcomBillId: a.billcom_bill_id, amount: a.amount }))
        }
        const spec = paymentEntry(doc, s.accounts, billRates)
        if (spec !== undefined) wanted.set(p.billcom_id, spec)
      }
      const counts = yield* reconcile(companyId, s, "payment", billcomIds, wanted)
      yield* markOpenings(companyId, s, "bill", paidBills)
      return counts
    })

    /** Opening items of bills and credits (Bill.com ids) at the cutoff: their balance open then, or none. */
    const postOpenings = (
      companyId: number,
      s: CompanySettings,
      kind: "bill" | "vendor-credit",
      ids: ReadonlyArray<string>
    ) =>
      Effect.gen(function* () {
        if (ids.length === 0) return none()
        const cutoff = s.cutoff
        const wanted = new Map<string, EntrySpec>()
        if (kind === "bill") {
          const bills = yield* billRows(companyId, ids)
          const before = cutoff === undefined ? [] : bills.filter((b) => !b.archived && b.invoice_date < cutoff)
          const beforeIds = before.map((b) => b.billcom_id)
          // Settled before the cutoff: payments that moved money then, and credits applied then (a credit
          // dated before the cutoff; the bill is too, so the application is).
          const paid =
            beforeIds.length === 0
              ? []
              : yield* sql<{ bill: string; amount: string }>`
            SELECT a.billcom_bill_id AS bill, sum(a.amount)::text AS amount FROM vendor_payment_applications a JOIN vendor_payments p ON p.id = a.vendor_payment_id
            WHERE p.company_id = ${companyId} AND a.billcom_bill_id IN ${sql.in(beforeIds)} AND p.process_date < ${cutoff!}::date AND journal_payment_posts(p.status)
            GROUP BY 1`
          const credited =
            beforeIds.length === 0
              ? []
              : yield* sql<{ bill: string; amount: string }>`
            SELECT u->>'billId' AS bill, sum((u->>'amount')::numeric(18,2))::text AS amount
            FROM vendor_credits c JOIN integrations i ON i.company_id = c.company_id
            JOIN source_records s ON s.integration_id = i.id AND s.kind = 'vendor-credit' AND s.billcom_id = c.billcom_id,
                 jsonb_array_elements(CASE jsonb_typeof(s.raw->'usage') WHEN 'array' THEN s.raw->'usage' ELSE '[]'::jsonb END) u
            WHERE c.company_id = ${companyId} AND NOT c.archived AND c.credit_date < ${cutoff!}::date
              AND u->>'billId' IN ${sql.in(beforeIds)} AND jsonb_typeof(u->'amount') = 'number'
            GROUP BY 1`
          const settled = new Map<string, Cents>()
          for (const r of [...paid, ...credited]) settled.set(r.bill, (settled.get(r.bill) ?? 0n) + toCents(r.amount))
          const open = new Map<string, Cents>()
          for (const b of before) {
            const o = toCents(b.amount) - (settled.get(b.billcom_id) ?? 0n)
            open.set(b.billcom_id, o)
            const spec = openingEntry(
              {
                kind: "bill",
                billcomId: b.billcom_id,
                vendorId: b.vendor_id,
                reference: b.invoice_number,
                currency: s.currency,
                conversion: conversionOf(s.currency, `bill ${b.billcom_id}`, b.currency, b.exchange_rate)
              },
              o,
              cutoff!,
              s.accounts
            )
            if (spec !== undefined) wanted.set(b.billcom_id, spec)
          }
          yield* storeOpenings(companyId, "bills", ids, open)
        } else {
          const credits = yield* sql<{
            billcom_id: string
            vendor_id: number
            reference_number: string | null
            credit_date: string
            amount: string
            currency: string
            exchange_rate: string | null
            archived: boolean
          }>`
            SELECT billcom_id, vendor_id::int, reference_number, credit_date::text, amount::text, currency, exchange_rate::text, archived
            FROM vendor_credits WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(ids)}`
          const before = cutoff === undefined ? [] : credits.filter((c) => !c.archived && c.credit_date < cutoff)
          const usage = yield* usageOf(
            companyId,
            before.map((c) => c.billcom_id)
          )
          const billDates = yield* billDatesOf(companyId, [...new Set([...usage.values()].flat().map((u) => u.billId))])
          const open = new Map<string, Cents>()
          for (const c of before) {
            const appliedBefore = sumCents(
              (usage.get(c.billcom_id) ?? [])
                .filter((u) => applicationDate(c.credit_date, billDates.get(u.billId)) < cutoff!)
                .map((u) => toCents(u.amount))
            )
            const o = toCents(c.amount) - appliedBefore
            open.set(c.billcom_id, o)
            const spec = openingEntry(
              {
                kind: "vendor-credit",
                billcomId: c.billcom_id,
                vendorId: c.vendor_id,
                reference: c.reference_number,
                currency: s.currency,
                conversion: conversionOf(s.currency, `vendor credit ${c.billcom_id}`, c.currency, c.exchange_rate)
              },
              o,
              cutoff!,
              s.accounts
            )
            if (spec !== undefined) wanted.set(c.billcom_id, spec)
          }
          yield* storeOpenings(companyId, "vendor_credits", ids, open)
        }
        return yield* reconcile(companyId, s, "opening", ids, wanted)
      })

    /** Records each document's balance open at the cutoff (null when it has none): the AP subledger check reads it. */
    const storeOpenings = (
      companyId: number,
      table: "bills" | "vendor_credits",
      ids: ReadonlyArray<string>,
      open: ReadonlyMap<string, Cents>
    ) =>
      Effect.gen(function* () {
        yield* sql`UPDATE ${sql(table)} SET opening_amount = NULL WHERE company_id = ${companyId} AND billcom_id IN ${sql.in(ids)} AND opening_amount IS NOT NULL`
        const rows = [...open].map(([id, cents]) => ({ id, amount: fromCents(cents) }))
        for (const chunk of chunks(rows, INSERT_CHUNK)) {
          yield* sql`UPDATE ${sql(table)} t SET opening_amount = v.amount::numeric(18,2)
            FROM (SELECT unnest(${`{${chunk.map((r) => `"${r.id}"`).join(",")}}`}::text[]) AS id, unnest(${`{${chunk.map((r) => r.amount).join(",")}}`}::text[]) AS amount) v
            WHERE t.company_id = ${companyId} AND t.billcom_id = v.id`
        }
      })

    /**
     * Foreign-currency open items settled in their own currency (transaction balance zero) whose
     * functional balance is not zero (each settlement was converted on its own): an `fx-rounding`
     * entry clears the cents to FX gain/loss; one whose balance moved again loses it.
     */
    const settleRounding = (companyId: number, s: CompanySettings) =>
      Effect.gen(function* () {
        const items = yield* sql<{
          kind: OpenItemKind
          id: string
          vendor_id: number
          currency: string
          txn: string
          functional: string
          last: string
        }>`
          WITH foreign_items AS (
            SELECT DISTINCT l.open_item_kind, l.open_item_id FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
            WHERE l.exchange_rate IS NOT NULL AND l.open_item_id IS NOT NULL AND e.company_id = ${companyId}
          )
          SELECT l.open_item_kind AS kind, l.open_item_id AS id, min(l.vendor_id)::int AS vendor_id, min(l.currency) AS currency,
                 coalesce(sum(coalesce(l.txn_amount, l.amount)), 0)::text AS txn,
                 coalesce(sum(l.amount) FILTER (WHERE e.source_kind <> 'fx-rounding'), 0)::text AS functional,
                 coalesce(max(coalesce(e.document_date, e.entry_date)) FILTER (WHERE e.source_kind <> 'fx-rounding'), max(e.entry_date))::text AS last
          FROM foreign_items f JOIN journal_lines l ON l.open_item_kind = f.open_item_kind AND l.open_item_id = f.open_item_id
          JOIN journal_entries e ON e.id = l.entry_id AND e.company_id = ${companyId}
          GROUP BY l.open_item_kind, l.open_item_id`
        if (items.length === 0) return none()
        const wanted = new Map<string, EntrySpec>()
        for (const i of items) {
          if (toCents(i.txn) !== 0n) continue
          const spec = fxRoundingEntry(
            { kind: i.kind, id: i.id, vendorId: i.vendor_id, currency: i.currency.trim() },
            toCents(i.functional),
            i.last,
            s.currency,
            s.accounts
          )
          if (spec !== undefined) wanted.set(i.id, spec)
        }
        return yield* reconcile(
          companyId,
          s,
          "fx-rounding",
          items.map((i) => i.id),
          wanted
        )
      })

    /**
     * After the payables stages: the opening items of every bill and credit in the backlog (one
     * transaction per 1,000), then the FX rounding of settled foreign-currency items.
     */
    const settle = Effect.fn("Journal.settle")(function* (companyId: number) {
      const s = yield* settings(companyId)
      let total = none()
      for (;;) {
        const batch = yield* sql.withTransaction(
          Effect.gen(function* () {
            yield* checkFence
            const rows = yield* sql<{ kind: "bill" | "vendor-credit"; billcom_id: string }>`
              DELETE FROM journal_opening_backlog WHERE (company_id, kind, billcom_id) IN (
                SELECT company_id, kind, billcom_id FROM journal_opening_backlog WHERE company_id = ${companyId} ORDER BY kind, billcom_id LIMIT 1000 FOR UPDATE SKIP LOCKED
              ) RETURNING kind, billcom_id`
            let counts = none()
            for (const kind of ["bill", "vendor-credit"] as const) {
              const ids = rows.filter((r) => r.kind === kind).map((r) => r.billcom_id)
              counts = add(counts, yield* postOpenings(companyId, s, kind, ids))
            }
            return { n: rows.length, counts }
          })
        )
        total = add(total, batch.counts)
        if (batch.n < 1000) break
      }
      return add(total, yield* sql.withTransaction(Effect.zipRight(checkFence, settleRounding(companyId, s))))
    })

    /** Live postings' dates of documents (one source kind): what a change would reverse. */
    const liveDates = Effect.fn("Journal.liveDates")(function* (
      companyId: number,
      kinds: ReadonlyArray<SourceKind>,
      ids: ReadonlyArray<string>
    ) {
      if (ids.length === 0) return new Map<string, string>()
      const rows = yield* sql<{
        source_id: string
        entry_date: string
      }>`SELECT h.source_id, min(e.entry_date)::text AS entry_date FROM journal_heads h
        JOIN journal_entries e ON e.id = h.live_entry_id
        WHERE h.company_id = ${companyId} AND h.source_kind IN ${sql.in(kinds)} AND h.source_id IN ${sql.in(ids)} GROUP BY h.source_id`
      return new Map(rows.map((r) => [r.source_id, r.entry_date]))
    })

    /** Every document of a company (backfill after an upgrade, repair): unchanged ones are no-ops. */
    const postAll = Effect.fn("Journal.postAll")(function* (companyId: number) {
      const ids = (table: "bills" | "vendor_credits" | "vendor_payments") =>
        Effect.map(
          sql<{
            billcom_id: string
          }>`SELECT billcom_id FROM ${sql(table)} WHERE company_id = ${companyId} ORDER BY billcom_id`,
          (r) => r.map((x) => x.billcom_id)
        )
      let total = none()
      for (const chunk of chunks(yield* ids("bills"), 1000)) total = add(total, yield* postBills(companyId, chunk))
      for (const chunk of chunks(yield* ids("vendor_credits"), 1000))
        total = add(total, yield* postVendorCredits(companyId, chunk))
      for (const chunk of chunks(yield* ids("vendor_payments"), 1000))
        total = add(total, yield* postVendorPayments(companyId, chunk))
      return add(total, yield* settle(companyId))
    })

    return {
      configure,
      settings,
      postBills,
      postVendorCredits,
      postVendorPayments,
      settle,
      liveDates,
      postAll
    } as const
  })
}) {}

/** numeric's text of a rate ("1.0837420000") without trailing zeros ("1.083742"). */
const normalRate = (text: string): string => {
  const t = text.trim()
  return t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t
}
