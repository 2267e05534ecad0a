import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, Layer, Redacted } from "effect"

/**
 * Scratch Postgres databases for benchmarks and drills: one per scenario, created on the server
 * DATABASE_URL points at (default the local PG 15, database `test`) and dropped afterwards.
 */
export const baseUrl = (): string => process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

export const urlFor = (database: string): string => {
  const u = new URL(baseUrl())
  u.pathname = `/${database}`
  return u.toString()
}

export const pgLayer = (url: string) =>
  PgClient.layer({
    url: Redacted.make(url),
    maxConnections: 2,
    connectTimeout: Duration.seconds(10),
    applicationName: "billsync-bench"
  })

/** Run one Effect needing SqlClient against a database URL (a short-lived pool). */
export const withSql = <A, E>(url: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(Layer.build(pgLayer(url)).pipe(Effect.flatMap((ctx) => Effect.provide(effect, ctx)))).pipe(
      Effect.orDie
    ) as Effect.Effect<A>
  )

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`)
  return name
}

/** A fresh database; with `template`, a copy of that one (which nobody may be connected to). */
export const createDatabase = async (name: string, template?: string): Promise<string> => {
  await withSql(
    baseUrl(),
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql.unsafe(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`)
      yield* sql.unsafe(
        template === undefined
          ? `CREATE DATABASE ${ident(name)}`
          : `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`
      )
    })
  )
  return urlFor(name)
}

export const dropDatabase = (name: string): Promise<void> =>
  withSql(
    baseUrl(),
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      yield* sql.unsafe(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`)
    })
  )

/**
 * Every row of every table of a database as text (for the secrets scan): what a data-only dump
 * holds, read over SQL so that no `pg_dump` binary is needed (a machine whose only Postgres is the
 * tests' embedded server from npm has none).
 */
export const dumpDatabase = (url: string): Promise<string> =>
  withSql(
    url,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql<{ name: string }>`
        SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`
      const parts: Array<string> = []
      for (const { name } of tables) {
        const rows = yield* sql.unsafe<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)
        parts.push(`-- ${name}`, ...rows.map((r) => r.row))
      }
      return parts.join("\n")
    })
  )
