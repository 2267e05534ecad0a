import { join } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"

/**
 * The database a test hands to `billsync` processes: a scratch database on TEST_DATABASE_URL's
 * server (dropped by `drop`), else an embedded one in `dir`. `env` goes into the child's environment.
 */
export const cliDatabase = async (
  prefix: string,
  dir: string
): Promise<{ readonly env: Record<string, string>; readonly drop: () => Promise<void> }> => {
  const serverUrl = process.env["TEST_DATABASE_URL"]
  if (!serverUrl) return { env: { BILLSYNC_EMBEDDED_DIR: join(dir, ".billsync/db") }, drop: async () => {} }
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = (statement: string) =>
    Effect.runPromise(
      Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 }))
      )
    )
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    env: { DATABASE_URL: url.toString() },
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined)
  }
}
