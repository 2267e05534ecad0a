import { SqlClient } from "@effect/sql"
import { DateTime, Effect, Redacted } from "effect"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { requestSync, shardingLayer } from "../src/cli/worker.ts"
import { parseArgs } from "./lib/args.ts"
import { checksumOf, diffLedgers, readLedger, type LedgerState } from "./lib/checksum.ts"
import { runBillsync } from "./lib/child.ts"
import { createDatabase, dropDatabase, withSql } from "./lib/db.ts"
import { startBenchEmulator, type BenchEmulator } from "./lib/emulator.ts"
import { renderTable } from "./lib/table.ts"
import { BILLSYNC_BIN, CREDENTIAL_VARS, mappingFiles, pipelineYaml, REPO_ROOT } from "./lib/workspace.ts"

/**
 * `npm run drill -- --cluster [--workers 3] [--pipelines 60] [--orgs 3] [--bills 30]`: the cluster
 * drill. W `billsync worker` processes (children) share a scratch Postgres; P pipelines on O
 * emulator organisations that all use ONE developer key; every pipeline is asked for a sync
 * (as `billsync enqueue` does) and one worker is killed with SIGKILL while syncs run. Afterwards:
 * every pipeline synced, the ledger equals a single-process `billsync sync` of every pipeline
 * (checksum), 0 BDC_1144 / BDC_1322 answers, never two runs of one pipeline overlapping (runs
 * table), and the syncs an hour sustained against the key's login budget.
 */
const args = parseArgs(process.argv.slice(2))
const WORKERS = Number(args.get("workers") ?? "3")
const PIPELINES = Number(args.get("pipelines") ?? "60")
const ORGS = Number(args.get("orgs") ?? "3")
const BILLS = Number(args.get("bills") ?? "30")
const SHARED_DEV_KEY = "DRILL-SHARED-DEV-KEY-0001"
const TSX = import.meta.resolve("tsx")
const BASE_PORT = 34500 + (process.pid % 200) * 5

/**
 * Journal idempotency keys start with the company's surrogate id ("1/bill/…"). The cluster creates
 * the pipelines' companies in the order their first syncs ran, the reference in name order, so
 * the ids (not the entries) differ: compared without them (each entry row still names its company).
 */
const companyNeutral = (state: LedgerState): LedgerState => ({
  tables: Object.fromEntries(
    Object.entries(state.tables).map(([table, rows]) => [
      table,
      { rows: rows.rows.map((r) => ({ ...r, text: r.text.replace(/"\d+\/(?=[a-z-]+\/)/g, '"#/') })) }
    ])
  )
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const main = async (): Promise<number> => {
  const started = Date.now()
  // O organisations, each its own emulator, all answering to one developer key (Bill.com counts per key).
  const emulators: Array<BenchEmulator> = []
  for (let i = 0; i < ORGS; i++) {
    const emu = await startBenchEmulator({
      seed: `cluster-${i}`,
      generate: { bills: BILLS, vendors: 12, customers: 3, items: 3, classifications: 1, banks: 1, cards: 1 },
      faults: { latency: { minMs: 5, maxMs: 25 } }
    })
    // …and one user with access to every organisation (an accounting firm's): the same credentials, another organizationId.
    const credentials = emu.core.state.org.credentials as { devKey: string; username: string; password: string }
    credentials.devKey = SHARED_DEV_KEY
    if (i > 0) {
      credentials.username = emulators[0]!.core.state.org.credentials.username
      credentials.password = emulators[0]!.core.state.org.credentials.password
    }
    emulators.push(emu)
  }
  const root = mkdtempSync(join(tmpdir(), "billsync-cluster-"))
  symlinkSync(join(REPO_ROOT, "schemas"), join(root, "schemas"))
  mkdirSync(join(root, "pipelines"))
  const names: Array<string> = []
  for (let i = 0; i < PIPELINES; i++) {
    const emu = emulators[i % ORGS]!
    const org = emu.core.state.org
    const name = `c${String(i).padStart(3, "0")}`
    names.push(name)
    // A schedule every 5 minutes (the shortest a pipeline may have): the crons run in the cluster besides the drill's requests.
    writeFileSync(
      join(root, "pipelines", `${name}.yaml`),
      `${pipelineYaml(org, { name, origin: emu.origin, requestTimeoutMs: 5000, retry: { attempts: 12, baseDelayMs: 20, maxDelayMs: 400 } })}schedule: "*/5 * * * *"\n`
    )
    mkdirSync(join(root, "mappings", name), { recursive: true })
    for (const [file, text] of Object.entries(mappingFiles(org)))
      writeFileSync(join(root, "mappings", name, file), text)
  }
  const org0 = emulators[0]!.core.state.org.credentials
  const env = {
    [CREDENTIAL_VARS.devKey]: SHARED_DEV_KEY,
    [CREDENTIAL_VARS.username]: org0.username,
    [CREDENTIAL_VARS.password]: org0.password
  }
  const dbName = `billsync_cluster_${process.pid}`
  const refName = `billsync_cluster_ref_${process.pid}`
  const url = await createDatabase(dbName)
  const refUrl = await createDatabase(refName)
  const workers: Array<{ child: ChildProcess; port: number; log: Array<string> }> = []
  const spawnWorker = (port: number) => {
    const log: Array<string> = []
    const child = spawn(
      process.execPath,
      ["--import", TSX, BILLSYNC_BIN, "worker", "--pipelines", "c*", "--port", String(port), "--concurrency", "2"],
      {
        cwd: root,
        env: { ...process.env, ...env, DATABASE_URL: url, BILLSYNC_LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    child.stdout!.on("data", (b: Buffer) => log.push(b.toString()))
    child.stderr!.on("data", (b: Buffer) => log.push(b.toString()))
    workers.push({ child, port, log })
  }
  const query = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
    withSql(url, Effect.flatMap(SqlClient.SqlClient, (sql) => f(sql)) as Effect.Effect<A, unknown, SqlClient.SqlClient>)
  let exit = 0
  try {
    for (let w = 0; w < WORKERS; w++) spawnWorker(BASE_PORT + w)
    // The workers are up when all have registered as runners.
    const upBy = Date.now() + 180_000
    for (;;) {
      const n = await query((sql) =>
        Effect.map(
          sql<{
            n: number
          }>`SELECT CASE WHEN to_regclass('cluster_runners') IS NULL THEN 0 ELSE (SELECT count(*)::int FROM cluster_runners WHERE healthy) END AS n`,
          (r) => r[0]!.n
        )
      ).catch(() => 0)
      if (n >= WORKERS) break
      if (Date.now() > upBy)
        throw new Error(
          `only ${n} of ${WORKERS} workers registered within 3 minutes:\n${workers.map((w) => w.log.join("").slice(-2000)).join("\n---\n")}`
        )
      await sleep(500)
    }
    const syncStart = Date.now()
    // Every pipeline asked for a sync, as `billsync enqueue` does (one client, persisted requests).
    const now = DateTime.unsafeNow()
    await Effect.runPromise(
      Effect.forEach(names, (name) => requestSync(name, "enqueue", now), { concurrency: 8, discard: true }).pipe(
        Effect.provide(
          shardingLayer({ _tag: "Url", url: Redacted.make(url) }, { host: "localhost", port: 0, clientOnly: true })
        ),
        Effect.scoped
      ) as Effect.Effect<void>
    )
    // Kill one worker while syncs run (at least one run started and not all done).
    const killBy = Date.now() + 300_000
    for (;;) {
      const [running, done] = await query((sql) =>
        Effect.map(
          sql<{
            running: number
            done: number
          }>`SELECT count(*) FILTER (WHERE status = 'running')::int AS running, count(DISTINCT integration_id) FILTER (WHERE kind = 'full' AND status <> 'running' AND status <> 'failed')::int AS done FROM sync_runs`,
          (r) => [r[0]!.running, r[0]!.done] as const
        )
      ).catch(() => [0, 0] as const)
      if (running > 0 && done >= Math.min(2, PIPELINES - 1)) break
      if (Date.now() > killBy) break
      await sleep(200)
    }
    const victim = workers[0]!
    victim.child.kill("SIGKILL")
    const killedAt = Date.now()
    const runningAtKill = await query((sql) =>
      Effect.map(sql<{ n: number }>`SELECT count(*)::int AS n FROM sync_runs WHERE status = 'running'`, (r) => r[0]!.n)
    )
    // Every pipeline gets a good full sync (the killed worker's requests replay on the survivors).
    const doneBy = Date.now() + 20 * 60_000
    let synced = 0
    for (;;) {
      synced = await query((sql) =>
        Effect.map(
          sql<{
            n: number
          }>`SELECT count(DISTINCT i.pipeline)::int AS n FROM sync_runs r JOIN integrations i ON i.id = r.integration_id WHERE r.kind = 'full' AND r.status IN ('succeeded', 'succeeded_with_errors')`,
          (r) => r[0]!.n
        )
      )
      const running = await query((sql) =>
        Effect.map(
          sql<{ n: number }>`SELECT count(*)::int AS n FROM sync_runs WHERE status = 'running'`,
          (r) => r[0]!.n
        )
      )
      if (synced >= PIPELINES && running === 0) break
      if (Date.now() > doneBy) break
      await sleep(1000)
    }
    const syncEnd = Date.now()
    const overlaps = await query((sql) =>
      Effect.map(
        sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM sync_runs a JOIN sync_runs b ON a.integration_id = b.integration_id AND a.id < b.id
          WHERE b.started_at < coalesce(a.finished_at, now()) AND a.started_at < coalesce(b.finished_at, now())`,
        (r) => r[0]!.n
      )
    )
    const runs = await query((sql) =>
      Effect.map(
        sql<{
          n: number
          failed: number
        }>`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'failed')::int AS failed FROM sync_runs`,
        (r) => r[0]!
      )
    )
    const logins = await query((sql) =>
      Effect.map(sql<{ n: number }>`SELECT coalesce(sum(logins), 0)::int AS n FROM billcom_key_hours`, (r) => r[0]!.n)
    )
    for (const w of workers.slice(1)) w.child.kill("SIGTERM")
    // The reference: a single-process `billsync sync` of every pipeline, one after the other.
    for (const name of names) {
      const r = await runBillsync(["sync", name], { cwd: root, env: { ...env, DATABASE_URL: refUrl } })
      if (r.code !== 0) throw new Error(`reference sync of ${name} failed: ${r.stderr.slice(-1500)}`)
    }
    const [clusterLedger, refLedger] = [companyNeutral(await readLedger(url)), companyNeutral(await readLedger(refUrl))]
    const [clusterSum, refSum] = [checksumOf(clusterLedger), checksumOf(refLedger)]
    const diff = diffLedgers(refLedger, clusterLedger)
    const counters = emulators.map((e) => e.core.counters.snapshot())
    const code = (c: string) => counters.reduce((a, k) => a + (k.errorsByCode[c] ?? 0), 0)
    const hours = (syncEnd - syncStart) / 3_600_000
    const syncsPerHour = synced / hours
    const rows = [
      {
        check: "machine",
        value: `${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)} (shared with other engineers)`
      },
      {
        check: "workers / pipelines / organisations / devKeys",
        value: `${WORKERS} / ${PIPELINES} / ${ORGS} / 1 (${BILLS} bills each)`
      },
      {
        check: "worker killed (SIGKILL)",
        value: `${victim.port} at +${((killedAt - syncStart) / 1000).toFixed(1)} s, ${runningAtKill} sync(s) running`
      },
      { check: "pipelines with a good sync", value: `${synced} of ${PIPELINES}` },
      { check: "runs (failed: interrupted by the kill)", value: `${runs.n} (${runs.failed})` },
      { check: "overlapping runs of one pipeline", value: String(overlaps) },
      { check: "BDC_1144 / BDC_1322 answered", value: `${code("BDC_1144")} / ${code("BDC_1322")}` },
      { check: "ledger checksum cluster vs single process", value: `${clusterSum} vs ${refSum}` },
      { check: "wall time of the syncs", value: `${((syncEnd - syncStart) / 1000).toFixed(1)} s` },
      {
        check: "syncs/hour sustained vs key's 200 logins/h",
        value: `${Math.round(syncsPerHour)} → ratio ${(syncsPerHour / 200).toFixed(1)} (logins counted in the shared budget: ${logins})`
      }
    ]
    process.stdout.write(
      `\n${renderTable(
        ["check", "value"],
        rows.map((r) => [r.check, r.value])
      )}\n`
    )
    const ok =
      synced === PIPELINES &&
      overlaps === 0 &&
      code("BDC_1144") === 0 &&
      code("BDC_1322") === 0 &&
      clusterSum === refSum
    writeFileSync(
      join(REPO_ROOT, "bench", "results", "drill-cluster.json"),
      `${JSON.stringify({ when: new Date().toISOString(), workers: WORKERS, pipelines: PIPELINES, orgs: ORGS, bills: BILLS, ok, tookS: Math.round((Date.now() - started) / 1000), loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), rows }, null, 2)}\n`
    )
    process.stdout.write(
      `\ncluster drill: ${ok ? "OK" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`
    )
    if (!ok) {
      exit = 1
      if (clusterSum !== refSum)
        process.stdout.write(
          `ledger difference: missing ${JSON.stringify(diff.missing)}, extra ${JSON.stringify(diff.extra)}\n${diff.samples.join("\n")}\n`
        )
      for (const w of workers)
        process.stdout.write(`--- worker ${w.port} log tail ---\n${w.log.join("").slice(-3000)}\n`)
    }
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL")
    await sleep(500)
    await dropDatabase(dbName).catch(() => undefined)
    await dropDatabase(refName).catch(() => undefined)
    for (const e of emulators) await e.stop().catch(() => undefined)
    rmSync(root, { recursive: true, force: true })
  }
  return exit
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
