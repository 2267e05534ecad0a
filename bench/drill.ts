import { readFileSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { join } from "node:path"
import type { EmulatorOptions } from "../src/emulator/index.ts"
import { parseArgs } from "./lib/args.ts"
import { checkInvariants, diffLedgers, readLedger, type LedgerState } from "./lib/checksum.ts"
import { runBillsync, type ChildResult } from "./lib/child.ts"
import { createDatabase, dropDatabase, dumpDatabase, withSql } from "./lib/db.ts"
import { startBenchEmulator, type BenchEmulator } from "./lib/emulator.ts"
import { fuzzLoader } from "./lib/fuzz.ts"
import { renderTable } from "./lib/table.ts"
import { makeWorkspace, REPO_ROOT, type Workspace } from "./lib/workspace.ts"
import { SqlClient } from "@effect/sql"
import { Effect, ManagedRuntime } from "effect"
import { pgLayer } from "./lib/db.ts"
import { migrate } from "../src/store/migrator.ts"

/**
 * `npm run drill [-- --quick] [--bills N] [--crashes N] [--seed S]`: fault matrix, crash/resume,
 * concurrent syncs, secrets scan, bad-YAML fuzz. Every sync is `billsync sync` as a CHILD process
 * against an emulator in this process, into a scratch Postgres database (DATABASE_URL's server).
 * Prints one row per scenario; exits 1 if anything was lost, duplicated, unbalanced or leaked.
 */
const args = parseArgs(process.argv.slice(2))
const quick = args.has("quick")
// --quick (CI): small organisation, 2 crash trials, and in the fault matrix only 5xx, session
// invalidation and connection resets (429/BDC_1322 bursts, slow bodies and chaos: the full drill).
const BILLS = Number(args.get("bills") ?? (quick ? "120" : "1500"))
const CRASHES = Number(args.get("crashes") ?? (quick ? "2" : "20"))
const FUZZ_CASES = Number(args.get("fuzz") ?? (quick ? "60" : "1500"))
const QUICK_MATRIX = new Set(["5xx (10%)", "session invalidated every 25", "connection resets + truncation"])
const SEED = Number(args.get("seed") ?? "20261124")
const ORG_SEED = "drill"
const MAX_ATTEMPTS = 6
/** Scenarios run side by side (`--lanes N`; 1 = one after another). */
const LANES = Math.max(1, Number(args.get("lanes") ?? "3"))

/** Runs the tasks, at most `lanes` at a time, in the order given. */
const inLanes = async (lanes: number, tasks: ReadonlyArray<() => Promise<void>>) => {
  let next = 0
  const lane = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!
      await task()
    }
  }
  await Promise.all(Array.from({ length: Math.min(lanes, tasks.length) }, lane))
}

/** Seeded PRNG (mulberry32) for kill times. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface Row {
  readonly scenario: string
  runs: number
  faults: number
  lost: number
  duplicates: number
  unbalanced: number
  leaks: number
  ok: boolean
  note: string
  /** Wall-clock of the scenario, from newRow to finish. */
  startedAt: number
  tookS?: number
}

const rows: Array<Row> = []
const outputs: Array<string> = []
const dumps: Array<string> = []
const sessionIds = new Set<string>()
/** Every emulator the drill started: their contract checks (Bill.com's published OpenAPI) are summed at the end. */
const emulators: Array<BenchEmulator> = []
let dbSerial = 0

const newEmulator = async (extra: Partial<EmulatorOptions> = {}): Promise<{ emu: BenchEmulator; ws: Workspace }> => {
  // Three vendors bill in CAD, EUR and GBP: their documents post at Bill.com's rates with realised FX (docs/accounting.md).
  const emu = await startBenchEmulator({ seed: ORG_SEED, generate: { bills: BILLS, foreignVendors: 3 }, ...extra })
  emulators.push(emu)
  // Record every session the emulator issues, for the secrets scan (invalidated ones are deleted from its store).
  const sessions = emu.core.sessions
  const create = sessions.create.bind(sessions)
  sessions.create = (devKey, organizationId, userId) => {
    const s = create(devKey, organizationId, userId)
    sessionIds.add(s.id)
    return s
  }
  const ws = makeWorkspace(emu.core.state.org, {
    name: "drill",
    origin: emu.origin,
    retry: { attempts: 12, baseDelayMs: 20, maxDelayMs: 400 },
    reauthMaxPerRun: 50,
    requestTimeoutMs: 5000,
    // Document reads stay on (they go through every fault), but one run drains the whole backlog:
    // with the product's per-run budget, which bills got documents in a single run depends on which
    // bills imported, and the malformed-records scenario imports fewer by design.
    documents: { enabled: true, maxPerRun: 1_000_000 }
  })
  return { emu, ws }
}

/**
 * Scratch databases are copies of one migrated template: the scenarios test faults during syncs,
 * and migrating ~20 fresh databases cost ~0.75 s of Postgres work each (measured) on a 2-core box.
 * Migrations on a fresh database have their own tests (test/store/migrations.test.ts).
 */
const TEMPLATE_DB = `drill_template_${process.pid}`
let templateReady: Promise<void> | undefined
const scratchDb = async () => {
  templateReady ??= createDatabase(TEMPLATE_DB).then((url) => withSql(url, migrate).then(() => undefined))
  await templateReady
  const name = `drill_${process.pid}_${dbSerial++}`
  return { name, url: await createDatabase(name, TEMPLATE_DB) }
}

const sync = async (
  ws: Workspace,
  url: string,
  extra: { killAfterMs?: number; killSignal?: NodeJS.Signals } = {}
): Promise<ChildResult> => {
  const r = await runBillsync(["sync", "drill", "--json"], {
    cwd: ws.root,
    env: { ...ws.env, DATABASE_URL: url },
    timeoutMs: 10 * 60_000,
    ...extra
  })
  outputs.push(r.stdout, r.stderr)
  return r
}

const succeeded = (r: ChildResult) => {
  if (r.code !== 0) return false
  try {
    const runs = (JSON.parse(r.stdout) as { runs: Array<{ status: string; documents?: { backlog: number } }> }).runs
    // Complete = every stage done AND the documents backlog drained: a document read that failed under
    // faults stays in the backlog for the next run by design (eventually consistent, not lost).
    return (
      runs.length > 0 &&
      runs.every(
        (x) => (x.status === "succeeded" || x.status === "succeeded_with_errors") && (x.documents?.backlog ?? 0) === 0
      )
    )
  } catch {
    return false
  }
}

/** Sync until a run completes (a fault may fail a run: the next run resumes it). */
const syncToCompletion = async (ws: Workspace, url: string) => {
  let runs = 0
  let last: ChildResult | undefined
  while (runs < MAX_ATTEMPTS) {
    last = await sync(ws, url)
    runs++
    if (succeeded(last)) return { runs, completed: true, last }
  }
  return { runs, completed: false, last }
}

const faultsOf = (emu: BenchEmulator) => Object.values(emu.core.counterSnapshot().faults).reduce((a, b) => a + b, 0)

const judge = async (row: Row, reference: LedgerState, url: string, exclude: ReadonlySet<string> = new Set()) => {
  const state = await readLedger(url)
  const diff = diffLedgers(reference, state, exclude)
  const inv = await checkInvariants(url)
  row.lost += diff.lost
  row.duplicates += diff.spurious + inv.duplicates
  row.unbalanced += inv.unbalanced
  dumps.push(await dumpDatabase(url))
  if (diff.samples.length > 0) row.note += ` ${diff.samples.slice(0, 2).join(" | ")}`
  return { diff, inv }
}

const finish = (row: Row) => {
  row.ok = row.ok && row.lost === 0 && row.duplicates === 0 && row.unbalanced === 0
  row.tookS = Math.round((Date.now() - row.startedAt) / 100) / 10
  rows.push(row)
  process.stderr.write(
    `  ${row.scenario}: ${row.ok ? "ok" : "FAILED"} in ${row.tookS} s (runs ${row.runs}, faults ${row.faults}, lost ${row.lost}, dup ${row.duplicates}, unbalanced ${row.unbalanced})${row.note ? ` — ${row.note.trim().slice(0, 400)}` : ""}\n`
  )
}

/**
 * Changes during reads (issue 12): during every list read of the sync (vendors, bills, vendor
 * credits, payments) the emulator (live cursors) changes records between pages — an email edit of a
 * vendor, records "touched" (updatedTime moves to now, so they jump to the end of the sorted list;
 * content unchanged so the ledger's history stays comparable), and a new bill — then one more
 * incremental run; the ledger must equal a fresh full sync of Bill.com's final state.
 */
const changesDuringReads = async () => {
  const row = newRow("changes during reads (live cursors)")
  const { emu, ws } = await newEmulator({ cursorMode: "live" })
  const db = await scratchDb()
  const refDb = await scratchDb()
  const core = emu.core
  const pick = prng(SEED + 12)
  const perList = new Map<string, number>()
  const PER_READ = quick ? 3 : 8
  try {
    core.beforeList = (collection) => {
      if (
        collection !== "vendors" &&
        collection !== "bills" &&
        collection !== "vendor-credits" &&
        collection !== "payments"
      )
        return
      const n = (perList.get(collection) ?? 0) + 1
      perList.set(collection, n)
      // Every other page of each read, up to PER_READ changes a list read (page 1 included: before the read).
      if (n % 2 === 0 || n > 2 * PER_READ) return
      const records = core.state.collection(collection)
      const target = records[Math.floor(pick() * records.length)]
      if (target === undefined) return
      if (collection === "vendors")
        core.mutate({ op: "updateVendor", id: target.id, email: `changed-${n}@example.com` })
      else if (collection === "bills" && n === 1) core.mutate({ op: "createBill", amount: 123.45 })
      else target.updatedTime = core.state.now()
      row.faults++
    }
    const first = await sync(ws, db.url)
    row.runs++
    perList.clear()
    core.beforeList = undefined
    if (!succeeded(first)) row.note += ` run with changes did not succeed: ${first.stderr.slice(-300)}`
    const second = await sync(ws, db.url)
    row.runs++
    if (!succeeded(second)) row.note += ` incremental run did not succeed: ${second.stderr.slice(-300)}`
    // Reference: a fresh full sync of Bill.com's final state.
    const fresh = await syncToCompletion(ws, refDb.url)
    if (!fresh.completed) throw new Error(`changes during reads: fresh sync failed: ${fresh.last?.stderr.slice(-2000)}`)
    await judge(row, await readLedger(refDb.url), db.url)
    if (!succeeded(first) || !succeeded(second) || row.faults === 0) row.ok = false
    row.note += ` ${row.faults} changes timed inside list reads`
  } finally {
    core.beforeList = undefined
    await emu.stop()
    ws.remove()
    await dropDatabase(db.name)
    await dropDatabase(refDb.name)
  }
  finish(row)
}

/** Runaway paging (issue 13): bills answer empty pages with a fresh cursor forever; the run fails with a named Pagination error after a few requests, nothing is lost. */
const runawayPaging = async (reference: LedgerState) => {
  const row = newRow("runaway paging")
  const { emu, ws } = await newEmulator({ faults: { runawayPaging: "bills" } })
  const db = await scratchDb()
  try {
    const before = emu.core.counterSnapshot().byRoute["GET /v3/bills"] ?? 0
    const r = await sync(ws, db.url)
    row.runs++
    const calls = (emu.core.counterSnapshot().byRoute["GET /v3/bills"] ?? 0) - before
    row.faults = calls
    const named = /GET \/v3\/bills/.test(r.stdout + r.stderr) && /nothing new/.test(r.stdout + r.stderr)
    if (r.code === 0 || !named || calls > 30) {
      row.ok = false
      row.note += ` exit ${r.code}, named error ${named}, ${calls} bill list requests`
    } else row.note += ` failed with the named Pagination error after ${calls} bill list requests`
    // The fault lifted: the next run completes and nothing is lost.
    emu.core.setFaults({})
    const next = await syncToCompletion(ws, db.url)
    row.runs += next.runs
    await judge(row, reference, db.url)
  } finally {
    await emu.stop()
    ws.remove()
    await dropDatabase(db.name)
  }
  finish(row)
}

const newRow = (scenario: string): Row => ({
  scenario,
  runs: 0,
  faults: 0,
  lost: 0,
  duplicates: 0,
  unbalanced: 0,
  leaks: 0,
  ok: true,
  note: "",
  startedAt: Date.now()
})

/** The sync lock's holder in a database (advisory class "sync", see src/sync/lock.ts), if any. */
const lockHolders = (sql: SqlClient.SqlClient) =>
  sql<{ pid: number }>`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x73796e63}::int8::oid
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`

/** Queries against one database from a pool kept for the scenario (polling must not open a pool per query). */
const dbSession = (url: string) => {
  const runtime = ManagedRuntime.make(pgLayer(url))
  return {
    run: <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
      runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, f)),
    close: () => runtime.dispose()
  }
}

/** Resolves when `probe` holds (checked every 10 ms), false when `running` settled first. */
const until = (probe: () => Promise<boolean>, running: Promise<unknown>) =>
  new Promise<boolean>((resolve) => {
    let over = false
    void running.finally(() => {
      if (!over) {
        over = true
        resolve(false)
      }
    })
    const tick = async () => {
      if (over) return
      if (await probe().catch(() => false)) {
        over = true
        return resolve(true)
      }
      setTimeout(tick, 10)
    }
    void tick()
  })

interface LastRun {
  readonly status: string
  readonly error: string | null
}

/** The run rows of a database, oldest first. */
const runsIn = (url: string) =>
  withSql(
    url,
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql<LastRun>`SELECT status, error FROM sync_runs ORDER BY id`)
  )

/**
 * SIGTERM at a seeded random moment (a container stop, a cancelled CI job), then resume. The
 * interrupted process must be honest: exit 143, a JSON summary on stdout, its run recorded as
 * interrupted (none left running), the lock released (the resume is not refused); the resumed
 * ledger equals the reference.
 */
const sigtermScenario = async (reference: LedgerState, refMs: number) => {
  const row = newRow("SIGTERM at a random moment then resume")
  const started = Date.now()
  const random = prng(SEED + 13)
  const { emu, ws } = await newEmulator({
    faults: { latency: { minMs: 2, maxMs: 12 } },
    limits: { requestsPerHour: 1_000_000 }
  })
  const trials = quick ? 1 : 3
  let signals = 0
  try {
    for (let i = 0; i < trials; i++) {
      let db = await scratchDb()
      try {
        let landed = false
        for (let tries = 0; !landed && tries < 4; tries++) {
          const at = Math.round(refMs * (0.15 + random() * 0.6) * (1 - tries * 0.2))
          const r = await sync(ws, db.url, { killAfterMs: at, killSignal: "SIGTERM" })
          row.runs++
          // A signal that arrives after the run's last commit, while the process is only logging out and
          // exiting, finds nothing to interrupt: exit 0 with a completed run. That is a run that finished
          // before its signal, not an interrupted one (the reference's time is an upper bound, not exact).
          if (!r.killed || (r.code === 0 && succeeded(r))) {
            // Finished before its signal: start again on a fresh database, a little earlier.
            await dropDatabase(db.name)
            db = await scratchDb()
            continue
          }
          landed = true
          signals++
          const problems: Array<string> = []
          if (r.code !== 143) problems.push(`exit ${r.code ?? r.signal} instead of 143`)
          let summary: { runs?: Array<{ status: string }>; interrupted?: string } | undefined
          try {
            summary = JSON.parse(r.stdout) as typeof summary
          } catch {
            problems.push(`stdout is not JSON: ${JSON.stringify(r.stdout.slice(0, 80))}`)
          }
          const runs = await runsIn(db.url).catch(() => [] as Array<LastRun>)
          if (runs.some((x) => x.status === "running")) problems.push("a run was left running")
          const last = summary?.runs?.at(-1)
          if (summary !== undefined && summary.interrupted === undefined && last?.status !== "interrupted")
            problems.push(`the summary's last run is ${last?.status ?? "missing"}, not interrupted`)
          if (runs.length > 0 && runs.at(-1)!.status !== "interrupted" && summary?.interrupted === undefined)
            problems.push(`the last run row is ${runs.at(-1)!.status}`)
          if (problems.length > 0) {
            row.ok = false
            row.note += ` trial ${i}: ${problems.join("; ")}`
          }
        }
        if (!landed) {
          row.ok = false
          row.note += ` trial ${i}: every run finished before its SIGTERM`
        }
        // The resume must not be refused as "another sync is running": the lock was released.
        const resumed = await syncToCompletion(ws, db.url)
        row.runs += resumed.runs
        if (!resumed.completed || resumed.runs > 1) {
          row.ok = false
          row.note += ` trial ${i}: resume took ${resumed.runs} run(s): ${resumed.last?.stderr.slice(-200)}`
        }
        await judge(row, reference, db.url)
      } finally {
        await dropDatabase(db.name)
      }
    }
    row.faults = signals
    row.note = `${signals} SIGTERM(s) delivered mid-run: exit 143, JSON summary, run recorded interrupted, resumed in one run; ${Math.round((Date.now() - started) / 1000)} s${row.note}`
  } finally {
    await emu.stop()
    ws.remove()
  }
  finish(row)
}

/**
 * The Postgres connection holding a running sync's lock is killed (pg_terminate_backend) once a
 * bills batch has committed; a second sync starts as soon as the lock is free. The first must stop
 * with the lock-lost error before its next commit, the second completes alone, the ledger equals
 * the reference.
 */
const lockKillScenario = async (reference: LedgerState) => {
  const row = newRow("lock connection killed mid-run")
  const started = Date.now()
  const { emu, ws } = await newEmulator({ faults: { latency: { fixedMs: 20 } } })
  const db = await scratchDb()
  const session = dbSession(db.url)
  try {
    const first = sync(ws, db.url)
    const billsCommitted = () =>
      session.run((sql) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM source_records WHERE kind = 'bill'`.pipe(
          Effect.map((r) => (r[0]?.n ?? 0) > 0)
        )
      )
    const reached = await until(billsCommitted, first)
    let second: ChildResult | undefined
    if (reached) {
      const holders = await session.run(lockHolders)
      await session.run(
        (
          sql
        ) => sql`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x73796e63}::int8::oid
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
      )
      row.faults = holders.length
      // The latency only had to keep the first run busy until its lock was killed.
      emu.core.setFaults({})
      await until(() => session.run(lockHolders).then((h) => h.length === 0), new Promise(() => {}))
      second = await sync(ws, db.url)
    }
    const a = await first
    row.runs = second === undefined ? 1 : 2
    const runs = await runsIn(db.url)
    const lostRun = runs.find((r) => r.status === "failed" && (r.error ?? "").includes("lost the lock"))
    const problems: Array<string> = []
    if (!reached) problems.push("the first sync finished before a bills batch was seen")
    if (a.code !== 1) problems.push(`the killed run exited ${a.code}, not 1`)
    if (!(a.stderr + a.stdout).includes("lost the lock")) problems.push("the killed run did not say it lost the lock")
    if (lostRun === undefined) problems.push(`no run recorded the lost lock (${runs.map((r) => r.status).join(", ")})`)
    if (second !== undefined && !succeeded(second))
      problems.push(`the second sync did not complete: ${second.stderr.slice(-200)}`)
    if (second !== undefined && !succeeded(second)) {
      const more = await syncToCompletion(ws, db.url)
      row.runs += more.runs
    }
    row.note = `${row.faults} lock connection(s) terminated; killed run: ${(lostRun?.error ?? "-").slice(0, 90)}…; second sync ${second !== undefined && succeeded(second) ? "completed alone" : "did not complete"}; ${Math.round((Date.now() - started) / 1000)} s`
    if (problems.length > 0) {
      row.ok = false
      row.note += ` — ${problems.join("; ")}`
    }
    await judge(row, reference, db.url)
  } finally {
    await session.close()
    await emu.stop()
    ws.remove()
    await dropDatabase(db.name)
  }
  finish(row)
}

/** Open integration errors of a scratch database: code and text (message + detail) per Bill.com id. */
const openErrorsOf = (url: string) =>
  withSql(
    url,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return yield* sql<{ billcom_id: string; code: string; message: string; text: string }>`
        SELECT billcom_id, code, message, message || ' ' || coalesce(detail::text, '') AS text FROM integration_errors WHERE resolved_at IS NULL`
    })
  )

/**
 * (g) Poison records, each kind once (issue 13): a bill amount of 1e17, NUL in a description, an
 * impossible date, month 13, an escape character, NUL in a vendor's name. The first sync must
 * complete (every stage), each poisoned record must be exactly one invalid-record error, the refused
 * vendor's documents must wait for it (master-record-refused), and everything else must equal the reference.
 */
const poisonRecords = async (reference: LedgerState) => {
  const row = newRow("poison records (each kind)")
  const { emu, ws } = await newEmulator()
  const db = await scratchDb()
  try {
    const org = emu.core.state.org
    const counts = new Map<string, number>()
    for (const b of org.bills) if (!b.archived) counts.set(b.vendorId, (counts.get(b.vendorId) ?? 0) + 1)
    const vendor = [...counts].sort((a, b) => b[1] - a[1])[0]![0]
    const bills = org.bills.filter((b) => !b.archived && b.vendorId !== vendor && b.malformed === undefined)
    const kinds: Array<[string, Record<string, unknown>, string]> = [
      ["amount 1e17", { amount: 1e17 }, "amount 1e17 is outside the ledger's range"],
      ["NUL in a description", { description: "office\u0000chairs" }, "NUL character in description"],
      ["2025-02-30", { "invoice.invoiceDate": "2025-02-30" }, "is not a calendar date"],
      ["month 13", { dueDate: "2025-13-01" }, "is not a calendar date"],
      ["escape character", { "billLineItems.0.description": "\u001b[2J" }, "control character U+001B"]
    ]
    const poisoned = new Map<string, string>()
    kinds.forEach(([, set, message], i) => {
      const bill = bills[i * 7]!
      emu.core.mutate({ op: "poison", collection: "bills", id: bill.id, set })
      poisoned.set(bill.id, message)
    })
    emu.core.mutate({ op: "updateVendor", id: vendor, name: "Poisoned\u0000Vendor" })
    poisoned.set(vendor, "NUL character in name")
    row.faults = poisoned.size
    const first = await sync(ws, db.url)
    row.runs = 1
    if (!succeeded(first)) {
      row.ok = false
      row.note = `the first sync did not complete: ${first.stderr.slice(-300)} `
    }
    const errors = await openErrorsOf(db.url)
    const named = [...poisoned].filter(([id, message]) => {
      const mine = errors.filter((e) => e.billcom_id === id)
      return mine.length === 1 && mine[0]!.code === "invalid-record" && mine[0]!.message.includes(message)
    }).length
    const waiting = errors.filter((e) => e.code === "master-record-refused" && e.text.includes(vendor))
    // Payments and credits applied to a poisoned bill post without it (as for any bill not in the ledger): dependants too.
    // So are every document of the refused vendor (those with nothing open skip without an error).
    const applied = [
      ...org.payments
        .filter((p) => p.vendorId === vendor || p.billPayments.some((bp) => poisoned.has(bp.billId)))
        .map((p) => p.id),
      ...org.vendorCredits
        .filter((c) => c.vendorId === vendor || c.usage.some((u) => poisoned.has(u.billId)))
        .map((c) => c.id),
      ...org.bills.filter((b) => b.vendorId === vendor).map((b) => b.id)
    ]
    const exclude = new Set([...poisoned.keys(), ...waiting.map((e) => e.billcom_id), ...applied])
    row.note += `${named}/${poisoned.size} poisoned records as one named invalid-record error each (${kinds.map(([k]) => k).join(", ")}, NUL in a vendor name); ${waiting.length} documents of the refused vendor wait for it; ${applied.length} documents of the vendor or applied to poisoned bills excluded`
    if (named !== poisoned.size || waiting.length === 0) {
      row.ok = false
      row.note += ` (expected each as one invalid-record error, and the vendor's documents waiting) ${errors
        .filter((e) => poisoned.has(e.billcom_id))
        .map((e) => `${e.code}: ${e.message}`)
        .join(" | ")
        .slice(0, 300)}`
    }
    await judge(row, reference, db.url, exclude)
  } finally {
    await emu.stop()
    ws.remove()
    await dropDatabase(db.name)
  }
  finish(row)
}

/**
 * (h) A server that echoes secrets: GET /v3/bills answers a BDC_1001 quoting the request's devKey
 * and sessionId (debug logging on). The run fails and says so; after the fault stops the next runs
 * complete to the reference. Nothing of the credentials or the session ids may appear in any output
 * or table of this scenario.
 */
const echoedSecrets = async (reference: LedgerState) => {
  const row = newRow("echoed secrets")
  const { emu, ws } = await newEmulator({ faults: { echoSecrets: { endpoint: "GET /v3/bills" } } })
  const db = await scratchDb()
  const mine: Array<string> = []
  const issued: Array<string> = []
  const create = emu.core.sessions.create.bind(emu.core.sessions)
  emu.core.sessions.create = (devKey, organizationId, userId) => {
    const s = create(devKey, organizationId, userId)
    issued.push(s.id)
    return s
  }
  ws.env["BILLSYNC_LOG_LEVEL"] = "debug"
  try {
    const echoed = await sync(ws, db.url)
    mine.push(echoed.stdout, echoed.stderr)
    row.faults = emu.core.counterSnapshot().faults["echoSecrets"] ?? 0
    const redacted = /devKey=\[redacted\] sessionId=\[redacted\]/.test(echoed.stdout)
    emu.core.setFaults({})
    const r = await syncToCompletion(ws, db.url)
    row.runs = 1 + r.runs
    if (!r.completed) {
      row.ok = false
      row.note = `no run completed after the fault stopped: ${r.last?.stderr.slice(-300)} `
    }
    mine.push(...outputs.slice(-2 * r.runs))
    const { diff } = await judge(row, reference, db.url)
    mine.push(dumps.at(-1)!)
    const creds = emu.core.credentials
    const secrets = [creds.devKey, creds.password, creds.username, ...issued]
    row.leaks = mine.reduce((n, text) => n + secrets.filter((s) => text.includes(s)).length, 0)
    row.note += `${row.faults} echoing answers; the failed run says ${redacted ? "devKey=[redacted] sessionId=[redacted]" : "NOT REDACTED"}; ${secrets.length} secrets (devKey, password, username, ${issued.length} session ids) scanned in ${mine.length - 1} outputs + 1 database dump; ${diff.lost} lost after recovery`
    if (row.faults === 0 || !redacted || row.leaks > 0) row.ok = false
  } finally {
    await emu.stop()
    ws.remove()
    await dropDatabase(db.name)
  }
  finish(row)
}

const main = async () => {
  const started = Date.now()
  process.stderr.write(
    `drill: ${BILLS} bills, ${CRASHES} crashes, ${FUZZ_CASES} fuzz cases${quick ? " (quick)" : ""}\n`
  )

  // Reference: a fault-free run.
  const ref = await newEmulator()
  const refDb = await scratchDb()
  const refRow = newRow("fault-free reference")
  const refRun = await syncToCompletion(ref.ws, refDb.url)
  refRow.runs = refRun.runs
  if (!refRun.completed) throw new Error(`reference sync failed: ${refRun.last?.stderr.slice(-2000)}`)
  const reference = await readLedger(refDb.url)
  const refInv = await checkInvariants(refDb.url)
  refRow.duplicates = refInv.duplicates
  refRow.unbalanced = refInv.unbalanced
  refRow.note = `${refInv.bills} bills, ${refInv.journalEntries} journal entries, ${refInv.foreignLines} lines converted from ${refInv.currencies.join("/") || "no other currency"}`
  const refMs = refRun.last!.ms
  dumps.push(await dumpDatabase(refDb.url))
  finish(refRow)

  // (a) Fault matrix.
  const matrix: Array<[string, EmulatorOptions["faults"], EmulatorOptions["limits"]?]> = [
    ["5xx (10%)", { seed: "5xx", serverErrorRate: 0.1 }],
    ["429 bursts", { seed: "429", rateLimitBurst: { rate: 0.06, length: 4 } }, { rateLimitStatus: 429 }],
    ["BDC_1322 bursts", { seed: "1322", rateLimitBurst: { rate: 0.06, length: 4 } }],
    ["session invalidated every 25", { seed: "sess", invalidateSessionEvery: 25 }],
    ["connection resets + truncation", { seed: "reset", resetRate: 0.05, truncateRate: 0.03 }],
    ["slow responses", { seed: "slow", latency: { minMs: 0, maxMs: 60 }, slowBody: { rate: 0.15, chunkDelayMs: 15 } }],
    [
      "chaos profile",
      {
        seed: "chaos",
        latency: { minMs: 0, maxMs: 30 },
        serverErrorRate: 0.05,
        rateLimitBurst: { rate: 0.03, length: 3 },
        resetRate: 0.02,
        invalidateSessionEvery: 40,
        slowBody: { rate: 0.02, chunkDelayMs: 10 },
        truncateRate: 0.02
      }
    ]
  ]
  const matrixRow = async ([name, faults, limits]: (typeof matrix)[number]) => {
    const row = newRow(name)
    const { emu, ws } = await newEmulator({ ...(faults ? { faults } : {}), ...(limits ? { limits } : {}) })
    const db = await scratchDb()
    try {
      const r = await syncToCompletion(ws, db.url)
      row.runs = r.runs
      row.faults = faultsOf(emu)
      if (!r.completed) {
        row.ok = false
        row.note = `no run completed in ${MAX_ATTEMPTS}: ${r.last?.stderr.slice(-300)}`
      }
      await judge(row, reference, db.url)
      if (row.faults === 0) {
        row.ok = false
        row.note += " no fault was injected"
      }
    } finally {
      await emu.stop()
      ws.remove()
      await dropDatabase(db.name)
    }
    finish(row)
  }

  // (a') Malformed records: everything but the malformed records equals the reference; those are integration errors.
  const malformedRecords = async () => {
    const row = newRow("malformed records (1%)")
    const { emu, ws } = await newEmulator({ faults: { seed: "malformed", malformedRate: 0.01 } })
    const db = await scratchDb()
    try {
      const r = await syncToCompletion(ws, db.url)
      row.runs = r.runs
      row.faults = faultsOf(emu)
      const bad = await withSql(
        db.url,
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const invalid = yield* sql<{
            billcom_id: string
          }>`SELECT billcom_id FROM source_records WHERE outcome = 'error' AND reason = 'invalid'`
          const errors = yield* sql<{ billcom_id: string; code: string; text: string }>`
            SELECT billcom_id, code, message || ' ' || coalesce(detail::text, '') AS text FROM integration_errors WHERE resolved_at IS NULL`
          return { invalid: invalid.map((x) => x.billcom_id), errors }
        })
      )
      const malformed = new Set(bad.invalid)
      // The emulator does not count malformed renderings as faults: the records themselves are the count.
      row.faults = malformed.size
      const asErrors = bad.errors.filter((e) => malformed.has(e.billcom_id) && e.code === "invalid-record").length
      // Records that failed only because they reference a malformed one (e.g. a bill of a malformed vendor).
      const exclude = new Set(malformed)
      for (const e of bad.errors) if ([...malformed].some((id) => e.text.includes(id))) exclude.add(e.billcom_id)
      row.note = `${malformed.size} malformed, ${asErrors} as invalid-record errors, ${exclude.size - malformed.size} dependants excluded`
      if (row.faults === 0 || malformed.size === 0 || asErrors !== malformed.size) {
        row.ok = false
        row.note += " (expected every malformed record as an open integration error)"
      }
      await judge(row, reference, db.url, exclude)
    } finally {
      await emu.stop()
      ws.remove()
      await dropDatabase(db.name)
    }
    finish(row)
  }

  // (b) Crash / resume: SIGKILL at seeded random moments, then resume; each trial on a fresh database.
  const crashResume = async () => {
    const row = newRow(`crash/resume ×${CRASHES}`)
    const random = prng(SEED)
    // Dozens of killed and resumed runs against one emulator spend more than Bill.com's 20,000
    // requests an hour on one devKey (a fresh process cannot know what the killed ones spent); this
    // scenario tests crash safety, not the hourly limit, which the rate-limit scenarios cover.
    const { emu, ws } = await newEmulator({
      faults: { latency: { minMs: 2, maxMs: 12 } },
      limits: { requestsPerHour: 1_000_000 }
    })
    let killedRuns = 0
    let completedBeforeKill = 0
    try {
      for (let i = 0; i < CRASHES; i++) {
        let db = await scratchDb()
        try {
          // 1–2 kills per trial; a run that finished before its kill time is followed by another attempt
          // with an earlier kill (the load on a shared machine varies run to run), at most 4 tries. If no
          // kill has landed yet, the next try starts on a fresh database: after a completed run the next
          // one has nothing to do and would finish before any kill.
          const kills = 1 + Math.floor(random() * 2)
          let done = 0
          for (let tries = 0; done < kills && tries < 4; tries++) {
            const at = Math.round(refMs * (0.1 + random() * 0.7) * (1 - tries * 0.2))
            const r = await sync(ws, db.url, { killAfterMs: at })
            row.runs++
            if (r.killed) {
              killedRuns++
              done++
            } else {
              completedBeforeKill++
              if (done === 0) {
                await dropDatabase(db.name)
                db = await scratchDb()
              }
            }
          }
          const resumed = await syncToCompletion(ws, db.url)
          row.runs += resumed.runs
          if (!resumed.completed) {
            row.ok = false
            row.note += ` trial ${i}: resume failed ${resumed.last?.stderr.slice(-200)}`
          }
          await judge(row, reference, db.url)
        } finally {
          await dropDatabase(db.name)
        }
      }
      row.faults = killedRuns
      row.note = `${killedRuns} SIGKILLs, ${completedBeforeKill} runs finished before their kill time${row.note}`
      if (killedRuns < CRASHES) {
        row.ok = false
        row.note += ` (fewer kills than trials)`
      }
    } finally {
      await emu.stop()
      ws.remove()
    }
    finish(row)
  }

  // (c) Two syncs of one pipeline started together: exactly one writes.
  const concurrentSyncs = async () => {
    const row = newRow("two concurrent syncs")
    const { emu, ws } = await newEmulator({ faults: { latency: { fixedMs: 15 } } })
    const db = await scratchDb()
    try {
      // The scratch database is migrated (a template copy): both children race on the sync lock, not on the migrations.
      const fresh = db.url
      const [a, b] = await Promise.all([sync(ws, fresh), sync(ws, fresh)])
      row.runs = 2
      const oks = [a, b].filter(succeeded)
      const refused = [a, b].filter((r) => r.code !== 0)
      const runsInDb = await withSql(
        fresh,
        Effect.gen(function* () {
          const sql = yield* SqlClient.SqlClient
          const [n] = yield* sql<{ n: string }>`SELECT count(*) AS n FROM sync_runs`
          return Number(n?.n ?? 0)
        })
      )
      const winnerRuns = oks.length === 1 ? (JSON.parse(oks[0]!.stdout) as { runs: Array<unknown> }).runs.length : -1
      row.note = `${oks.length} succeeded, ${refused.length} refused (${refused
        .map(
          (r) =>
            r.stderr
              .split("\n")
              .find((l) => l.includes("billsync sync"))
              ?.replace(/^\S+Z \S+\s+/, "")
              .slice(0, 120) ?? `exit ${r.code}`
        )
        .join("; ")}); ${runsInDb} run rows`
      if (oks.length !== 1 || refused.length !== 1 || runsInDb !== winnerRuns) row.ok = false
      await judge(row, reference, fresh)
    } finally {
      await emu.stop()
      ws.remove()
      await dropDatabase(db.name)
    }
    finish(row)
  }

  // (e) Bad YAML fuzz: in-process loader, plus a few CLI runs of `billsync validate`.
  const yamlFuzz = async () => {
    const row = newRow(`bad YAML fuzz ×${FUZZ_CASES}`)
    const { emu, ws } = await newEmulator()
    try {
      const base = readFileSync(join(ws.root, "pipelines", "drill.yaml"), "utf8")
        .replace("name: drill", "name: fuzz")
        .replace("mappings/drill", "mappings/fuzz")
      await import("node:fs").then((fs) =>
        fs.cpSync(join(ws.root, "mappings", "drill"), join(ws.root, "mappings", "fuzz"), { recursive: true })
      )
      const result = await fuzzLoader(ws.root, base, FUZZ_CASES, SEED)
      row.runs = result.cases
      row.faults = result.cases - result.valid
      // A few CLI runs: exit 1 with file:line:col on stdout, never a crash.
      const cli = [
        base.replace("version: 1", "version: [1"),
        base.replace("pageSize: 100", "pageSize: 1000"),
        `${base}\n  : :\n`
      ]
      let cliOk = 0
      for (const text of cli) {
        writeFileSync(join(ws.root, "pipelines", "fuzz.yaml"), text)
        const r = await runBillsync(["validate", "pipelines/fuzz.yaml"], { cwd: ws.root, env: ws.env })
        outputs.push(r.stdout, r.stderr)
        if (r.code === 1 && /pipelines\/fuzz\.yaml:\d+:\d+: /.test(r.stdout)) cliOk++
      }
      row.note = `${result.valid} valid, ${result.positionedErrors} positioned errors, ${result.crashes} crashes, ${result.hangs} hangs, ${result.unpositioned} unpositioned; CLI ${cliOk}/${cli.length} positioned ${result.samples.join(" | ").slice(0, 300)}`
      if (result.crashes + result.hangs + result.unpositioned > 0 || cliOk !== cli.length) {
        row.ok = false
        row.lost = result.crashes + result.hangs + result.unpositioned + (cli.length - cliOk)
      }
    } finally {
      await emu.stop()
      ws.remove()
    }
    finish(row)
  }

  // Scenarios are independent (each its own emulator and database): in lanes (default 3), the slowest first.
  // Kills and signals are synchronised on database state or retried earlier, never on a quiet machine.
  await inLanes(LANES, [
    crashResume,
    () => lockKillScenario(reference),
    changesDuringReads,
    concurrentSyncs,
    () => sigtermScenario(reference, refMs),
    () => echoedSecrets(reference),
    () => runawayPaging(reference),
    ...(quick ? matrix.filter(([name]) => QUICK_MATRIX.has(name)) : matrix).map((m) => () => matrixRow(m)),
    malformedRecords,
    () => poisonRecords(reference),
    yamlFuzz
  ])
  // The table keeps the drill's reading order, whichever lane finished first.
  const order = [
    "fault-free reference",
    ...matrix.map(([name]) => name),
    "changes during reads",
    "runaway paging",
    "malformed records",
    "poison records",
    "echoed secrets",
    "crash/resume",
    "SIGTERM",
    "lock connection killed",
    "two concurrent syncs",
    "bad YAML fuzz"
  ]
  const rank = (r: Row) => order.findIndex((prefix) => r.scenario.startsWith(prefix))
  rows.sort((a, b) => rank(a) - rank(b))

  await dropDatabase(refDb.name)
  await dropDatabase(TEMPLATE_DB)
  await ref.emu.stop()
  ref.ws.remove()

  // (d) Secrets: devKey, password and every issued sessionId never in any output or database dump.
  {
    const row = newRow("secrets scan")
    const creds = ref.emu.core.credentials
    const secrets = [creds.devKey, creds.password, ...sessionIds]
    const haystacks = [...outputs, ...dumps]
    for (const h of haystacks) for (const s of secrets) if (h.includes(s)) row.leaks++
    row.runs = haystacks.length
    row.note = `${secrets.length} secrets (devKey, password, ${sessionIds.size} session ids) in ${outputs.length} outputs + ${dumps.length} database dumps`
    row.ok = row.leaks === 0
    finish(row)
  }

  // (f) Contract: every request billsync sent and every response the emulator gave, checked against
  // Bill.com's published OpenAPI (test/contract/billcom.contract.json). Faults are injected on purpose
  // (malformed records) and not counted; everything else must be on the contract.
  {
    const row = newRow("contract (published OpenAPI)")
    let requests = 0
    let responses = 0
    let skipped = 0
    let violations = 0
    const summary = new Map<string, number>()
    for (const emu of emulators) {
      const c = emu.core.counterSnapshot().contract
      if (c === undefined) continue
      requests += c.requestsChecked
      responses += c.responsesChecked
      skipped += c.injectedSkipped
      violations += c.requestViolations + c.responseViolations
      for (const [k, n] of Object.entries(c.summary)) summary.set(k, (summary.get(k) ?? 0) + n)
    }
    row.runs = emulators.length
    row.note = `${requests} requests and ${responses} responses checked (${skipped} with injected faults not checked), ${violations} violations ${[
      ...summary
    ]
      .slice(0, 5)
      .map(([k, n]) => `${n}× ${k}`)
      .join(" | ")}`
    row.ok = violations === 0
    finish(row)
  }

  const table = renderTable(
    ["scenario", "runs", "faults injected", "lost", "duplicates", "unbalanced", "leaks", "result", "s"],
    rows.map((r) => [
      r.scenario,
      r.runs,
      r.faults,
      r.lost,
      r.duplicates,
      r.unbalanced,
      r.leaks,
      r.ok ? "ok" : "FAILED",
      r.tookS ?? ""
    ])
  )
  process.stdout.write(`${table}\n\n${rows.map((r) => `${r.scenario}: ${r.note.trim()}`).join("\n")}\n`)
  const tookS = Math.round((Date.now() - started) / 1000)
  process.stdout.write(`\ndrill took ${tookS} s\n`)
  writeFileSync(
    join(REPO_ROOT, "bench", "results", quick ? "drill-quick.json" : "drill.json"),
    `${JSON.stringify({ when: new Date().toISOString(), bills: BILLS, crashes: CRASHES, fuzzCases: FUZZ_CASES, quick, tookS, loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), rows }, null, 2)}\n`
  )
  return rows.every((r) => r.ok) ? 0 : 1
}

// `--cluster`: the cluster drill (bench/cluster-drill.ts) instead of this one.
;(args.has("cluster") ? import("./cluster-drill.ts").then(() => new Promise<number>(() => {})) : main()).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`drill failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  }
)
