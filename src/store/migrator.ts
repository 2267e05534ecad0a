import * as Migrator from "@effect/sql/Migrator"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { readdirSync } from "node:fs"
import { fileURLToPath, pathToFileURL } from "node:url"
import { join } from "node:path"
import { StoreError } from "./errors.ts"

/** Table that records applied migrations (the Migrator's own bookkeeping). */
export const migrationsTable = "billsync_migrations"

/** Any constant works; it only has to be the same in every billsync process. */
const MIGRATION_LOCK_KEY = 0x62696c6c // "bill"

const migrationsDir = fileURLToPath(new URL("./migrations/", import.meta.url))

/**
 * Migrations are discovered by file name (`NNNN_name.ts`), so engineers owning different number
 * ranges (0001–0049 store/sync, 0050–0059 coa, 0060–0079 ledger) never edit a shared index.
 */
export const discoverMigrations: Migrator.Loader = Effect.sync(() => {
  const files = readdirSync(migrationsDir)
    .map((file) => ({ file, match: /^(\d{4})_([A-Za-z0-9_-]+)\.(ts|js)$/.exec(file) }))
    .filter((f) => f.match !== null && !f.file.endsWith(".d.ts"))
  return files
    .map(
      ({ file, match }): Migrator.ResolvedMigration => [
        Number(match![1]),
        match![2]!,
        Effect.promise(() => import(pathToFileURL(join(migrationsDir, file)).href))
      ]
    )
    .sort(([a], [b]) => a - b)
})

/**
 * Runs every migration the database has not recorded, in id order — also one whose id is below the
 * newest applied (a branch that took a number in its range while another landed a higher one).
 * @effect/sql's Migrator runs only ids above the newest applied, which would skip it forever on
 * every existing ledger; the bookkeeping table stays the Migrator's.
 * Several processes may start at once (a CI matrix, two terminals): the whole run happens in one
 * transaction holding a transaction-scoped advisory lock.
 */
export const migrateWith = (loader: Migrator.Loader) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`
        yield* sql`CREATE TABLE IF NOT EXISTS ${sql(migrationsTable)} (
          migration_id integer PRIMARY KEY,
          created_at timestamptz NOT NULL DEFAULT now(),
          name text NOT NULL
        )`
        const recorded = new Set(
          (yield* sql<{ id: number }>`SELECT migration_id AS id FROM ${sql(migrationsTable)}`).map((r) => r.id)
        )
        const all = yield* loader
        if (new Set(all.map(([id]) => id)).size !== all.length)
          return yield* new Migrator.MigrationError({
            reason: "duplicates",
            message: `two migrations share an id: ${all.map(([id, name]) => `${id}_${name}`).join(", ")}`
          })
        const pending = all.filter(([id]) => !recorded.has(id))
        for (const [id, name, load] of pending) {
          const module = yield* load
          const run = (module as { readonly default?: unknown }).default
          if (!Effect.isEffect(run))
            return yield* new Migrator.MigrationError({
              reason: "import-error",
              message: `migration ${id}_${name} has no default export Effect`
            })
          yield* (run as Effect.Effect<unknown, unknown, SqlClient.SqlClient>).pipe(
            Effect.mapError(
              (cause) =>
                new Migrator.MigrationError({
                  reason: "failed",
                  message: `migration ${id}_${name} failed: ${String(cause)}`
                })
            )
          )
          yield* sql`INSERT INTO ${sql(migrationsTable)} ${sql.insert({ migration_id: id, name })}`
        }
        return pending.map(([id, name]) => [id, name] as const)
      })
    )
  })

export const migrate = migrateWith(discoverMigrations).pipe(
  Effect.tap((applied) =>
    applied.length > 0
      ? Effect.logInfo(`database migrated: ${applied.map(([id, name]) => `${id}_${name}`).join(", ")}`)
      : Effect.void
  ),
  Effect.mapError(
    (cause) => new StoreError({ reason: "migration", message: `database migration failed: ${cause.message}`, cause })
  ),
  Effect.withSpan("Store.migrate")
)
