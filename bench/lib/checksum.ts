import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { createHash } from "node:crypto"
import { withSql } from "./db.ts"

/**
 * A stable fingerprint of the ledger a sync produced, independent of when and in how many runs it
 * was produced: every ledger, journal and integration-state table (discovered from the catalog, so
 * tables added later are covered), with
 * - our own timestamps (`*_at`), run ids (`*run_id`), error occurrence counts and raw JSON left out
 *   (raw is covered by content_hash);
 * - surrogate ids replaced by the natural key of the row they point at (a Bill.com id, ledger key,
 *   account number or journal idempotency key), since sequence values differ after retries/crashes;
 * - integration errors: only the open ones (a crash may leave resolved ones behind).
 * Rows are compared as sets, so the diff names the rows lost and the rows extra.
 */
const SKIPPED_TABLES = new Set([
  "sync_runs",
  "sync_run_stages",
  "integrations",
  "effect_sql_migrations",
  "billsync_migrations",
  "coa_plans",
  "coa_plan_actions",
  "coa_apply_runs",
  "coa_journal"
])
const NATURAL_KEYS = ["idempotency_key", "number", "billcom_id", "key", "pipeline"]
/** Columns whose value names a Bill.com record (used to exclude rows of given Bill.com ids). */
const KEY_COLUMNS = new Set(["billcom_id", "source_id", "open_item_id", "billcom_bill_id"])
const ROW_FILTERS: Record<string, string> = { integration_errors: "t.resolved_at IS NULL" }

const excludedColumn = (table: string, column: string) =>
  column.endsWith("_at") ||
  column.endsWith("run_id") ||
  column === "occurrences" ||
  column === "raw" ||
  (table === "links" && column === "ledger_id")

export interface TableRows {
  readonly rows: ReadonlyArray<{ readonly text: string; readonly keys: ReadonlyArray<string> }>
}

export interface LedgerState {
  readonly tables: Readonly<Record<string, TableRows>>
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

export const readLedger = (url: string): Promise<LedgerState> =>
  withSql(
    url,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const columns = yield* sql<{ table_name: string; column_name: string; data_type: string }>`
        SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`
      const fks = yield* sql<{ table_name: string; column_name: string; ref_table: string; ref_column: string }>`
        SELECT kcu.table_name, kcu.column_name, ccu.table_name AS ref_table, ccu.column_name AS ref_column
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema
        JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name AND tc.table_schema = ccu.table_schema
        WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'`
      const byTable = new Map<string, Array<{ name: string; type: string }>>()
      for (const c of columns) {
        const list = byTable.get(c.table_name) ?? []
        list.push({ name: c.column_name, type: c.data_type })
        byTable.set(c.table_name, list)
      }
      const naturalKey = (table: string): string | undefined => {
        const names = new Set((byTable.get(table) ?? []).map((c) => c.name))
        return NATURAL_KEYS.find((k) => names.has(k))
      }
      const fkOf = new Map(
        fks.filter((f) => f.ref_column === "id").map((f) => [`${f.table_name}.${f.column_name}`, f.ref_table])
      )

      const tables: Record<string, TableRows> = {}
      for (const [table, cols] of byTable) {
        // Not the ledger: the cluster's own tables and the developer keys' shared budgets (request counts differ run to run).
        if (
          SKIPPED_TABLES.has(table) ||
          table.startsWith("coa_") ||
          table.startsWith("cluster_") ||
          table.startsWith("billcom_key_")
        )
          continue
        const exprs: Array<string> = []
        const keys: Array<string> = []
        for (const c of cols) {
          if (excludedColumn(table, c.name)) continue
          if (c.name === "id" && naturalKey(table) !== undefined) continue
          const ref = fkOf.get(`${table}.${c.name}`)
          const refKey = ref === undefined ? undefined : naturalKey(ref)
          if (ref !== undefined && refKey !== undefined) {
            const e = `(SELECT r.${q(refKey)}::text FROM ${q(ref)} r WHERE r.id = t.${q(c.name)})`
            exprs.push(e)
            if (refKey === "billcom_id" || refKey === "idempotency_key") keys.push(e)
          } else if (c.name === "dimension_ids" && byTable.has("dimensions")) {
            exprs.push(
              `ARRAY(SELECT d.billcom_id FROM unnest(t.dimension_ids) WITH ORDINALITY u(x, o) JOIN dimensions d ON d.id = u.x ORDER BY u.o)::text`
            )
          } else {
            exprs.push(`t.${q(c.name)}::text`)
            if (KEY_COLUMNS.has(c.name)) keys.push(`t.${q(c.name)}::text`)
          }
        }
        if (exprs.length === 0) continue
        const where = ROW_FILTERS[table] !== undefined ? ` WHERE ${ROW_FILTERS[table]}` : ""
        const rows = yield* sql.unsafe<{ text: string; keys: Array<string | null> }>(
          `SELECT json_build_array(${exprs.join(", ")})::text AS text, ARRAY[${keys.length > 0 ? keys.join(", ") : "NULL::text"}]::text[] AS keys FROM ${q(table)} t${where}`
        )
        tables[table] = {
          rows: rows.map((r) => ({ text: r.text, keys: (r.keys ?? []).filter((k): k is string => k !== null) }))
        }
      }
      return { tables }
    })
  )

/**
 * Journal entries keyed by idempotency key embed the source id, so a row whose key CONTAINS an
 * excluded Bill.com id is excluded too.
 */
const isExcluded = (keys: ReadonlyArray<string>, exclude: ReadonlySet<string>) =>
  exclude.size > 0 && keys.some((k) => exclude.has(k) || [...exclude].some((id) => k.includes(id)))

export const checksumOf = (state: LedgerState, exclude: ReadonlySet<string> = new Set()): string => {
  const h = createHash("sha256")
  for (const table of Object.keys(state.tables).sort()) {
    const rows = state.tables[table]!.rows.filter((r) => !isExcluded(r.keys, exclude))
      .map((r) => r.text)
      .sort()
    h.update(`${table}\n${rows.join("\n")}\n`)
  }
  return h.digest("hex").slice(0, 16)
}

export interface LedgerDiff {
  /** Rows the reference has and this ledger lacks (lost records), by table. */
  readonly missing: Readonly<Record<string, number>>
  /** Rows this ledger has and the reference lacks (duplicates / spurious), by table. */
  readonly extra: Readonly<Record<string, number>>
  readonly lost: number
  readonly spurious: number
  readonly samples: ReadonlyArray<string>
}

export const diffLedgers = (
  reference: LedgerState,
  actual: LedgerState,
  exclude: ReadonlySet<string> = new Set()
): LedgerDiff => {
  const missing: Record<string, number> = {}
  const extra: Record<string, number> = {}
  const samples: Array<string> = []
  const tables = new Set([...Object.keys(reference.tables), ...Object.keys(actual.tables)])
  for (const table of tables) {
    const count = (s: LedgerState) => {
      const m = new Map<string, number>()
      for (const r of s.tables[table]?.rows ?? [])
        if (!isExcluded(r.keys, exclude)) m.set(r.text, (m.get(r.text) ?? 0) + 1)
      return m
    }
    const ref = count(reference)
    const act = count(actual)
    for (const [text, n] of ref) {
      const d = n - (act.get(text) ?? 0)
      if (d > 0) {
        missing[table] = (missing[table] ?? 0) + d
        if (samples.length < 6) samples.push(`missing ${table}: ${text.slice(0, 300)}`)
      }
    }
    for (const [text, n] of act) {
      const d = n - (ref.get(text) ?? 0)
      if (d > 0) {
        extra[table] = (extra[table] ?? 0) + d
        if (samples.length < 6) samples.push(`extra ${table}: ${text.slice(0, 300)}`)
      }
    }
  }
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0)
  return { missing, extra, lost: sum(missing), spurious: sum(extra), samples }
}

export interface Invariants {
  /** Journal entries whose lines do not sum to zero, or with fewer than two lines. */
  readonly unbalanced: number
  /** Bill.com ids present more than once where they must be unique, plus sources with >1 live posting. */
  readonly duplicates: number
  readonly journalEntries: number
  readonly bills: number
  /** Journal lines converted from another currency, and the currencies (docs/accounting.md). */
  readonly foreignLines: number
  readonly currencies: ReadonlyArray<string>
}

export const checkInvariants = (url: string): Promise<Invariants> =>
  withSql(
    url,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const has = new Set(
        (yield* sql<{
          table_name: string
        }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`).map((r) => r.table_name)
      )
      let unbalanced = 0
      let journalEntries = 0
      let duplicates = 0
      if (has.has("journal_entries") && has.has("journal_lines")) {
        const [u] = yield* sql<{ n: string }>`
          SELECT count(*) AS n FROM journal_entries e
          WHERE (SELECT count(*) FROM journal_lines l WHERE l.entry_id = e.id) < 2
             OR (SELECT coalesce(sum(amount), 0) FROM journal_lines l WHERE l.entry_id = e.id) <> 0`
        unbalanced = Number(u?.n ?? 0)
        const [j] = yield* sql<{ n: string }>`SELECT count(*) AS n FROM journal_entries`
        journalEntries = Number(j?.n ?? 0)
        const [live] = yield* sql<{ n: string }>`
          SELECT coalesce(sum(c - 1), 0) AS n FROM (
            SELECT count(*) AS c FROM journal_entries p
            WHERE p.kind = 'posting' AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = p.id)
            GROUP BY p.company_id, p.source_kind, p.source_id) s WHERE c > 1`
        duplicates += Number(live?.n ?? 0)
      }
      for (const table of [
        "bills",
        "vendor_credits",
        "vendor_payments",
        "vendors",
        "customers",
        "items",
        "dimensions",
        "bank_accounts",
        "bill_documents"
      ]) {
        if (!has.has(table)) continue
        const [d] = yield* sql.unsafe<{ n: string }>(
          `SELECT count(billcom_id) - count(DISTINCT billcom_id) AS n FROM ${table}`
        )
        duplicates += Number(d?.n ?? 0)
      }
      const [b] = has.has("bills") ? yield* sql<{ n: string }>`SELECT count(*) AS n FROM bills` : [{ n: "0" }]
      const foreign =
        (yield* sql<{
          column_name: string
        }>`SELECT column_name FROM information_schema.columns WHERE table_name = 'journal_lines' AND column_name = 'exchange_rate'`)
          .length > 0
          ? yield* sql<{
              currency: string
              n: string
            }>`SELECT trim(currency) AS currency, count(*) AS n FROM journal_lines WHERE exchange_rate IS NOT NULL GROUP BY 1 ORDER BY 1`
          : []
      return {
        unbalanced,
        duplicates,
        journalEntries,
        bills: Number(b?.n ?? 0),
        foreignLines: foreign.reduce((n, r) => n + Number(r.n), 0),
        currencies: foreign.map((r) => r.currency)
      }
    })
  )
