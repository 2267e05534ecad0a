import { SqlClient } from "@effect/sql"
import { Deferred, Effect, Option } from "effect"
import { readFileSync } from "node:fs"
import { DatabaseInfo } from "../store/database.ts"
import { StoreError } from "../store/errors.ts"
import { IntegrationFence } from "../store/fence.ts"
import { SyncError } from "./errors.ts"
import { IntegrationLocks } from "./integration-locks.ts"

/** Advisory-lock namespace of sync runs ("sync"); the object id is hashtext(pipeline). */
const SYNC_LOCK_CLASS = 0x73796e63
/**
 * Advisory-lock namespace of the commit fence ("fenc"): every write transaction of a run holds it
 * shared; a run that has just taken the integration lock takes it exclusively once, so it starts
 * only after the previous holder's last transaction has ended.
 */
const FENCE_CLASS = 0x66656e63

const locked = (pipeline: string) =>
  new SyncError({
    reason: "locked",
    message: `another sync of ${pipeline} is running`,
    advice: "wait for it to finish, or pass --wait to queue behind it"
  })

const lost = (pipeline: string, why: string) =>
  new StoreError({
    reason: "lock-lost",
    message:
      `this run lost the lock of ${pipeline} (${why}) and stopped before its next commit, so it never writes beside a sync that took the lock over; ` +
      "every batch it committed is whole, with its cursor: run the sync again (it resumes from there)"
  })

/**
 * Embedded database: the lock file (`<dataDir>.lock`) must still name this process. Deleted, or
 * taken by another process, the run no longer owns the database.
 */
const lockFileFence = (pipeline: string, lockFile: string) =>
  Effect.suspend(() => {
    let owner: string
    try {
      owner = readFileSync(lockFile, "utf8").trim()
    } catch {
      return Effect.fail(lost(pipeline, `the embedded database's lock file ${lockFile} was removed`))
    }
    return owner === String(process.pid)
      ? Effect.void
      : Effect.fail(lost(pipeline, `the embedded database's lock file ${lockFile} now names process ${owner}`))
  })

/**
 * Runs `effect` holding the integration's lock, so two runs of one pipeline never write at once.
 * On a Postgres server: a session advisory lock on a reserved connection (released when the
 * connection is returned, also if the process dies). On embedded PGlite (one connection, one
 * process thanks to its lock file): an in-process semaphore. Either way `effect` gets an
 * IntegrationFence, which every write transaction checks (store/fence.ts): on Postgres that the
 * lock's connection still holds it (killed with pg_terminate_backend, it does not), on PGlite that
 * the lock file still names this process. `stop` (SIGINT/SIGTERM) ends a wait for the lock.
 */
export const withIntegrationLock = <A, E, R>(
  pipeline: string,
  wait: boolean,
  effect: Effect.Effect<A, E, R>,
  stop?: Deferred.Deferred<string>
) =>
  Effect.gen(function* () {
    const info = yield* DatabaseInfo
    const stopped =
      stop === undefined
        ? Effect.never
        : Effect.flatMap(
            Deferred.await(stop),
            (signal) =>
              new SyncError({
                reason: "interrupted",
                message: `interrupted by ${signal} while waiting for the lock of ${pipeline}: nothing was written`
              })
          )
    if (info.embedded) {
      const fenced = Effect.provideService(effect, IntegrationFence, {
        check: info.lockFile === undefined ? Effect.void : lockFileFence(pipeline, info.lockFile)
      })
      const semaphore = yield* (yield* IntegrationLocks).semaphoreFor(pipeline)
      if (wait) return yield* Effect.raceFirst(semaphore.withPermits(1)(fenced), stopped)
      const result = yield* semaphore.withPermitsIfAvailable(1)(fenced)
      if (Option.isNone(result)) return yield* locked(pipeline)
      return result.value
    }
    const sql = yield* SqlClient.SqlClient
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* sql.reserve
        if (wait) {
          yield* Effect.raceFirst(
            connection.execute("SELECT pg_advisory_lock($1, hashtext($2))", [SYNC_LOCK_CLASS, pipeline], undefined),
            stopped
          )
        } else {
          const rows = yield* connection.execute(
            "SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok",
            [SYNC_LOCK_CLASS, pipeline],
            undefined
          )
          if ((rows[0] as { ok?: boolean } | undefined)?.ok !== true) return yield* locked(pipeline)
        }
        yield* Effect.addFinalizer(() =>
          connection
            .execute("SELECT pg_advisory_unlock($1, hashtext($2))", [SYNC_LOCK_CLASS, pipeline], undefined)
            .pipe(Effect.ignore)
        )
        // Whatever the previous holder (whose connection may have been killed) still had in flight ends first.
        yield* connection.execute("SELECT pg_advisory_lock($1, hashtext($2))", [FENCE_CLASS, pipeline], undefined)
        yield* connection.execute("SELECT pg_advisory_unlock($1, hashtext($2))", [FENCE_CLASS, pipeline], undefined)
        const holder = Number(
          ((yield* connection.execute("SELECT pg_backend_pid() AS pid", [], undefined))[0] as { pid: number }).pid
        )
        const check = Effect.gen(function* () {
          yield* sql`SELECT pg_advisory_xact_lock_shared(${FENCE_CLASS}, hashtext(${pipeline}))`
          const rows = yield* sql<{ held: boolean }>`SELECT EXISTS (
              SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND classid = ${SYNC_LOCK_CLASS}::int8::oid AND objid = hashtext(${pipeline})::oid AND objsubid = 2 AND pid = ${holder} AND granted) AS held`
          if (rows[0]?.held !== true)
            return yield* lost(pipeline, `the database connection holding it (backend ${holder}) ended`)
        })
        return yield* Effect.provideService(effect, IntegrationFence, { check })
      })
    )
  })
