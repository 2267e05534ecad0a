import { SqlClient } from "@effect/sql"
import { Console, Cron, DateTime, Effect, Layer } from "effect"
import { describeKeyPlan, planKeys, plannedPipelines } from "../cluster/plan.ts"
import {
  clusterSqlLayer,
  requestSync,
  scheduledPipelines,
  shardingLayer,
  workerLayer,
  type ServerTarget
} from "./worker.ts"
import { cronProblem } from "../config/cron.ts"
import { loadPipeline, loadProject } from "../config/index.ts"
import { clientLayer, targetFor } from "../store/database.ts"
import { keyLimitsFromEnv, keyUsage } from "../store/key-budget.ts"
import { readPipelineIndex } from "../coa/pipeline-index.ts"
import { reportFailure } from "./failure.ts"
import { closest } from "./suggest.ts"
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
    yield* knownPipeline("enqueue", o.pipeline)
    const loaded = yield* loadPipeline(o.pipeline)
    const now = yield* DateTime.now
    yield* requestSync(loaded.pipeline.name, "enqueue", now).pipe(
      Effect.provide(shardingLayer(target, { host: "localhost", port: 0, clientOnly: true }))
    )
    yield* Console.log(
      `enqueued a sync of ${loaded.pipeline.name} (${DateTime.formatIso(now)}); \`billsync cluster status\` shows when it runs`
    )
    const live = yield* liveRunners.pipe(Effect.provide(clusterSqlLayer(target, "billsync enqueue")))
    if (live === 0)
      yield* Effect.logWarning(
        `no worker is running (none has sent a heartbeat in the last ${RUNNER_SILENT_AFTER_SECONDS}s): the request waits in the database and runs when one starts (\`billsync worker\`)`
      )
  }).pipe(Effect.scoped, Effect.catchAll(reportFailure("enqueue")))

/** A mistyped pipeline name is a usage error with "did you mean", as in `billsync freshness` (a path is left to the loader). */
const knownPipeline = (command: string, name: string) => {
  if (name.includes("/") || /\.ya?ml$/.test(name)) return Effect.void
  const names = readPipelineIndex(process.cwd()).map((p) => p.name)
  if (names.includes(name)) return Effect.void
  const near = closest(name, names)
  return exitWith(
    Exit.usage,
    `billsync ${command}: unknown pipeline ${JSON.stringify(name)}${near ? ` — did you mean ${near}?` : ""} (pipelines: ${names.join(", ") || "none under pipelines/"})`
  )
}

/** Runners that sent a heartbeat lately (a killed worker's row stays, marked healthy, for a while). */
const liveRunners = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<{ n: number }>`
    SELECT CASE WHEN to_regclass('cluster_runners') IS NULL THEN 0 ELSE (
      SELECT count(*)::int FROM cluster_runners
      WHERE healthy AND last_heartbeat > localtimestamp - make_interval(secs => ${RUNNER_SILENT_AFTER_SECONDS})) END AS n`
  return rows[0]?.n ?? 0
})

interface PipelineState {
  readonly pipeline: string
  readonly schedule: string | null
  readonly state: "running" | "queued" | "idle" | "never synced"
  readonly lastRun: { readonly status: string; readonly startedAt: string; readonly finishedAt: string | null } | null
  /** The oldest sync request (enqueue or schedule) no worker has finished yet. */
  readonly queuedSince: string | null
  readonly nextRun: string | null
}

/**
 * A runner writes its heartbeat every few seconds (shard lock refresh); one killed with SIGKILL keeps
 * its row, still marked healthy, until a survivor's health check or a new runner on its address.
 */
export const RUNNER_SILENT_AFTER_SECONDS = 30

const HOUR_MS = 3_600_000

/** Which of the tables status reads exist: a database no worker, enqueue or sync has touched has none. */
const presentTables = (sql: SqlClient.SqlClient) =>
  Effect.map(
    sql<{ runners: boolean; messages: boolean; runs: boolean; keys: boolean }>`
      SELECT to_regclass('cluster_runners') IS NOT NULL AS runners, to_regclass('cluster_messages') IS NOT NULL AS messages,
             to_regclass('sync_runs') IS NOT NULL AS runs, to_regclass('billcom_key_slots') IS NOT NULL AS keys`,
    (rows) => rows[0] ?? { runners: false, messages: false, runs: false, keys: false }
  )

/** `billsync cluster status`: runners, shards, and per pipeline its last and next run and state. */
export const status = (o: ClusterStatusOptions) =>
  Effect.gen(function* () {
    const target = yield* serverTarget("cluster status")
    const project = yield* loadProject()
    const now = yield* DateTime.now
    // Read without the ledger's migration check: a cluster whose workers have not synced anything yet has a status too.
    const report = yield* Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const present = yield* presentTables(sql)
      const runners = present.runners
        ? yield* sql<{
            address: string
            healthy: boolean
            last_heartbeat: string
            silent_seconds: number
            shards: number
          }>`
              SELECT r.address, r.healthy, to_char(r.last_heartbeat, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_heartbeat,
                     greatest(0, floor(extract(epoch FROM localtimestamp - r.last_heartbeat)))::int AS silent_seconds,
                     (SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0
                        AND a.application_name = 'billsync-worker ' || r.address) AS shards
              FROM cluster_runners r ORDER BY r.address`
        : []
      const queued = present.messages
        ? yield* sql<{ pipeline: string; since: string }>`
              SELECT entity_id AS pipeline, min(payload::json->>'requestedAt') AS since
              FROM cluster_messages WHERE entity_type = 'billsync/PipelineSync' AND tag = 'Sync' AND NOT processed
              GROUP BY entity_id`
        : []
      const last = present.runs
        ? yield* sql<{ pipeline: string; status: string; started_at: string; finished_at: string | null }>`
              SELECT DISTINCT ON (i.pipeline) i.pipeline, r.status,
                     to_char(r.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
                     to_char(r.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at
              FROM sync_runs r JOIN integrations i ON i.id = r.integration_id ORDER BY i.pipeline, r.id DESC`
        : []
      const hour = Math.floor(DateTime.toEpochMillis(now) / HOUR_MS)
      const usage = present.keys ? yield* keyUsage : { hour, hours: [], held: [] }
      return { runners, queued, last, usage, migrated: present.runs }
    }).pipe(Effect.provide(clusterSqlLayer(target, "billsync cluster status")))
    const lastOf = new Map(report.last.map((r) => [r.pipeline, r]))
    const queuedOf = new Map(report.queued.map((q) => [q.pipeline, q.since]))
    const runners = report.runners.map((r) => ({
      address: r.address,
      // The storage's flag, or silent for longer than a heartbeat's few seconds (a worker killed with SIGKILL).
      healthy: r.healthy && r.silent_seconds < RUNNER_SILENT_AFTER_SECONDS,
      last_heartbeat: r.last_heartbeat,
      secondsSinceHeartbeat: r.silent_seconds,
      shards: r.shards
    }))
    const pipelines: Array<PipelineState> = project.pipelines
      .filter(
        (p) =>
          p.pipeline.billcom.environment !== "emulator" || lastOf.has(p.pipeline.name) || queuedOf.has(p.pipeline.name)
      )
      .map((p) => {
        const last = lastOf.get(p.pipeline.name)
        const queuedSince = queuedOf.get(p.pipeline.name) ?? null
        const schedule = p.pipeline.schedule ?? null
        const next =
          schedule !== null && cronProblem(schedule) === undefined
            ? DateTime.formatIso(DateTime.unsafeFromDate(Cron.next(Cron.unsafeParse(schedule, "UTC"), now)))
            : null
        return {
          pipeline: p.pipeline.name,
          schedule,
          state:
            last?.status === "running"
              ? "running"
              : queuedSince !== null
                ? "queued"
                : last === undefined
                  ? "never synced"
                  : "idle",
          lastRun:
            last === undefined
              ? null
              : { status: last.status, startedAt: last.started_at, finishedAt: last.finished_at },
          queuedSince,
          nextRun: next
        }
      })
    const hourStartsAt = new Date(report.usage.hour * HOUR_MS).toISOString().replace(":00.000Z", "Z")
    if (o.json)
      return yield* Console.log(
        JSON.stringify({ runners, pipelines, keys: { ...report.usage, hourStartsAt } }, null, 2)
      )
    const lines = [
      `runners (${runners.length}):`,
      ...(runners.length === 0
        ? ["  none registered (start one with `billsync worker`)"]
        : runners.map(
            (r) =>
              `  ${r.address}  ${r.healthy ? "healthy" : `UNHEALTHY (no heartbeat for ${r.secondsSinceHeartbeat}s: stopped or killed?)`}  last heartbeat ${r.last_heartbeat}  shards held ${r.shards}`
          )),
      `pipelines (${pipelines.length}):`,
      ...pipelines.map(
        (p) =>
          `  ${p.pipeline}  ${p.state}${p.queuedSince !== null ? ` (requested ${p.queuedSince})` : ""}  last ${p.lastRun === null ? "—" : `${p.lastRun.status} ${p.lastRun.startedAt}`}  next ${p.nextRun ?? "— (no schedule)"}`
      ),
      ...(report.migrated ? [] : ["  (no sync has run against this database yet)"]),
      `developer keys this hour (${hourStartsAt}):`,
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
