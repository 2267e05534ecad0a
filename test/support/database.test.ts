import { it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { Effect } from "effect"
import { expect } from "vitest"
import { TestDatabase } from "./database.ts"

it.layer(TestDatabase, { timeout: "120 seconds" })("test database harness", (it) => {
  it.effect("answers SQL, returns numeric as exact strings and rolls back failed transactions", () =>
    Effect.gen(function* () {
      const sql = yield* PgClient.PgClient
      yield* sql`CREATE TABLE harness_probe (id int PRIMARY KEY, amount numeric(18,2) NOT NULL)`
      yield* sql`INSERT INTO harness_probe ${sql.insert([
        { id: 1, amount: "0.10" },
        { id: 2, amount: "0.20" }
      ])}`
      const failed = yield* sql
        .withTransaction(sql`INSERT INTO harness_probe VALUES (3, 1)`.pipe(Effect.zipRight(Effect.fail("boom"))))
        .pipe(Effect.either)
      expect(failed._tag).toBe("Left")
      const rows = yield* sql<{
        total: string
        n: string
      }>`SELECT sum(amount)::text AS total, count(*)::text AS n FROM harness_probe`
      expect(rows[0]).toEqual({ total: "0.30", n: "2" })
    })
  )
})
