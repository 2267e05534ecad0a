import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"
import { DatabaseInfo } from "../store/database.ts"
import { SyncError } from "./errors.ts"

/** Advisory-lock namespace of sync runs ("sync"); the object id is hashtext(pipeline). */
const SYNC_LOCK_CLASS = 0x73796e63

const inProcess = new Map<string, Effect.Semaphore>()
const semaphoreFor = (pipeline: string) => {
  let s = inProcess.get(pipeline)
  if (s === undefined) {
    s = Effect.unsafeMakeSemaphore(1)
    inProcess.set(pipeline, s)
  }
  return s
}

const locked = (pipeline: string) =>
  new SyncError({ reason: "locked", message: `another sync of ${pipeline} is running`, advice: "wait for it to finish, or pass --wait to queue behind it" })

/**
 * Runs `effect` holding the integration's lock, so two runs of one pipeline never write at once.
 * On a Postgres server: a session advisory lock on a reserved connection (released when the
 * connection is returned, also if the process dies). On embedded PGlite (one connection, one
 * process thanks to its lock file): an in-process semaphore.
 */
export const withIntegrationLock = <A, E, R>(pipeline: string, wait: boolean, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const info = yield* DatabaseInfo
    if (info.embedded) {
      const semaphore = semaphoreFor(pipeline)
      if (wait) return yield* semaphore.withPermits(1)(effect)
      const result = yield* semaphore.withPermitsIfAvailable(1)(effect)
      if (Option.isNone(result)) return yield* locked(pipeline)
      return result.value
    }
    const sql = yield* SqlClient.SqlClient
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const connection = yield* sql.reserve
        if (wait) {
          yield* connection.execute("SELECT pg_advisory_lock($1, hashtext($2))", [SYNC_LOCK_CLASS, pipeline], undefined)
        } else {
          const rows = yield* connection.execute("SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok", [SYNC_LOCK_CLASS, pipeline], undefined)
          if ((rows[0] as { ok?: boolean } | undefined)?.ok !== true) return yield* locked(pipeline)
        }
        yield* Effect.addFinalizer(() =>
          connection.execute("SELECT pg_advisory_unlock($1, hashtext($2))", [SYNC_LOCK_CLASS, pipeline], undefined).pipe(Effect.ignore)
        )
        return yield* effect
      })
    )
  })
