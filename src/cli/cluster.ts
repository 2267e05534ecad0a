import { SqlClient } from "@effect/sql"
import { Console, Cron, DateTime, Effect, Layer } from "effect"
import { describeKeyPlan, planKeys, plannedPipelines } from "../cluster/plan.ts"
import { requestSync, scheduledPipelines, shardingLayer, workerLayer, type ServerTarget } from "./worker.ts"
import { cronProblem } from "../config/cron.ts"
import { loadPipeline, loadProject } from "../config/index.ts"
import { clientLayer, targetFor } from "../store/database.ts"
import { keyLimitsFromEnv, keyUsage } from "../store/key-budget.ts"
import { reportFailure } from "./failure.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ClusterPlanOptions, ClusterStatusOptions, EnqueueOptions, WorkerOptions } from "./options.ts"

/** The cluster's storage is the ledger's Postgres server: the embedded database is one process's, never a cluster's. */
const serverTarget = (command: string) =>
  Effect.flatMap(targetFor(), (target) =>
    target._tag === "Url"
      ? Effect.succeed(target as ServerTarget)
      : exitWith(
          Exit.usage,
          `billsync ${command}: a cluster needs the ledger on a Postgres server that every worker reaches: set DATABASE_URL (the embedded database at ${target.dataDir ?? "(memory)"} belongs to one process)`
        )
  )

/** `billsync worker`: a runner of the cluster until SIGTERM/SIGINT (its shards move to the other workers). */
export const worker = (o: WorkerOptions) =>
  Effect.gen(function* () {
    const target = yield* serverTarget("worker")
    const pipelines = yield* scheduledPipelines(o.pipelines)
    yield* Effect.logInfo(
      `billsync worker on ${o.host}:${o.port}: ${pipelines.length} scheduled pipeline(s)${o.pipelines !== undefined ? ` matching ${o.pipelines}` : ""}, at most ${o.concurrency} sync(s) at once on this worker`
    )
    return yield* Layer.launch(
      workerLayer(target, pipelines, { host: o.host, port: o.port, concurrency: o.concurrency })
    )
  }).pipe(Effect.catchAll(reportFailure("worker")))

/** `billsync enqueue <pipeline>`: a sync now, by whichever worker holds the pipeline (persisted first). */
export const enqueue = (o: EnqueueOptions) =>
  Effect.gen(function* () {
    const target = yield* serverTarget("enqueue")
    const loaded = yield* loadPipeline(o.pipeline)
    const now = yield* DateTime.now
    yield* requestSync(loaded.pipeline.name, "enqueue", now).pipe(
      Effect.provide(shardingLayer(target, { host: "localhost", port: 0, clientOnly: true }))
    )
    yield* Console.log(
      `enqueued a sync of ${loaded.pipeline.name} (${DateTime.formatIso(now)}); \`billsync cluster status\` shows when it runs`
    )
  }).pipe(Effect.scoped, Effect.catchAll(reportFailure("enqueue")))

interface PipelineState {
  readonly pipeline: string
  readonly schedule: string | null
  readonly state: "running" | "idle" | "never synced"
  readonly lastRun: { readonly status: string; readonly startedAt: string; readonly finishedAt: string | null } | null
  readonly nextRun: string | null
}

/** `billsync cluster status`: runners, shards, and per pipeline its last and next run and state. */
export const status = (o: ClusterStatusOptions) =>
  Effect.gen(function* () {
    const target = yield* serverTarget("cluster status")
    const project = yield* loadProject()
    const now = yield* DateTime.now
    const report = yield* Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const present = yield* sql<{ present: boolean }>`SELECT to_regclass('cluster_runners') IS NOT NULL AS present`
      const runners =
        present[0]?.present === true
          ? yield* sql<{ address: string; healthy: boolean; last_heartbeat: string; shards: number }>`
              SELECT r.address, r.healthy, to_char(r.last_heartbeat, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_heartbeat,
                     (SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'billsync-worker ' || r.address) AS shards
              FROM cluster_runners r ORDER BY r.address`
          : []
      const last = yield* sql<{ pipeline: string; status: string; started_at: string; finished_at: string | null }>`
        SELECT DISTINCT ON (i.pipeline) i.pipeline, r.status,
               to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
               to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at
        FROM sync_runs r JOIN integrations i ON i.id = r.integration_id ORDER BY i.pipeline, r.id DESC`
      const usage = yield* keyUsage
      return { runners, last, usage }
    }).pipe(Effect.provide(clientLayer(target, "read")))
    const lastOf = new Map(report.last.map((r) => [r.pipeline, r]))
    const pipelines: Array<PipelineState> = project.pipelines
      .filter((p) => p.pipeline.billcom.environment !== "emulator" || lastOf.has(p.pipeline.name))
      .map((p) => {
        const last = lastOf.get(p.pipeline.name)
        const schedule = p.pipeline.schedule ?? null
        const next =
          schedule !== null && cronProblem(schedule) === undefined
            ? DateTime.formatIso(DateTime.unsafeFromDate(Cron.next(Cron.unsafeParse(schedule, "UTC"), now)))
            : null
        return {
          pipeline: p.pipeline.name,
          schedule,
          state: last === undefined ? "never synced" : last.status === "running" ? "running" : "idle",
          lastRun:
            last === undefined
              ? null
              : { status: last.status, startedAt: last.started_at, finishedAt: last.finished_at },
          nextRun: next
        }
      })
    if (o.json)
      return yield* Console.log(JSON.stringify({ runners: report.runners, pipelines, keys: report.usage }, null, 2))
    const lines = [
      `runners (${report.runners.length}):`,
      ...(report.runners.length === 0
        ? ["  none registered (start one with `billsync worker`)"]
        : report.runners.map(
            (r) =>
              `  ${r.address}  ${r.healthy ? "healthy" : "UNHEALTHY"}  last heartbeat ${r.last_heartbeat}  shards held ${r.shards}`
          )),
      `pipelines (${pipelines.length}):`,
      ...pipelines.map(
        (p) =>
          `  ${p.pipeline}  ${p.state}  last ${p.lastRun === null ? "—" : `${p.lastRun.status} ${p.lastRun.startedAt}`}  next ${p.nextRun ?? "— (no schedule)"}`
      ),
      `developer keys this hour (${report.usage.hour}):`,
      ...(report.usage.hours.length === 0
        ? ["  no requests yet"]
        : report.usage.hours.map(
            (h) => `  key ${h.key_hash.slice(0, 12)}…  ${h.requests} requests, ${h.logins} logins`
          ))
    ]
    yield* Console.log(lines.join("\n"))
  }).pipe(Effect.catchAll(reportFailure("cluster status")))

/** `billsync cluster plan`: do the schedules fit the developer keys' hourly budgets? Exit 1 when not. */
export const plan = (o: ClusterPlanOptions) =>
  Effect.gen(function* () {
    const project = yield* loadProject()
    const limits = yield* keyLimitsFromEnv
    const planned = plannedPipelines(project.pipelines, o.requestsPerSync, yield* measuredRequests)
    const plans = planKeys(planned, limits)
    if (o.json) yield* Console.log(JSON.stringify({ pipelines: planned, keys: plans }, null, 2))
    else {
      const assumed = planned.filter((p) => !p.measured).length
      yield* Console.log(
        [
          `${planned.length} scheduled pipeline(s) on ${plans.length} developer key(s); requests per sync: ${planned.length - assumed} measured from their runs, ${assumed} assumed ${o.requestsPerSync} (--requests-per-sync)`,
          ...plans.map(describeKeyPlan)
        ].join("\n")
      )
    }
    if (plans.some((p) => !p.fits)) return yield* exitWith(Exit.problems)
  }).pipe(Effect.catchAll(reportFailure("cluster plan")))

/** Average requests of a pipeline's last good syncs, when DATABASE_URL names a migrated server (else none: assumed). */
const measuredRequests = Effect.gen(function* () {
  const target = yield* targetFor()
  if (target._tag !== "Url") return new Map<string, number>()
  return yield* Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = yield* sql<{ pipeline: string; calls: number }>`
      SELECT pipeline, round(avg(api_calls))::int AS calls FROM (
        SELECT i.pipeline, r.api_calls, row_number() OVER (PARTITION BY i.pipeline ORDER BY r.id DESC) AS n
        FROM sync_runs r JOIN integrations i ON i.id = r.integration_id
        WHERE r.kind = 'full' AND r.status IN ('succeeded', 'succeeded_with_errors')) t
      WHERE n <= 10 GROUP BY pipeline`
    return new Map(rows.map((r) => [r.pipeline, r.calls]))
  }).pipe(
    Effect.provide(clientLayer(target, "read")),
    Effect.catchAll((e) =>
      Effect.as(
        Effect.logWarning(
          `requests per sync not measured (the database could not be read: ${e.message}); assuming --requests-per-sync`
        ),
        new Map<string, number>()
      )
    )
  )
})
