import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { demoRepository, runCli, scratchServerDatabase } from "../support/cli.ts"
import { testServerUrl } from "../support/database.ts"

/**
 * `billsync cluster status` and `billsync enqueue` as a user runs them (the real CLI on a scratch
 * Postgres): before any worker or sync, with a request no worker has taken, and with a worker that
 * was killed (its row stays, marked healthy by the storage, but its heartbeat stops).
 */
const repo = demoRepository()
let server: { readonly url: string; readonly drop: () => Promise<void> } | undefined
beforeAll(async () => {
  server = await scratchServerDatabase("billsync_cluster_cli")
})
afterAll(async () => {
  await server?.drop()
  repo.remove()
})

const statement = (url: string, text: string) =>
  Effect.runPromise(
    Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(text)).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })),
      Effect.scoped
    )
  )

describe.skipIf(testServerUrl() === undefined)("cluster status and enqueue by hand", () => {
  test("fresh database, a request no worker has taken, a killed worker", { timeout: 120_000 }, async () => {
    const env = { DATABASE_URL: server!.url }
    // A database no worker, enqueue or sync has touched: an empty status, not an error telling to run `billsync sync`.
    const fresh = await runCli(["cluster", "status"], { cwd: repo.root, env })
    expect(fresh.stderr).toBe("")
    expect(fresh.code).toBe(0)
    expect(fresh.stdout).toContain("none registered (start one with `billsync worker`)")
    expect(fresh.stdout).toContain("(no sync has run against this database yet)")
    // The clock hour as a time, not hours since 1970.
    expect(fresh.stdout).toMatch(/developer keys this hour \(\d{4}-\d{2}-\d{2}T\d{2}:00Z\):/)

    // No worker running: the request is stored, and the user is told it waits for one.
    const enqueued = await runCli(["enqueue", "demo"], { cwd: repo.root, env })
    expect(enqueued.code).toBe(0)
    expect(enqueued.stdout).toContain("enqueued a sync of demo")
    expect(enqueued.stderr).toContain("no worker is running")
    expect(enqueued.stderr).toContain("`billsync worker`")

    // The pipeline is queued (an emulator pipeline included: it was asked for by name).
    const queued = JSON.parse((await runCli(["cluster", "status", "--json"], { cwd: repo.root, env })).stdout)
    const demo = queued.pipelines.find((p: { pipeline: string }) => p.pipeline === "demo")
    expect(demo).toMatchObject({ state: "queued", lastRun: null })
    expect(demo.queuedSince).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(queued.keys.hourStartsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00Z$/)

    // A worker killed with SIGKILL two minutes ago: its row says healthy, its heartbeat says otherwise.
    await statement(
      server!.url,
      `INSERT INTO cluster_runners (address, runner, healthy, last_heartbeat)
       VALUES ('gone:34431', '{"address":{"host":"gone","port":34431},"groups":["default"],"weight":1}', true, localtimestamp - interval '2 minutes')`
    )
    const text = await runCli(["cluster", "status"], { cwd: repo.root, env })
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/gone:34431 {2}UNHEALTHY \(no heartbeat for 1[12]\ds: stopped or killed\?\)/)
    expect(text.stdout).toMatch(/demo {2}queued \(requested \d{4}-/)
    const json = JSON.parse((await runCli(["cluster", "status", "--json"], { cwd: repo.root, env })).stdout)
    expect(json.runners).toEqual([expect.objectContaining({ address: "gone:34431", healthy: false, shards: 0 })])
    // Only a dead worker: still nobody to run it.
    const again = await runCli(["enqueue", "demo"], { cwd: repo.root, env })
    expect(again.code).toBe(0)
    expect(again.stderr).toContain("no worker is running")
  })
})

describe("enqueue of a mistyped pipeline", () => {
  test("is a usage error with 'did you mean', before any database is reached", { timeout: 60_000 }, async () => {
    const env = { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" }
    const typo = await runCli(["enqueue", "demi"], { cwd: repo.root, env })
    expect(typo.code).toBe(64)
    expect(typo.stderr).toContain('billsync enqueue: unknown pipeline "demi" — did you mean demo? (pipelines: demo)')
    const far = await runCli(["enqueue", "zzz"], { cwd: repo.root, env })
    expect(far.code).toBe(64)
    expect(far.stderr).toContain('unknown pipeline "zzz" (pipelines: demo)')
  })
})

describe("cluster status on a database it cannot reach", () => {
  test("says why (the driver's reason), not only 'Failed to connect'", { timeout: 60_000 }, async () => {
    const r = await runCli(["cluster", "status"], {
      cwd: repo.root,
      env: { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" }
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(
      "billsync cluster status: database: PgClient: Failed to connect (connect ECONNREFUSED 127.0.0.1:1)"
    )
  })
})
