import { it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { describe, expect } from "vitest"
import { clientLayer } from "../../src/store/database.ts"
import { discoverMigrations, migrate, migrateWith, migrationsTable } from "../../src/store/migrator.ts"
import { scratchServerDatabase, TestDatabase } from "../support/database.ts"

it.layer(TestDatabase, { timeout: "120 seconds" })("migrations", (it) => {
  it.effect("creates the store and ledger tables and records every migration once", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql<{
        name: string
      }>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`
      const names = tables.map((t) => t.name)
      for (const t of [
        "integrations",
        "sync_runs",
        "sync_run_stages",
        "sync_cursors",
        "source_records",
        "links",
        "integration_errors",
        "companies",
        "ledger_accounts",
        "vendors",
        "bills",
        "bill_lines",
        "vendor_credits",
        "vendor_payments",
        "vendor_payment_applications",
        "bill_documents",
        "bank_accounts",
        "dimensions",
        "items",
        "customers"
      ]) {
        expect(names).toContain(t)
      }
      const before = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(migrationsTable)}`
      // Running again is a no-op.
      const again = yield* migrate
      expect(again).toEqual([])
      const after = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(migrationsTable)}`
      expect(after[0]!.n).toBe(before[0]!.n)
      expect(before[0]!.n).toBeGreaterThanOrEqual(4)
    })
  )
})

/**
 * A fresh database to race on: a scratch database on TEST_DATABASE_URL's server, else one in-memory
 * PGlite served over the wire protocol to several connections (its server runs one transaction at a
 * time, so there the race is decided by that queue rather than the advisory lock).
 */
const freshDatabase = Effect.acquireRelease(
  Effect.promise(async () => {
    const scratch = await scratchServerDatabase("billsync_mig")
    if (scratch !== undefined) return { url: scratch.url, close: scratch.drop }
    const db = await PGlite.create()
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 20 })
    await server.start()
    const port = Number(server.getServerConn().split(":").at(-1))
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      close: async () => {
        await server.stop()
        await db.close()
      }
    }
  }),
  (d) => Effect.promise(d.close).pipe(Effect.ignore)
)

describe("migrations under concurrent start", () => {
  it.scopedLive("several processes migrating one fresh database at once all succeed, each migration applied once", () =>
    Effect.gen(function* () {
      const { url } = yield* freshDatabase
      const target = { _tag: "Url" as const, url: Redacted.make(url) }
      const starts = Array.from({ length: 6 }, () =>
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const rows = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql(migrationsTable)}`
          return rows[0]!.n
        }).pipe(Effect.provide(Layer.fresh(clientLayer(target))))
      )
      const counts = yield* Effect.all(starts, { concurrency: "unbounded" })
      expect(new Set(counts).size).toBe(1)
      expect(counts[0]).toBeGreaterThanOrEqual(4)
    })
  )
})

describe("upgrading a ledger", () => {
  it.scopedLive(
    "a migration numbered below the newest applied one (a branch that landed later) still runs on an existing ledger",
    () =>
      Effect.gen(function* () {
        const { url } = yield* freshDatabase
        const all = yield* discoverMigrations
        // The ledger as it was before the branch landed: every migration except one in the middle.
        const lateId = 5 // 0005_bill_documents_backlog: nothing after it depends on it
        const before = Effect.map(discoverMigrations, (ms) => ms.filter(([id]) => id !== lateId))
        const applied = yield* Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          yield* migrateWith(before)
          const upgraded = yield* migrate
          const rows = yield* sql<{ id: number }>`SELECT migration_id AS id FROM ${sql(migrationsTable)} ORDER BY 1`
          return { upgraded: upgraded.map(([id]) => id), recorded: rows.map((r) => r.id) }
        }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })))
        expect(applied.upgraded).toEqual([lateId])
        expect(applied.recorded).toEqual(all.map(([id]) => id))
      })
  )
})
