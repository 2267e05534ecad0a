import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { checkFence } from "./fence.ts"

export interface DocumentWrite {
  readonly billcomId: string
  readonly name: string
  readonly pages: number | null
  readonly scanStatus: string | null
  readonly createdTime: string | null
}

/** A bill whose documents have not been read for the version it was last written from. */
export interface PendingBill {
  readonly id: number
  readonly billcomId: string
  readonly version: string
}

/**
 * The bill documents backlog (migration 0005): imported, unarchived bills whose documents metadata
 * was not read for their current source version, oldest Bill.com change first; bills whose last
 * read failed go behind the others so one bad bill cannot starve the rest.
 */
export class BillDocuments extends Effect.Service<BillDocuments>()("billsync/BillDocuments", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const pendingWhere = (companyId: number) =>
      sql`company_id = ${companyId} AND NOT archived AND source_version IS NOT NULL AND documents_version IS DISTINCT FROM source_version`

    const pending = Effect.fn("BillDocuments.pending")(function* (companyId: number, limit: number) {
      if (limit <= 0) return [] as ReadonlyArray<PendingBill>
      const rows = yield* sql<{ id: string; billcom_id: string; source_version: string }>`
        SELECT id::text, billcom_id, source_version FROM bills WHERE ${pendingWhere(companyId)}
        ORDER BY documents_failed_at NULLS FIRST, billcom_updated_time NULLS FIRST, id LIMIT ${limit}`
      return rows.map((r): PendingBill => ({ id: Number(r.id), billcomId: r.billcom_id, version: r.source_version }))
    })

    const backlog = Effect.fn("BillDocuments.backlog")(function* (companyId: number) {
      const rows = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM bills WHERE ${pendingWhere(companyId)}`
      return rows[0]?.n ?? 0
    })

    /** Replaces the bill's documents with what Bill.com returned and marks `version` as read. */
    const record = Effect.fn("BillDocuments.record")(function* (
      bill: PendingBill,
      documents: ReadonlyArray<DocumentWrite>
    ) {
      const unique = [...new Map(documents.map((d) => [d.billcomId, d])).values()]
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* checkFence
          const keep = unique.map((d) => d.billcomId)
          if (keep.length === 0) yield* sql`DELETE FROM bill_documents WHERE bill_id = ${bill.id}`
          else yield* sql`DELETE FROM bill_documents WHERE bill_id = ${bill.id} AND billcom_id NOT IN ${sql.in(keep)}`
          if (unique.length > 0) {
            const rows = unique.map((d) => ({
              bill_id: bill.id,
              billcom_id: d.billcomId,
              name: d.name,
              pages: d.pages,
              scan_status: d.scanStatus,
              billcom_created_time: d.createdTime
            }))
            yield* sql`INSERT INTO bill_documents ${sql.insert(rows)}
              ON CONFLICT (billcom_id) DO UPDATE SET bill_id = EXCLUDED.bill_id, name = EXCLUDED.name, pages = EXCLUDED.pages,
                scan_status = EXCLUDED.scan_status, billcom_created_time = EXCLUDED.billcom_created_time, updated_at = now()`
          }
          yield* sql`UPDATE bills SET documents_version = ${bill.version}, documents_failed_at = NULL WHERE id = ${bill.id}`
        })
      )
    })

    /** The read failed: the bill stays in the backlog, behind the bills not yet tried. */
    const markFailed = Effect.fn("BillDocuments.markFailed")(function* (bill: PendingBill) {
      yield* sql`UPDATE bills SET documents_failed_at = now() WHERE id = ${bill.id}`
    })

    return { pending, backlog, record, markFailed } as const
  })
}) {}
