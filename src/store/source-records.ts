import { SqlClient } from "@effect/sql"
import { Chunk, Effect, Option, Stream } from "effect"

export type Outcome = "imported" | "skipped" | "error"

export interface PreviousRecord {
  readonly hash: string
  /** Bill.com's updatedTime of the stored copy (ms), when it had one. */
  readonly updatedMs?: number | undefined
  readonly outcome: Outcome
  readonly reason: string | null
  readonly enrichment: Record<string, unknown> | null
}

export type SourceRecordRow = {
  readonly integration_id: number
  readonly kind: string
  readonly billcom_id: string
  readonly raw: string
  readonly content_hash: string
  readonly updated_time: string | null
  readonly archived: boolean
  readonly business_date: string | null
  readonly outcome: Outcome
  readonly reason: string | null
  readonly enrichment: string | null
  readonly processed_run_id: number | null
}

export interface StoredRecord {
  readonly billcomId: string
  readonly raw: unknown
  readonly hash: string
  readonly outcome: Outcome
  readonly reason: string | null
  readonly enrichment: Record<string, unknown> | null
}

/** Reason under which a record was skipped and will be re-evaluated from its stored raw copy. */
export const retryableReasons = ["unmapped", "before-cutoff"] as const

const PAGE = 500

/**
 * Raw copies of every pulled Bill.com object, with its content hash and the outcome of its last
 * evaluation; plus per-list cursors and mapping fingerprints (the sync's bookkeeping).
 */
export class SourceRecords extends Effect.Service<SourceRecords>()("billsync/SourceRecords", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const previous = Effect.fn("SourceRecords.previous")(function* (
      integrationId: number,
      kind: string,
      ids: ReadonlyArray<string>
    ) {
      if (ids.length === 0) return new Map<string, PreviousRecord>()
      const rows = yield* sql<{
        billcom_id: string
        content_hash: string
        outcome: Outcome
        reason: string | null
        enrichment: Record<string, unknown> | null
        updated_ms: number | null
      }>`
        SELECT billcom_id, content_hash, outcome, reason, enrichment, (extract(epoch FROM updated_time) * 1000)::float8 AS updated_ms FROM source_records
        WHERE integration_id = ${integrationId} AND kind = ${kind} AND billcom_id IN ${sql.in(ids)}`
      return new Map(
        rows.map((r) => [
          r.billcom_id,
          {
            hash: r.content_hash,
            outcome: r.outcome,
            reason: r.reason,
            enrichment: r.enrichment,
            updatedMs: r.updated_ms ?? undefined
          }
        ])
      )
    })

    /** Upserts a batch (the caller dedupes keys: ON CONFLICT cannot touch a row twice). */
    const upsert = Effect.fn("SourceRecords.upsert")(function* (rows: ReadonlyArray<SourceRecordRow>) {
      if (rows.length === 0) return
      yield* sql`INSERT INTO source_records ${sql.insert(rows)}
        ON CONFLICT (integration_id, kind, billcom_id) DO UPDATE SET
          raw = EXCLUDED.raw, content_hash = EXCLUDED.content_hash, updated_time = EXCLUDED.updated_time,
          archived = EXCLUDED.archived, business_date = EXCLUDED.business_date, outcome = EXCLUDED.outcome,
          reason = EXCLUDED.reason, enrichment = coalesce(EXCLUDED.enrichment, source_records.enrichment),
          last_pulled_at = CASE WHEN source_records.content_hash = EXCLUDED.content_hash THEN source_records.last_pulled_at ELSE now() END,
          processed_at = now(), processed_run_id = EXCLUDED.processed_run_id`
    })

    /**
     * Stored records to evaluate again without calling Bill.com: open errors, unmapped records, and
     * records skipped for the cutoff that the cutoff in force now includes (a backfill). With `all`,
     * every stored record of the kind (the mappings changed). Records already processed by this run are left out.
     */
    const pending = (input: {
      readonly integrationId: number
      readonly kind: string
      readonly cutoff: string | undefined
      readonly runId: number
      readonly all: boolean
    }): Stream.Stream<StoredRecord, never, never> =>
      Stream.paginateChunkEffect("", (after) =>
        sql<{
          billcom_id: string
          raw: unknown
          content_hash: string
          outcome: Outcome
          reason: string | null
          enrichment: Record<string, unknown> | null
        }>`
          SELECT billcom_id, raw, content_hash, outcome, reason, enrichment FROM source_records
          WHERE integration_id = ${input.integrationId} AND kind = ${input.kind} AND billcom_id > ${after}
            AND processed_run_id IS DISTINCT FROM ${input.runId}
            AND (${input.all} OR outcome = 'error' OR reason = 'unmapped'
                 OR (reason = 'before-cutoff' AND (${input.cutoff ?? null}::date IS NULL OR business_date >= ${input.cutoff ?? null}::date)))
          ORDER BY billcom_id LIMIT ${PAGE}`.pipe(
          Effect.map((rows) => {
            const records = rows.map(
              (r): StoredRecord => ({
                billcomId: r.billcom_id,
                raw: r.raw,
                hash: r.content_hash,
                outcome: r.outcome,
                reason: r.reason,
                enrichment: r.enrichment
              })
            )
            const last = rows.at(-1)
            return [
              Chunk.fromIterable(records),
              rows.length === PAGE && last ? Option.some(last.billcom_id) : Option.none()
            ] as const
          }),
          Effect.orDie
        )
      )

    /** How many records of the kinds have been pulled at least once. */
    const countPulled = Effect.fn("SourceRecords.countPulled")(function* (integrationId: number, kind: string) {
      const rows = yield* sql<{
        n: number
      }>`SELECT count(*)::int AS n FROM source_records WHERE integration_id = ${integrationId} AND kind = ${kind}`
      return rows[0]?.n ?? 0
    })

    /**
     * Skipped or failed records by kind and reason (for summaries). A record with an open integration
     * error counts as an error (a bill waiting for approval is skipped and in the error log), so
     * these counts agree with `billsync errors`.
     */
    const skippedByReason = Effect.fn("SourceRecords.skippedByReason")(function* (integrationId: number) {
      return yield* sql<{ kind: string; outcome: Outcome; reason: string; n: number }>`
        SELECT s.kind,
               CASE WHEN s.outcome = 'skipped' AND EXISTS (
                      SELECT 1 FROM integration_errors e
                      WHERE e.integration_id = s.integration_id AND e.kind = s.kind AND e.billcom_id = s.billcom_id AND e.resolved_at IS NULL)
                    THEN 'error' ELSE s.outcome END AS outcome,
               coalesce(s.reason, s.outcome) AS reason, count(*)::int AS n
        FROM source_records s
        WHERE s.integration_id = ${integrationId} AND s.outcome <> 'imported' GROUP BY 1, 2, 3 ORDER BY 1, 3`
    })

    const cursor = Effect.fn("SourceRecords.cursor")(function* (integrationId: number, stream: string) {
      const rows = yield* sql<{ since: string }>`
        SELECT to_char(updated_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS since
        FROM sync_cursors WHERE integration_id = ${integrationId} AND stream = ${stream}`
      return rows[0]?.since
    })

    /** Moves a list's cursor forward (never back), inside the batch's transaction. */
    const advanceCursor = Effect.fn("SourceRecords.advanceCursor")(function* (
      integrationId: number,
      stream: string,
      since: string
    ) {
      yield* sql`INSERT INTO sync_cursors (integration_id, stream, updated_since) VALUES (${integrationId}, ${stream}, ${since})
        ON CONFLICT (integration_id, stream) DO UPDATE SET
          updated_since = GREATEST(sync_cursors.updated_since, EXCLUDED.updated_since), updated_at = now()`
    })

    const fingerprint = Effect.fn("SourceRecords.fingerprint")(function* (integrationId: number, stage: string) {
      const rows = yield* sql<{
        fingerprint: string
      }>`SELECT fingerprint FROM mapping_fingerprints WHERE integration_id = ${integrationId} AND stage = ${stage}`
      return rows[0]?.fingerprint
    })

    const setFingerprint = Effect.fn("SourceRecords.setFingerprint")(function* (
      integrationId: number,
      stage: string,
      value: string
    ) {
      yield* sql`INSERT INTO mapping_fingerprints (integration_id, stage, fingerprint) VALUES (${integrationId}, ${stage}, ${value})
        ON CONFLICT (integration_id, stage) DO UPDATE SET fingerprint = EXCLUDED.fingerprint`
    })

    /** Which of the ids have been pulled (stored) for the kind. */
    const existing = Effect.fn("SourceRecords.existing")(function* (
      integrationId: number,
      kind: string,
      ids: ReadonlyArray<string>
    ) {
      if (ids.length === 0) return new Set<string>()
      const rows = yield* sql<{ billcom_id: string }>`SELECT billcom_id FROM source_records
        WHERE integration_id = ${integrationId} AND kind = ${kind} AND billcom_id IN ${sql.in([...new Set(ids)])}`
      return new Set(rows.map((r) => r.billcom_id))
    })

    /** Which of the ids are stored as refused (invalid: the record could not be read or stored). */
    const refused = Effect.fn("SourceRecords.refused")(function* (
      integrationId: number,
      kind: string,
      ids: ReadonlyArray<string>
    ) {
      if (ids.length === 0) return new Set<string>()
      const rows = yield* sql<{ billcom_id: string }>`SELECT billcom_id FROM source_records
        WHERE integration_id = ${integrationId} AND kind = ${kind} AND outcome = 'error' AND reason = 'invalid' AND billcom_id IN ${sql.in([...new Set(ids)])}`
      return new Set(rows.map((r) => r.billcom_id))
    })

    /** One top-level text field of stored raw records (e.g. a bill's payFromChartOfAccountId). */
    const rawField = Effect.fn("SourceRecords.rawField")(function* (
      integrationId: number,
      kind: string,
      ids: ReadonlyArray<string>,
      field: string
    ) {
      if (ids.length === 0) return new Map<string, string>()
      const rows = yield* sql<{
        billcom_id: string
        value: string | null
      }>`SELECT billcom_id, raw ->> ${field} AS value FROM source_records
        WHERE integration_id = ${integrationId} AND kind = ${kind} AND billcom_id IN ${sql.in([...new Set(ids)])}`
      return new Map(rows.flatMap((r) => (r.value === null ? [] : [[r.billcom_id, r.value] as const])))
    })

    return {
      previous,
      upsert,
      existing,
      refused,
      rawField,
      pending,
      countPulled,
      skippedByReason,
      cursor,
      advanceCursor,
      fingerprint,
      setFingerprint
    } as const
  })
}) {}
