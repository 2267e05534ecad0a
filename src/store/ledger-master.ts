import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export interface ChartAccount {
  readonly id: number
  readonly number: string
  readonly type: string
  readonly billcomId: string | null
  readonly active: boolean
}

export type PartyTable = "vendors" | "customers" | "items"

export type PartyRow = {
  readonly key: string
  readonly name: string
  readonly billcom_id: string
  readonly details: string
  readonly archived: boolean
}

export type DimensionRow = {
  readonly kind: string
  readonly key: string
  readonly name: string
  readonly billcom_id: string
  readonly archived: boolean
}

export type BankAccountRow = {
  readonly billcom_id: string
  readonly kind: "bank" | "card"
  readonly name: string
  readonly institution: string | null
  readonly last4: string | null
  readonly billcom_chart_of_account_id: string | null
  readonly ledger_account_id: number
  readonly archived: boolean
}

const dedupe = <A>(rows: ReadonlyArray<A>, key: (a: A) => string): Array<A> => [
  ...new Map(rows.map((r) => [key(r), r])).values()
]

/** Ledger master data: the chart of accounts (from accounts.yaml), vendors, customers, items, dimensions, bank/card accounts. */
export class LedgerMaster extends Effect.Service<LedgerMaster>()("billsync/LedgerMaster", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** Makes ledger_accounts match accounts.yaml: upsert every account, retire the ones no longer listed. */
    const syncChart = Effect.fn("LedgerMaster.syncChart")(function* (
      companyId: number,
      chart: ReadonlyArray<{
        number: string
        name: string
        type: string
        parent?: string | undefined
        description?: string | undefined
        billcomId?: string | undefined
        active: boolean
      }>
    ) {
      const rows = dedupe(chart, (a) => a.number).map((a) => ({
        company_id: companyId,
        number: a.number,
        name: a.name,
        type: a.type,
        parent_number: a.parent ?? null,
        description: a.description ?? null,
        billcom_id: a.billcomId ?? null,
        active: a.active
      }))
      if (rows.length > 0) {
        yield* sql`INSERT INTO ledger_accounts ${sql.insert(rows)}
          ON CONFLICT (company_id, number) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, parent_number = EXCLUDED.parent_number,
            description = EXCLUDED.description, billcom_id = EXCLUDED.billcom_id, active = EXCLUDED.active, updated_at = now()
          WHERE (ledger_accounts.name, ledger_accounts.type, ledger_accounts.parent_number, ledger_accounts.description, ledger_accounts.billcom_id, ledger_accounts.active)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.type, EXCLUDED.parent_number, EXCLUDED.description, EXCLUDED.billcom_id, EXCLUDED.active)`
      }
      const numbers = rows.map((r) => r.number)
      yield* sql`UPDATE ledger_accounts SET active = false, updated_at = now()
        WHERE company_id = ${companyId} AND active AND ${numbers.length === 0 ? sql`true` : sql`number NOT IN ${sql.in(numbers)}`}`
    })

    const chart = Effect.fn("LedgerMaster.chart")(function* (companyId: number) {
      const rows = yield* sql<{ id: string; number: string; type: string; billcom_id: string | null; active: boolean }>`
        SELECT id::text, number, type, billcom_id, active FROM ledger_accounts WHERE company_id = ${companyId}`
      return rows.map(
        (r): ChartAccount => ({
          id: Number(r.id),
          number: r.number,
          type: r.type,
          billcomId: r.billcom_id,
          active: r.active
        })
      )
    })

    /** Upserts vendors/customers/items keyed by ledger key; returns key → id. */
    const upsertParties = Effect.fn("LedgerMaster.upsertParties")(function* (
      table: PartyTable,
      companyId: number,
      input: ReadonlyArray<PartyRow>
    ) {
      const rows = dedupe(input, (r) => r.key).map((r) => ({ company_id: companyId, ...r }))
      if (rows.length === 0) return new Map<string, number>()
      const out = yield* sql<{ id: string; key: string }>`INSERT INTO ${sql(table)} ${sql.insert(rows)}
        ON CONFLICT (company_id, key) DO UPDATE SET name = EXCLUDED.name, billcom_id = EXCLUDED.billcom_id, details = EXCLUDED.details,
          archived = EXCLUDED.archived, updated_at = now()
        RETURNING id::text, key`
      return new Map(out.map((r) => [r.key, Number(r.id)]))
    })

    /** Upserts classification values keyed by (kind, ledger value); returns "kind/key" → id. */
    const upsertDimensions = Effect.fn("LedgerMaster.upsertDimensions")(function* (
      companyId: number,
      input: ReadonlyArray<DimensionRow>
    ) {
      const rows = dedupe(input, (r) => `${r.kind}/${r.key}`).map((r) => ({ company_id: companyId, ...r }))
      if (rows.length === 0) return new Map<string, number>()
      const out = yield* sql<{ id: string; kind: string; key: string }>`INSERT INTO dimensions ${sql.insert(rows)}
        ON CONFLICT (company_id, kind, key) DO UPDATE SET name = EXCLUDED.name, billcom_id = EXCLUDED.billcom_id,
          archived = EXCLUDED.archived, updated_at = now()
        RETURNING id::text, kind, key`
      return new Map(out.map((r) => [`${r.kind}/${r.key}`, Number(r.id)]))
    })

    /** Upserts funding accounts (bank / card) keyed by Bill.com id; returns Bill.com id → id. */
    const upsertBankAccounts = Effect.fn("LedgerMaster.upsertBankAccounts")(function* (
      companyId: number,
      input: ReadonlyArray<BankAccountRow>
    ) {
      const rows = dedupe(input, (r) => r.billcom_id).map((r) => ({ company_id: companyId, ...r }))
      if (rows.length === 0) return new Map<string, number>()
      const out = yield* sql<{ id: string; billcom_id: string }>`INSERT INTO bank_accounts ${sql.insert(rows)}
        ON CONFLICT (company_id, billcom_id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, institution = EXCLUDED.institution,
          last4 = EXCLUDED.last4, billcom_chart_of_account_id = EXCLUDED.billcom_chart_of_account_id,
          ledger_account_id = EXCLUDED.ledger_account_id, archived = EXCLUDED.archived, updated_at = now()
        RETURNING id::text, billcom_id`
      return new Map(out.map((r) => [r.billcom_id, Number(r.id)]))
    })

    const bankAccounts = Effect.fn("LedgerMaster.bankAccounts")(function* (ids: ReadonlyArray<number>) {
      if (ids.length === 0)
        return new Map<number, { ledgerAccountId: number; billcomChartOfAccountId: string | null }>()
      const rows = yield* sql<{ id: string; ledger_account_id: string; billcom_chart_of_account_id: string | null }>`
        SELECT id::text, ledger_account_id::text, billcom_chart_of_account_id FROM bank_accounts WHERE id IN ${sql.in([...new Set(ids)])}`
      return new Map(
        rows.map((r) => [
          Number(r.id),
          { ledgerAccountId: Number(r.ledger_account_id), billcomChartOfAccountId: r.billcom_chart_of_account_id }
        ])
      )
    })

    /** Ledger vendor id → the currency its Bill.com vendor bills in (details.currency; blank = USD, Bill.com's default). */
    const vendorCurrencies = Effect.fn("LedgerMaster.vendorCurrencies")(function* (ids: ReadonlyArray<number>) {
      if (ids.length === 0) return new Map<number, string | null>()
      const rows = yield* sql<{
        id: string
        currency: string | null
      }>`SELECT id::text, details->>'currency' AS currency FROM vendors WHERE id IN ${sql.in([...new Set(ids)])}`
      return new Map(rows.map((r) => [Number(r.id), r.currency]))
    })

    /** Ids of the ledger accounts with these numbers (a pipeline's ledger section names accounts by number). */
    const accountIds = Effect.fn("LedgerMaster.accountIds")(function* (
      companyId: number,
      numbers: ReadonlyArray<string>
    ) {
      if (numbers.length === 0) return new Map<string, number>()
      const rows = yield* sql<{
        id: string
        number: string
      }>`SELECT id::text, number FROM ledger_accounts WHERE company_id = ${companyId} AND number IN ${sql.in([...new Set(numbers)])}`
      return new Map(rows.map((r) => [r.number, Number(r.id)]))
    })

    /** Types of the ledger accounts that Bill.com chart-of-account rows are linked to (the setup gate's COA check). */
    const mappedAccountTypes = Effect.fn("LedgerMaster.mappedAccountTypes")(function* (integrationId: number) {
      const rows = yield* sql<{
        type: string
      }>`SELECT DISTINCT la.type FROM links l JOIN ledger_accounts la ON la.id = l.ledger_id
        WHERE l.integration_id = ${integrationId} AND l.kind = 'chart-of-account' AND la.active`
      return new Set(rows.map((r) => r.type))
    })

    /** Rows per ledger table for one company (summaries). */
    const counts = Effect.fn("LedgerMaster.counts")(function* (companyId: number) {
      return yield* sql<{ table: string; rows: number }>`
        SELECT 'ledger_accounts' AS table, count(*)::int AS rows FROM ledger_accounts WHERE company_id = ${companyId}
        UNION ALL SELECT 'vendors', count(*)::int FROM vendors WHERE company_id = ${companyId}
        UNION ALL SELECT 'customers', count(*)::int FROM customers WHERE company_id = ${companyId}
        UNION ALL SELECT 'items', count(*)::int FROM items WHERE company_id = ${companyId}
        UNION ALL SELECT 'dimensions', count(*)::int FROM dimensions WHERE company_id = ${companyId}
        UNION ALL SELECT 'bank_accounts', count(*)::int FROM bank_accounts WHERE company_id = ${companyId}
        UNION ALL SELECT 'bills', count(*)::int FROM bills WHERE company_id = ${companyId}
        UNION ALL SELECT 'bill_lines', count(*)::int FROM bill_lines l JOIN bills b ON b.id = l.bill_id WHERE b.company_id = ${companyId}
        UNION ALL SELECT 'bill_documents', count(*)::int FROM bill_documents d JOIN bills b ON b.id = d.bill_id WHERE b.company_id = ${companyId}
        UNION ALL SELECT 'vendor_credits', count(*)::int FROM vendor_credits WHERE company_id = ${companyId}
        UNION ALL SELECT 'vendor_payments', count(*)::int FROM vendor_payments WHERE company_id = ${companyId}
        UNION ALL SELECT 'vendor_payment_applications', count(*)::int FROM vendor_payment_applications a JOIN vendor_payments p ON p.id = a.vendor_payment_id WHERE p.company_id = ${companyId}`
    })

    return {
      syncChart,
      chart,
      mappedAccountTypes,
      counts,
      upsertParties,
      upsertDimensions,
      upsertBankAccounts,
      bankAccounts,
      vendorCurrencies,
      accountIds
    } as const
  })
}) {}
