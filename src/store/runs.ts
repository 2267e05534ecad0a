import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { storableText } from "../billcom/record-checks.ts"
import { type SecretRegistry, Secrets } from "../billcom/secrets.ts"

/** Text a run row keeps: scrubbed of secret values (an error may quote Bill.com) and storable. */
const storedWith =
  (secrets: SecretRegistry) =>
  (text: string | undefined): string | null =>
    text === undefined ? null : storableText(secrets.scrub(text))

export type RunKind = "seed" | "full"
/** interrupted: stopped by SIGINT/SIGTERM (its error says when, in which stage and what had committed). */
export type RunStatus = "running" | "succeeded" | "succeeded_with_errors" | "failed" | "interrupted"

export interface StageCounts {
  pulled: number
  inserted: number
  updated: number
  unchanged: number
  skipped: number
  errors: number
  reevaluated: number
  apiCalls: number
}

export const emptyCounts = (): StageCounts => ({
  pulled: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
  errors: 0,
  reevaluated: 0,
  apiCalls: 0
})

export interface StageSummary extends StageCounts {
  readonly stage: string
  readonly status: RunStatus
  readonly durationMs: number | null
  readonly error: string | null
}

export interface RunSummary {
  readonly id: number
  readonly kind: RunKind
  readonly status: RunStatus
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly apiCalls: number
  readonly error: string | null
  readonly notes: ReadonlyArray<string>
  readonly stages: ReadonlyArray<StageSummary>
  /** Integration errors open when the run finished (every stage; null while it runs): `billsync errors` listed this many then. */
  readonly openErrorsAfter: number | null
}

/** Sync runs and their per-stage counts and timings. */
export class Runs extends Effect.Service<Runs>()("billsync/Runs", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const stored = storedWith(yield* Secrets)

    const start = Effect.fn("Runs.start")(function* (input: {
      readonly integrationId: number
      readonly kind: RunKind
      readonly fullRefresh: boolean
      readonly stages: ReadonlyArray<string>
    }) {
      const rows = yield* sql<{ id: string }>`INSERT INTO sync_runs (integration_id, kind, status, full_refresh, stages)
        VALUES (${input.integrationId}, ${input.kind}, 'running', ${input.fullRefresh}, ${input.stages as Array<string>})
        RETURNING id::text`
      return Number(rows[0]!.id)
    })

    /** Runs left 'running' by a crashed process (the caller holds the integration lock, so none is live). */
    const failInterrupted = Effect.fn("Runs.failInterrupted")(function* (integrationId: number) {
      yield* sql`UPDATE sync_run_stages SET status = 'failed', error = 'interrupted', finished_at = now()
                 WHERE status = 'running' AND run_id IN (SELECT id FROM sync_runs WHERE integration_id = ${integrationId} AND status = 'running')`
      yield* sql`UPDATE sync_runs SET status = 'failed', error = 'interrupted (the process stopped before the run finished)', finished_at = now()
                 WHERE integration_id = ${integrationId} AND status = 'running'`
    })

    const stageStarted = Effect.fn("Runs.stageStarted")(function* (runId: number, stage: string, position: number) {
      yield* sql`INSERT INTO sync_run_stages (run_id, stage, position, status) VALUES (${runId}, ${stage}, ${position}, 'running')
                 ON CONFLICT (run_id, stage) DO UPDATE SET status = 'running', started_at = now()`
    })

    const stageFinished = Effect.fn("Runs.stageFinished")(function* (
      runId: number,
      stage: string,
      status: RunStatus,
      c: StageCounts,
      durationMs: number,
      error: string | undefined
    ) {
      yield* sql`UPDATE sync_run_stages SET status = ${status}, pulled = ${c.pulled}, inserted = ${c.inserted}, updated = ${c.updated},
                   unchanged = ${c.unchanged}, skipped = ${c.skipped}, errors = ${c.errors}, reevaluated = ${c.reevaluated},
                   api_calls = ${c.apiCalls}, finished_at = now(), duration_ms = ${Math.round(durationMs)}, error = ${stored(error)}
                 WHERE run_id = ${runId} AND stage = ${stage}`
    })

    const finish = Effect.fn("Runs.finish")(function* (
      runId: number,
      status: RunStatus,
      apiCalls: number,
      error: string | undefined,
      notes: ReadonlyArray<string>
    ) {
      yield* sql`UPDATE sync_runs SET status = ${status}, api_calls = ${apiCalls}, error = ${stored(error)},
                   notes = ${notes.map((n) => stored(n)!)}, finished_at = now() WHERE id = ${runId}`
    })

    const recent = Effect.fn("Runs.recent")(function* (integrationId: number, limit: number) {
      const runs = yield* sql<{
        id: string
        kind: RunKind
        status: RunStatus
        started_at: string
        finished_at: string | null
        api_calls: number
        error: string | null
        notes: Array<string>
        open_errors_after: number | null
      }>`SELECT r.id::text, r.kind, r.status, r.api_calls, r.error, r.notes,
                to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
                to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at,
                CASE WHEN r.finished_at IS NULL THEN NULL ELSE (
                  SELECT count(*)::int FROM integration_errors e
                  WHERE e.integration_id = r.integration_id AND e.first_seen_at <= r.finished_at
                    AND (e.resolved_run_id IS NULL OR e.resolved_run_id > r.id)) END AS open_errors_after
         FROM sync_runs r WHERE r.integration_id = ${integrationId} ORDER BY r.id DESC LIMIT ${limit}`
      const ids = runs.map((r) => Number(r.id))
      const stages =
        ids.length === 0
          ? []
          : yield* sql<{
              run_id: string
              stage: string
              status: RunStatus
              pulled: number
              inserted: number
              updated: number
              unchanged: number
              skipped: number
              errors: number
              reevaluated: number
              api_calls: number
              duration_ms: number | null
              error: string | null
            }>`SELECT run_id::text, stage, status, pulled, inserted, updated, unchanged, skipped, errors, reevaluated, api_calls, duration_ms, error
               FROM sync_run_stages WHERE run_id IN ${sql.in(ids)} ORDER BY run_id, position`
      return runs.map(
        (r): RunSummary => ({
          id: Number(r.id),
          kind: r.kind,
          status: r.status,
          startedAt: r.started_at,
          finishedAt: r.finished_at,
          apiCalls: r.api_calls,
          error: r.error,
          notes: r.notes,
          openErrorsAfter: r.open_errors_after,
          stages: stages
            .filter((s) => s.run_id === r.id)
            .map((s) => ({
              stage: s.stage,
              status: s.status,
              pulled: s.pulled,
              inserted: s.inserted,
              updated: s.updated,
              unchanged: s.unchanged,
              skipped: s.skipped,
              errors: s.errors,
              reevaluated: s.reevaluated,
              apiCalls: s.api_calls,
              durationMs: s.duration_ms,
              error: s.error
            }))
        })
      )
    })

    /** When the pipeline's last good full sync (succeeded, with or without record errors) finished, or undefined. */
    const lastGood = Effect.fn("Runs.lastGood")(function* (integrationId: number) {
      const rows = yield* sql<{ finished_at: string | null }>`
        SELECT to_char(max(finished_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at FROM sync_runs
        WHERE integration_id = ${integrationId} AND kind = 'full' AND status IN ('succeeded', 'succeeded_with_errors')`
      return rows[0]?.finished_at ?? undefined
    })

    /** Requests the integration's last completed full run sent (the base of the default request cap), if any. */
    const lastFullRunRequests = Effect.fn("Runs.lastFullRunRequests")(function* (integrationId: number) {
      const rows = yield* sql<{ api_calls: number }>`SELECT api_calls FROM sync_runs
        WHERE integration_id = ${integrationId} AND kind = 'full' AND status IN ('succeeded', 'succeeded_with_errors')
        ORDER BY id DESC LIMIT 1`
      return rows[0]?.api_calls
    })

    return {
      start,
      failInterrupted,
      stageStarted,
      stageFinished,
      finish,
      recent,
      lastGood,
      lastFullRunRequests
    } as const
  })
}) {}
