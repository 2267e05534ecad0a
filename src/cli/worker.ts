import { ClusterCron, Entity, RunnerAddress, type Sharding } from "@effect/cluster"
import { NodeClusterSocket } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Cause, Cron, DateTime, Duration, Effect, Layer, Option } from "effect"
import type { KeyBudgets } from "../billcom/budget.ts"
import { loadPipeline, loadProject, type LoadedPipeline } from "../config/index.ts"
import { clientLayer, type DatabaseTarget } from "../store/database.ts"
import type { IntegrationLocks } from "../sync/integration-locks.ts"
import { keyBudgetsFromEnv } from "../store/key-budget.ts"
import { StoreServices } from "../ledger/services.ts"
import { sourceLayer } from "./environment.ts"
import { settingsFromConfig } from "../sync/from-config.ts"
import { runSync } from "../sync/runner.ts"
import { PipelineSync, type SyncOutcome } from "../cluster/entity.ts"

export type ServerTarget = Extract<DatabaseTarget, { _tag: "Url" }>

/** `--pipelines GLOB`: `*` any run of characters, `?` one; matched against pipeline names. */
export const globMatcher = (glob: string | undefined) => {
  if (glob === undefined || glob.trim() === "") return () => true
  const re = new RegExp(
    `^${glob
      .trim()
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`
  )
  return (name: string) => re.test(name)
}

/** The pipelines the cluster schedules: those with a `schedule`, except `environment: emulator` unless asked for by name/glob. */
export const scheduledPipelines = (glob: string | undefined) =>
  Effect.map(loadProject(), (project) =>
    project.pipelines.filter(
      (p) =>
        p.pipeline.schedule !== undefined &&
        globMatcher(glob)(p.pipeline.name) &&
        (glob !== undefined || p.pipeline.billcom.environment !== "emulator")
    )
  )

/**
 * The cluster's own connection pool (shard locks, runner registry, persisted messages), apart from
 * the syncs' pool: the shard locks live on a reserved connection and must never wait behind a sync.
 */
export const clusterSqlLayer = (target: ServerTarget, name: string) =>
  PgClient.layer({ url: target.url, maxConnections: 6, connectTimeout: Duration.seconds(10), applicationName: name })

/** How long a stored sync request (enqueue) waits at most before its worker reads it. */
export const ENQUEUE_POLL_INTERVAL = Duration.seconds(2)

/** Advisory lock key ("bsct") held while one process builds the cluster's SQL storage. */
const CLUSTER_TABLES_LOCK = 0x62736374

/**
 * Builds `layer` while holding a session advisory lock on a reserved connection, released once it
 * is built. @effect/cluster's SQL storage creates its tables (`CREATE TABLE IF NOT EXISTS …`) when
 * its layer is built; two workers doing so at the same moment on a fresh database race in the
 * catalog (`duplicate key value violates unique constraint "pg_type_typname_nsp_index"`) and one
 * dies — the 60-pipeline cluster drill hit it. One builder at a time; the others wait moments.
 */
export const builtOneAtATime = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const scope = yield* Effect.scope
      const context = yield* Effect.scoped(
        Effect.gen(function* () {
          const connection = yield* sql.reserve
          yield* connection.executeRaw(`SELECT pg_advisory_lock(${CLUSTER_TABLES_LOCK})`, [])
          return yield* Layer.buildWithScope(layer, scope).pipe(
            Effect.ensuring(
              connection.executeRaw(`SELECT pg_advisory_unlock(${CLUSTER_TABLES_LOCK})`, []).pipe(Effect.ignore)
            )
          )
        })
      )
      return Layer.succeedContext(context)
    })
  )

/** Sharding over sockets with runner and message storage in the ledger's Postgres. */
export const shardingLayer = (
  target: ServerTarget,
  options: { readonly host: string; readonly port: number; readonly clientOnly: boolean }
) =>
  builtOneAtATime(
    options.clientOnly
      ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql" })
      : NodeClusterSocket.layer({
          storage: "sql",
          shardingConfig: {
            runnerAddress: Option.some(RunnerAddress.make(options.host, options.port)),
            runnerListenAddress: Option.some(RunnerAddress.make("0.0.0.0", options.port)),
            // A killed worker's shard locks (advisory, on its connection) free at once; these bound the rest.
            entityMaxIdleTime: Duration.minutes(5),
            // How often a runner reads the persisted requests of its shards: `billsync enqueue` (a client, not a
            // runner) only stores its request, so this bounds enqueue → sync start (the library's 10 s default
            // measured 2.5–10.4 s by hand; one small query per worker every 2 s).
            entityMessagePollInterval: ENQUEUE_POLL_INTERVAL
          }
        })
  ).pipe(
    Layer.provide(
      clusterSqlLayer(target, `billsync-${options.clientOnly ? "client" : "worker"} ${options.host}:${options.port}`)
    )
  )

/** What a sync on a worker takes from the worker's layers: its database pool, the devKeys' budgets, the process's in-process locks. */
type SyncContext = Layer.Layer.Context<ReturnType<typeof clientLayer>> | KeyBudgets | IntegrationLocks

/** What one Sync message does: the same sync as `billsync sync <pipeline>`, over the worker's database pool. */
const syncPipeline = (
  pipeline: string,
  concurrency: Effect.Semaphore
): Effect.Effect<typeof SyncOutcome.Type, never, SyncContext> =>
  Effect.gen(function* () {
    const loaded: LoadedPipeline = yield* loadPipeline(pipeline)
    const settings = settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir)
    const layer = Layer.merge(StoreServices, sourceLayer(loaded))
    const outcome = yield* concurrency.withPermits(1)(
      runSync(settings, { fullRefresh: false, dryRun: false, wait: true }).pipe(Effect.provide(layer))
    )
    const failed = outcome.runs.some((r) => r.status === "failed") || outcome.unmet.length > 0
    return {
      status: failed ? "failed" : "succeeded",
      runs: outcome.runs.map((r) => ({ runId: r.runId, status: r.status as string })),
      ...(outcome.unmet.length > 0
        ? {
            error: `setup not completed: ${outcome.unmet.map((u) => `${u.condition}: ${u.problem} (${u.fix})`).join("; ")}`
          }
        : {})
    }
  }).pipe(
    Effect.catchAllCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.interrupt // the worker is stopping: the message stays unprocessed and moves to another runner
        : Effect.succeed({ status: "failed", runs: [], error: Cause.pretty(cause).split("\n")[0] ?? "failed" })
    ),
    Effect.tap((o) =>
      Effect.logInfo(`sync of ${pipeline}: ${o.status}`).pipe(
        Effect.annotateLogs({ pipeline, runs: o.runs.map((r) => r.runId).join(",") })
      )
    )
  )

/** The PipelineSync entity on this runner: one sync per pipeline at a time (per entity), at most `concurrency` syncs at once on this worker. */
export const pipelineEntityLayer = <R = SyncContext>(
  concurrency: number,
  sync: (
    pipeline: string,
    semaphore: Effect.Semaphore
  ) => Effect.Effect<typeof SyncOutcome.Type, never, R> = syncPipeline as never
) =>
  Layer.unwrapEffect(
    Effect.map(Effect.makeSemaphore(concurrency), (semaphore) =>
      PipelineSync.toLayer(
        Effect.gen(function* () {
          const address = yield* Entity.CurrentAddress
          return {
            Sync: (request) =>
              sync(address.entityId, semaphore).pipe(Effect.annotateLogs({ reason: request.payload.reason }))
          }
        }),
        { concurrency: 1 }
      )
    )
  )

/** Ask the pipeline's entity for a sync (persisted first: it survives any worker's death). */
export const requestSync = (pipeline: string, reason: "schedule" | "enqueue", at: DateTime.Utc) =>
  Effect.gen(function* () {
    const client = (yield* PipelineSync.client)(pipeline)
    yield* client.Sync({ reason, requestedAt: DateTime.formatIso(at) }, { discard: true })
  })

/** One ClusterCron per scheduled pipeline: the cluster runs it once, on whichever runner holds its singleton. */
export const scheduleLayer = (pipelines: ReadonlyArray<LoadedPipeline>) =>
  pipelines.reduce(
    (layer, p) =>
      Layer.merge(
        layer,
        ClusterCron.make({
          name: `billsync/${p.pipeline.name}`,
          cron: Cron.unsafeParse(p.pipeline.schedule!, "UTC"),
          // A run missed while no worker was up is made up once, not for every missed firing.
          skipIfOlderThan: Duration.hours(1),
          execute: Effect.flatMap(DateTime.now, (now) =>
            requestSync(p.pipeline.name, "schedule", DateTime.startOf(now, "minute"))
          )
        })
      ),
    Layer.empty as Layer.Layer<never, never, Sharding.Sharding>
  )

/**
 * A worker: a runner of the cluster (sockets on `port`), the PipelineSync entity, the schedules of
 * `pipelines`, and the syncs' own database pool (sized for `concurrency` syncs, each of which
 * holds one connection for its integration lock) with the devKeys' shared budgets.
 */
export const workerLayer = (
  target: ServerTarget,
  pipelines: ReadonlyArray<LoadedPipeline>,
  options: { readonly host: string; readonly port: number; readonly concurrency: number }
) => {
  const database = clientLayer(target, "write")
  const syncs = Layer.mergeAll(pipelineEntityLayer(options.concurrency), scheduleLayer(pipelines))
  return syncs.pipe(
    Layer.provide(keyBudgetsFromEnv),
    Layer.provide(shardingLayer(target, { ...options, clientOnly: false })),
    Layer.provide(database)
  )
}
