import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer } from "effect"
import { StoreError } from "./errors.ts"
import { acquireLockFile, lockFileOf, type LockFileWait } from "./lockfile.ts"

/**
 * An embedded Postgres (PGlite) served over the wire protocol on an ephemeral loopback port,
 * so the very same `@effect/sql-pg` code path serves both PGlite and a real server.
 * `dataDir` undefined = in memory (tests); a path = persisted on disk (users' default), guarded by
 * a lock file because PGlite cannot be shared by two processes.
 */
export interface EmbeddedOptions {
  readonly dataDir?: string
  /** Queue behind another process holding the database (`sync --wait`) instead of failing at once. */
  readonly wait?: LockFileWait | undefined
}

export const embeddedServer = (options: EmbeddedOptions = {}) =>
  Effect.gen(function* () {
    if (options.dataDir !== undefined) {
      yield* acquireLockFile(lockFileOf(options.dataDir), `the embedded database at ${options.dataDir}`, options.wait)
    }
    return yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const db = await PGlite.create(options.dataDir !== undefined ? { dataDir: options.dataDir } : {})
          // One connection: PGlite is a single backend; the pg pool must match (see dependencies.md).
          const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 })
          await server.start()
          const port = Number(server.getServerConn().split(":").at(-1))
          return { db, server, port }
        },
        catch: (cause) =>
          new StoreError({
            reason: "open",
            message: `could not open the embedded database${options.dataDir ? ` at ${options.dataDir}` : ""}: ${String(cause)}`,
            cause
          })
      }),
      ({ db, server }) =>
        Effect.promise(async () => {
          await server.stop()
          await db.close()
        })
    )
  })

export const embeddedClientLayer = (options: EmbeddedOptions = {}) =>
  Layer.unwrapScoped(
    Effect.map(embeddedServer(options), ({ port }) =>
      PgClient.layer({
        host: "127.0.0.1",
        port,
        username: "postgres",
        database: "postgres",
        maxConnections: 1,
        connectTimeout: Duration.seconds(10)
      })
    )
  )
