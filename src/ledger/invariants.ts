import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { toCents } from "./money.ts"

export interface Violation {
  readonly check: "balanced" | "one-live-posting" | "head" | "ap-subledger" | "trial-balance" | "ap-control" | "tie-out"
  readonly message: string
}

/** The invariants over a company's journal: how many entries were checked, and what is violated. */
export interface InvariantsCheck {
  readonly entriesChecked: number
  readonly violations: ReadonlyArray<Violation>
}

export type InvariantsStatus = "hold" | "violated" | "no-entries"

/** An empty journal is not "all hold": there was nothing to check. */
export const invariantsStatus = (c: InvariantsCheck): InvariantsStatus =>
  c.violations.length > 0 ? "violated" : c.entriesChecked === 0 ? "no-entries" : "hold"

/** What a person reads: "all hold (N journal entries checked)", "no entries to check", "N violated". */
export const describeInvariants = (c: InvariantsCheck): string => {
  switch (invariantsStatus(c)) {
    case "violated":
      return `${c.violations.length} violated`
    case "no-entries":
      return "no entries to check"
    case "hold":
      return `all hold (${c.entriesChecked} journal ${c.entriesChecked === 1 ? "entry" : "entries"} checked)`
  }
}

/**
 * The journal's invariants as queries, for tests, `billsync report` and the drills. The database
 * already refuses most violations at commit (see migration 0060); these re-check a whole company
 * after the fact, including the one the database cannot enforce on its own: the AP control balance
 * equals the open-items subledger per vendor.
 */
export class LedgerChecks extends Effect.Service<LedgerChecks>()("billsync/LedgerChecks", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const check = Effect.fn("LedgerChecks.check")(function* (companyId: number) {
      const out: Array<Violation> = []
      const unbalanced = yield* sql<{ id: string; total: string; n: number }>`
        SELECT e.id::text, coalesce(sum(l.amount), 0)::text AS total, count(l.*)::int AS n
        FROM journal_entries e LEFT JOIN journal_lines l ON l.entry_id = e.id
        WHERE e.company_id = ${companyId} GROUP BY e.id HAVING coalesce(sum(l.amount), 0) <> 0 OR count(l.*) < 2`
      for (const u of unbalanced)
        out.push({ check: "balanced", message: `entry ${u.id}: ${u.n} lines, debits − credits = ${u.total}` })

      const live = yield* sql<{
        source_kind: string
        source_id: string
        live: number
        head: string | null
        pointed: string | null
      }>`
        WITH l AS (
          SELECT p.source_kind, p.source_id, count(*)::int AS live, max(p.id) AS pointed FROM journal_entries p
          WHERE p.company_id = ${companyId} AND p.kind = 'posting'
            AND NOT EXISTS (SELECT 1 FROM journal_entries x WHERE x.reverses_entry_id = p.id)
          GROUP BY p.source_kind, p.source_id
        )
        SELECT coalesce(l.source_kind, h.source_kind) AS source_kind, coalesce(l.source_id, h.source_id) AS source_id,
               coalesce(l.live, 0) AS live, h.live_entry_id::text AS head, l.pointed::text AS pointed
        FROM l FULL JOIN (SELECT * FROM journal_heads WHERE company_id = ${companyId}) h
          ON h.source_kind = l.source_kind AND h.source_id = l.source_id
        WHERE coalesce(l.live, 0) > 1 OR h.live_entry_id IS DISTINCT FROM l.pointed`
      for (const r of live) {
        if (r.live > 1)
          out.push({
            check: "one-live-posting",
            message: `${r.source_kind} ${r.source_id} has ${r.live} live postings`
          })
        else
          out.push({
            check: "head",
            message: `${r.source_kind} ${r.source_id}: head points at ${r.head ?? "nothing"}, live posting is ${r.pointed ?? "none"}`
          })
      }

      const ap = yield* sql<{ vendor_id: string | null; journal: string; subledger: string }>`
        SELECT vendor_id::text, journal::text, subledger::text FROM journal_ap_differences(${companyId})`
      for (const d of ap)
        out.push({
          check: "ap-subledger",
          message: `vendor ${d.vendor_id ?? "(none)"}: AP control ${d.journal} ≠ open items ${d.subledger}`
        })

      // Every line on the AP control account names the open item it belongs to, and no open item is carried elsewhere:
      // then the aging (open items) and the AP control balance are the same lines and tie.
      const control = yield* sql<{ entry_id: string; line_no: number; problem: string }>`
        SELECT l.entry_id::text, l.line_no, CASE WHEN l.open_item_id IS NULL THEN 'an AP control line without an open item' ELSE 'an open item off the AP control account' END AS problem
        FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id JOIN journal_settings s ON s.company_id = e.company_id
        WHERE e.company_id = ${companyId} AND ((l.account_id = s.ap_account_id) <> (l.open_item_id IS NOT NULL)) LIMIT 20`
      for (const c of control)
        out.push({ check: "ap-control", message: `entry ${c.entry_id} line ${c.line_no}: ${c.problem}` })

      const tb = yield* sql<{
        currency: string
        total: string
      }>`SELECT e.currency, coalesce(sum(l.amount), 0)::text AS total
        FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id WHERE e.company_id = ${companyId} GROUP BY e.currency`
      for (const t of tb)
        if (toCents(t.total) !== 0n)
          out.push({ check: "trial-balance", message: `trial balance in ${t.currency} sums to ${t.total}` })
      return out
    })

    /** The checks and the number of journal entries they covered. */
    const checkAll = Effect.fn("LedgerChecks.checkAll")(function* (companyId: number) {
      const violations = yield* check(companyId)
      const rows = yield* sql<{
        n: number
      }>`SELECT count(*)::int AS n FROM journal_entries WHERE company_id = ${companyId}`
      return { entriesChecked: rows[0]?.n ?? 0, violations } satisfies InvariantsCheck
    })

    return { check, checkAll } as const
  })
}) {}
