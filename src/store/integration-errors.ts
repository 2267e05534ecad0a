import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { storableJsonText, storableText } from "../billcom/record-checks.ts"
import { Secrets } from "../billcom/secrets.ts"

export interface ErrorInput {
  readonly stage: string
  readonly kind: string
  readonly billcomId: string
  readonly code: string
  readonly symptom: string
  readonly cause: string
  readonly resolution: string
  readonly message: string
  readonly detail: unknown
}

export interface OpenError extends ErrorInput {
  readonly id: number
  readonly occurrences: number
  readonly firstSeenAt: string
  readonly lastSeenAt: string
}

/** Per-record integration errors: one open row per failing record; recurrence updates it, success resolves it. */
export class IntegrationErrors extends Effect.Service<IntegrationErrors>()("billsync/IntegrationErrors", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const secrets = yield* Secrets
    /** Text an error row keeps: scrubbed of secret values (messages may quote Bill.com) and storable. */
    const text = (s: string) => storableText(secrets.scrub(s))

    const record = Effect.fn("IntegrationErrors.record")(function* (
      integrationId: number,
      runId: number,
      errors: ReadonlyArray<ErrorInput>
    ) {
      const unique = [...new Map(errors.map((e) => [`${e.stage}\u0000${e.billcomId}`, e])).values()]
      if (unique.length === 0) return
      const rows = unique.map((e) => ({
        integration_id: integrationId,
        stage: e.stage,
        kind: e.kind,
        billcom_id: storableText(e.billcomId),
        code: e.code,
        symptom: text(e.symptom),
        cause: text(e.cause),
        resolution: text(e.resolution),
        message: text(e.message),
        detail: e.detail === undefined ? null : storableJsonText(secrets.scrubDeep(e.detail)),
        last_run_id: runId
      }))
      yield* sql`INSERT INTO integration_errors ${sql.insert(rows)}
        ON CONFLICT (integration_id, stage, billcom_id) WHERE resolved_at IS NULL DO UPDATE SET
          code = EXCLUDED.code, symptom = EXCLUDED.symptom, cause = EXCLUDED.cause, resolution = EXCLUDED.resolution,
          message = EXCLUDED.message, detail = EXCLUDED.detail, last_seen_at = now(),
          occurrences = integration_errors.occurrences + 1, last_run_id = EXCLUDED.last_run_id`
    })

    /** Resolves the open errors of records that have now been processed successfully (or skipped on purpose). */
    const resolve = Effect.fn("IntegrationErrors.resolve")(function* (
      integrationId: number,
      runId: number,
      stage: string,
      ids: ReadonlyArray<string>
    ) {
      if (ids.length === 0) return 0
      const rows = yield* sql<{
        id: string
      }>`UPDATE integration_errors SET resolved_at = now(), resolved_run_id = ${runId}
        WHERE integration_id = ${integrationId} AND stage = ${stage} AND resolved_at IS NULL AND billcom_id IN ${sql.in(ids)}
        RETURNING id::text`
      return rows.length
    })

    /** Errors first seen in these runs and still open (a recurrence of a known error is not new). */
    const newInRuns = Effect.fn("IntegrationErrors.newInRuns")(function* (
      integrationId: number,
      runIds: ReadonlyArray<number>
    ) {
      if (runIds.length === 0) return 0
      const rows = yield* sql<{ n: string }>`SELECT count(*)::text AS n FROM integration_errors
        WHERE integration_id = ${integrationId} AND resolved_at IS NULL AND occurrences = 1 AND last_run_id IN ${sql.in(runIds)}`
      return Number(rows[0]?.n ?? 0)
    })

    const open = Effect.fn("IntegrationErrors.open")(function* (integrationId: number, stage: string | undefined) {
      const rows = yield* sql<{
        id: string
        stage: string
        kind: string
        billcom_id: string
        code: string
        symptom: string
        cause: string
        resolution: string
        message: string
        detail: unknown
        occurrences: number
        first_seen_at: string
        last_seen_at: string
      }>`SELECT id::text, stage, kind, billcom_id, code, symptom, cause, resolution, message, detail, occurrences,
                to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS first_seen_at,
                to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_seen_at
         FROM integration_errors
         WHERE integration_id = ${integrationId} AND resolved_at IS NULL AND (${stage ?? null}::text IS NULL OR stage = ${stage ?? null})
         ORDER BY array_position(ARRAY['vendors','funding-accounts','accounts','bills','vendor-credits','vendor-payments','items','customers','classifications'], stage), billcom_id`
      return rows.map(
        (r): OpenError => ({
          id: Number(r.id),
          stage: r.stage,
          kind: r.kind,
          billcomId: r.billcom_id,
          code: r.code,
          symptom: r.symptom,
          cause: r.cause,
          resolution: r.resolution,
          message: r.message,
          detail: r.detail,
          occurrences: r.occurrences,
          firstSeenAt: r.first_seen_at,
          lastSeenAt: r.last_seen_at
        })
      )
    })

    const openCounts = Effect.fn("IntegrationErrors.openCounts")(function* (integrationId: number) {
      const rows = yield* sql<{ stage: string; n: number }>`SELECT stage, count(*)::int AS n FROM integration_errors
        WHERE integration_id = ${integrationId} AND resolved_at IS NULL GROUP BY stage`
      return new Map(rows.map((r) => [r.stage, r.n]))
    })

    return { record, resolve, newInRuns, open, openCounts } as const
  })
}) {}
