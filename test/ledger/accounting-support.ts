import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { toCents, type Cents } from "../../src/ledger/money.ts"

/** Open AP items of a company's journal as of a date: "kind:id" → functional and transaction-currency balance (AP owes: positive). */
export const openItems = (companyId: number, asOf = "2100-12-31") =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{ kind: string; id: string; owed: string; txn: string }>`
        SELECT l.open_item_kind AS kind, l.open_item_id AS id, (-sum(l.amount))::text AS owed, (-sum(coalesce(l.txn_amount, l.amount)))::text AS txn
        FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id
        WHERE e.company_id = ${companyId} AND e.entry_date <= ${asOf}::date AND l.open_item_id IS NOT NULL
        GROUP BY 1, 2`,
      (rows) => new Map(rows.map((r) => [`${r.kind}:${r.id}`, { functional: toCents(r.owed), txn: toCents(r.txn) }]))
    )
  )

export interface EntryView {
  readonly id: number
  readonly kind: "posting" | "reversal"
  readonly sourceKind: string
  readonly entryDate: string
  readonly documentDate: string | null
  readonly live: boolean
  /** "account:amount" per line (functional), in line order. */
  readonly lines: ReadonlyArray<{
    readonly account: string
    readonly amount: string
    readonly currency: string | null
    readonly txn: string | null
    readonly item: string | null
  }>
}

/** Every entry of one source document (any source kinds), oldest first, with its lines. */
export const entriesOf = (companyId: number, sourceId: string, kinds?: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.gen(function* () {
      const entries = yield* sql<{
        id: string
        kind: "posting" | "reversal"
        source_kind: string
        entry_date: string
        document_date: string | null
        live: boolean
      }>`
        SELECT e.id::text, e.kind, e.source_kind, e.entry_date::text, e.document_date::text,
               EXISTS (SELECT 1 FROM journal_heads h WHERE h.live_entry_id = e.id) AS live
        FROM journal_entries e WHERE e.company_id = ${companyId} AND e.source_id = ${sourceId}
          AND (${kinds === undefined} OR e.source_kind IN ${sql.in(kinds ?? ["-"])}) ORDER BY e.id`
      const lines =
        entries.length === 0
          ? []
          : yield* sql<{
              entry_id: string
              number: string
              amount: string
              currency: string | null
              txn: string | null
              item: string | null
            }>`
        SELECT l.entry_id::text, a.number, l.amount::text, l.currency, l.txn_amount::text AS txn, l.open_item_id AS item
        FROM journal_lines l JOIN ledger_accounts a ON a.id = l.account_id WHERE l.entry_id IN ${sql.in(entries.map((e) => e.id))} ORDER BY l.entry_id, l.line_no`
      return entries.map(
        (e): EntryView => ({
          id: Number(e.id),
          kind: e.kind,
          sourceKind: e.source_kind,
          entryDate: e.entry_date,
          documentDate: e.document_date,
          live: e.live,
          lines: lines
            .filter((l) => l.entry_id === e.id)
            .map((l) => ({
              account: l.number,
              amount: l.amount,
              currency: l.currency?.trim() ?? null,
              txn: l.txn,
              item: l.item
            }))
        })
      )
    })
  )

/** The company of a synced pipeline. */
export const companyOf = (pipeline: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql<{ id: string }>`SELECT company_id::text AS id FROM integrations WHERE pipeline = ${pipeline}`, (r) =>
      Number(r[0]!.id)
    )
  )

/** Open integration errors of a pipeline: Bill.com id → code. */
export const openErrorCodes = (pipeline: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql<{
        billcom_id: string
        code: string
      }>`SELECT e.billcom_id, e.code FROM integration_errors e JOIN integrations i ON i.id = e.integration_id
        WHERE i.pipeline = ${pipeline} AND e.resolved_at IS NULL`,
      (rows) => new Map(rows.map((r) => [r.billcom_id, r.code]))
    )
  )

/** JSON money (a number) as cents, exactly: through its shortest decimal text. */
export const cents = (n: number): Cents => toCents(n.toFixed(2))
