import { ShardingConfig, SqlMessageStorage, SqlRunnerStorage } from "@effect/cluster"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted } from "effect"
import { afterAll, describe, expect, test } from "vitest"
import { builtOneAtATime } from "../../src/cli/worker.ts"
import { scratchServerDatabase, testServerUrl } from "../support/database.ts"

/**
 * Workers started together on a fresh database each build @effect/cluster's SQL storage, which
 * creates its tables when built; built at the same moment they raced in Postgres's catalog and one
 * worker died (`duplicate key value violates unique constraint "pg_type_typname_nsp_index"`, seen in
 * the 60-pipeline cluster drill). Here: several builders at once, each with its own pool as a worker has.
 */
const drops: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const drop of drops) await drop()
})

describe.skipIf(testServerUrl() === undefined)("the cluster's SQL storage on a fresh database", () => {
  test("six workers building it at the same moment all succeed", { timeout: 120_000 }, async () => {
    const db = (await scratchServerDatabase("billsync_cluster_race"))!
    drops.push(db.drop)
    const storage = Layer.mergeAll(SqlRunnerStorage.layer, SqlMessageStorage.layer)
    const builder = () =>
      Effect.scoped(Layer.build(builtOneAtATime(storage))).pipe(
        Effect.provide(ShardingConfig.layer()),
        Effect.provide(PgClient.layer({ url: Redacted.make(db.url), maxConnections: 6 })),
        Effect.either
      )
    const results = await Effect.runPromise(
      Effect.all(Array.from({ length: 6 }, builder), { concurrency: "unbounded" })
    )
    expect(results.map((r) => (r._tag === "Left" ? String(r.left) : "built"))).toEqual(Array(6).fill("built"))
  })
})
