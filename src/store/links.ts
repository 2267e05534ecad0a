import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export type LinkRow = {
  readonly integration_id: number
  readonly kind: string
  readonly billcom_id: string
  readonly ledger_table: string
  readonly ledger_id: number
  readonly ledger_key: string | null
}

/** Bill.com id → ledger record, per kind (vendor, chart-of-account, bank-account, bill, …). */
export class Links extends Effect.Service<Links>()("billsync/Links", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /** Ledger ids for the given Bill.com ids of one kind (missing = not linked). */
    const lookup = Effect.fn("Links.lookup")(function* (
      integrationId: number,
      kind: string,
      ids: ReadonlyArray<string>
    ) {
      const unique = [...new Set(ids)]
      if (unique.length === 0) return new Map<string, number>()
      const rows = yield* sql<{ billcom_id: string; ledger_id: string }>`
        SELECT billcom_id, ledger_id::text FROM links WHERE integration_id = ${integrationId} AND kind = ${kind} AND billcom_id IN ${sql.in(unique)}`
      return new Map(rows.map((r) => [r.billcom_id, Number(r.ledger_id)]))
    })

    const upsert = Effect.fn("Links.upsert")(function* (rows: ReadonlyArray<LinkRow>) {
      const unique = [...new Map(rows.map((r) => [`${r.kind}\u0000${r.billcom_id}`, r])).values()]
      if (unique.length === 0) return
      yield* sql`INSERT INTO links ${sql.insert(unique)}
        ON CONFLICT (integration_id, kind, billcom_id) DO UPDATE SET
          ledger_table = EXCLUDED.ledger_table, ledger_id = EXCLUDED.ledger_id, ledger_key = EXCLUDED.ledger_key, updated_at = now()
        WHERE links.ledger_id <> EXCLUDED.ledger_id OR links.ledger_key IS DISTINCT FROM EXCLUDED.ledger_key`
    })

    const remove = Effect.fn("Links.remove")(function* (
      integrationId: number,
      kind: string,
      ids: ReadonlyArray<string>
    ) {
      if (ids.length === 0) return
      yield* sql`DELETE FROM links WHERE integration_id = ${integrationId} AND kind = ${kind} AND billcom_id IN ${sql.in(ids)}`
    })

    const countByKind = Effect.fn("Links.countByKind")(function* (integrationId: number) {
      const rows = yield* sql<{
        kind: string
        n: number
      }>`SELECT kind, count(*)::int AS n FROM links WHERE integration_id = ${integrationId} GROUP BY kind`
      return new Map(rows.map((r) => [r.kind, r.n]))
    })

    return { lookup, upsert, remove, countByKind } as const
  })
}) {}
