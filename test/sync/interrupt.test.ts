import { spawn } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, ManagedRuntime, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { diffLedgers, readLedger } from "../../bench/lib/checksum.ts"
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.ts"
import { BIN, cliEnv, scratchServerDatabase } from "../support/cli.ts"
import { testServerUrl } from "../support/database.ts"

/**
 * SIGTERM / SIGINT during a sync, as a container stop or a cancelled CI job sends them, to the real
 * CLI (`node bin/billsync.mjs sync …`) against an emulator with latency (so the signal lands
 * mid-run) and a Postgres server database. The signal is sent once the database shows a committed
 * bills batch — synchronised on database state, never on time.
 */
const serverUrl = testServerUrl()
const repo = mkdtempSync(join(tmpdir(), "billsync-interrupt-"))
const env: Record<string, string> = { BILLSYNC_LOG_LEVEL: "info" }
let emulator: RunningEmulator
const databases: Array<{ readonly url: string; readonly drop: () => Promise<void> }> = []

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo" })
  mkdirSync(join(repo, "pipelines"))
  const pipeline = readFileSync(resolve("pipelines/demo.yaml"), "utf8").replace(
    "  environment: emulator\n  emulator:\n    seed: demo\n",
    `  environment: emulator\n  baseUrl: ${emulator.core.origin}/connect\n`
  )
  writeFileSync(join(repo, "pipelines/demo.yaml"), pipeline)
  cpSync(resolve("mappings/demo"), join(repo, "mappings/demo"), { recursive: true })
  cpSync(resolve("schemas"), join(repo, "schemas"), { recursive: true })
  const creds = emulator.core.credentials
  Object.assign(env, {
    BILLCOM_DEMO_DEV_KEY: creds.devKey,
    BILLCOM_DEMO_USERNAME: creds.username,
    BILLCOM_DEMO_PASSWORD: creds.password
  })
})

afterAll(async () => {
  await emulator?.stop()
  for (const d of databases) await d.drop()
  rmSync(repo, { recursive: true, force: true })
})

const database = async () => {
  const d = (await scratchServerDatabase())!
  databases.push(d)
  return d.url
}

interface Finished {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

/** `billsync sync demo …` as a child; `done` resolves when it exits. */
const startSync = (url: string, ...args: Array<string>) => {
  const child = spawn(process.execPath, [BIN, "sync", "demo", ...args], {
    cwd: repo,
    env: cliEnv({ ...env, DATABASE_URL: url }),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (chunk) => (stdout += String(chunk)))
  child.stderr.on("data", (chunk) => (stderr += String(chunk)))
  const done = new Promise<Finished>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
  )
  return { child, done }
}

/** Queries on a database of the test, one pool per database. */
const queries = (url: string) => {
  const runtime = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url), maxConnections: 2 }))
  const run = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
    runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f))
  return { run, close: () => runtime.dispose() }
}

/** Resolves when `probe` holds (checked every 10 ms), or rejects when the process exited first. */
const when = (probe: () => Promise<boolean>, exited: Promise<Finished>) =>
  new Promise<void>((resolve, reject) => {
    let over = false
    void exited.then((f) => {
      if (!over) reject(new Error(`the sync exited (${f.code}) before the condition held: ${f.stderr.slice(-1500)}`))
    })
    const tick = async () => {
      if (over) return
      if (await probe().catch(() => false)) {
        over = true
        return resolve()
      }
      setTimeout(tick, 10)
    }
    void tick()
  })

const committedBills = (db: ReturnType<typeof queries>) => () =>
  db
    .run((sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM source_records WHERE kind = 'bill'`)
    .then((r) => (r[0]?.n ?? 0) > 0)

interface RunRow {
  readonly id: number
  readonly status: string
  readonly error: string | null
  /** inserted + updated over the run's stages. */
  readonly counted: number
  /** Source records this run imported. */
  readonly written: number
}

const runRows = (db: ReturnType<typeof queries>) =>
  db.run(
    (sql) => sql<RunRow>`SELECT r.id::int, r.status, r.error,
        (SELECT coalesce(sum(s.inserted + s.updated), 0)::int FROM sync_run_stages s WHERE s.run_id = r.id) AS counted,
        (SELECT count(*)::int FROM source_records x WHERE x.processed_run_id = r.id AND x.outcome = 'imported') AS written
      FROM sync_runs r ORDER BY r.id`
  )

/** The ledger a sync without interruption produces from the same organisation. */
let reference: Awaited<ReturnType<typeof readLedger>> | undefined
const referenceLedger = async () => {
  if (reference !== undefined) return reference
  const url = await database()
  const clean = await startSync(url, "--json").done
  expect(clean.code, clean.stderr.slice(-2000)).toBe(0)
  reference = await readLedger(url)
  return reference
}

describe.skipIf(!serverUrl)(
  "an interrupted sync is honest, and the next one resumes exactly (real CLI, Postgres)",
  () => {
    for (const [signal, status, json] of [
      ["SIGTERM", 143, true],
      ["SIGINT", 130, false]
    ] as const) {
      test(`${signal} mid-run: exit ${status}, the summary on stdout${json ? " (valid JSON with --json)" : ""}, the run recorded as interrupted with what committed, the lock released; the next sync completes the ledger`, async () => {
        const url = await database()
        const db = queries(url)
        emulator.core.setFaults({ latency: { fixedMs: 25 } })
        try {
          const sync = startSync(url, ...(json ? ["--json"] : []))
          await when(committedBills(db), sync.done)
          sync.child.kill(signal)
          const r = await sync.done
          expect(r.stderr).not.toContain("internal error")
          expect([r.code, r.signal], r.stderr.slice(-2000)).toEqual([status, null])
          const runs = await runRows(db)
          const last = runs.at(-1)!
          expect(last.status).toBe("interrupted")
          expect(last.error).toMatch(
            new RegExp(
              `^interrupted by ${signal} at \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z during stage [a-z-]+; committed before it stopped: .*bills \\d+ inserted`
            )
          )
          // Counts say exactly what committed: the batch in flight committed whole or not at all.
          expect(last.counted).toBe(last.written)
          expect(runs.filter((x) => x.status === "running")).toEqual([])
          if (json) {
            const out = JSON.parse(r.stdout) as {
              runs: Array<{
                runId: number
                status: string
                error: string
                stages: Array<{ stage: string; status: string }>
              }>
            }
            expect(out.runs.at(-1)).toMatchObject({ runId: last.id, status: "interrupted", error: last.error })
            expect(out.runs.at(-1)!.stages.at(-1)!.status).toBe("interrupted")
          } else {
            expect(r.stdout).toContain(`Full sync (run ${last.id}): interrupted`)
            expect(r.stdout).toContain(`error: interrupted by ${signal}`)
          }
          // The lock was released: nothing holds the sync lock, and the next sync is not refused.
          const held = await db.run(
            (sql) =>
              sql<{
                n: number
              }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x73796e63}::int8::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
          )
          expect(held[0]?.n).toBe(0)
          emulator.core.setFaults({})
          const resumed = await startSync(url, "--json").done
          expect(resumed.code, resumed.stderr.slice(-2000)).toBe(0)
          expect((JSON.parse(resumed.stdout) as { runs: Array<{ status: string }> }).runs.map((x) => x.status)).toEqual(
            ["succeeded_with_errors"]
          )
          const diff = diffLedgers(await referenceLedger(), await readLedger(url))
          expect([diff.lost, diff.spurious, diff.samples.slice(0, 3)]).toEqual([0, 0, []])
        } finally {
          emulator.core.setFaults({})
          await db.close()
        }
      }, 240_000)
    }
  }
)
