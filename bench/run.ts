import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import type { Bill } from "../src/emulator/model.ts"
import { parseArgs, parseSize } from "./lib/args.ts"
import { runNode, runBillsync, type ChildResult } from "./lib/child.ts"
import { createDatabase, dropDatabase } from "./lib/db.ts"
import { startBenchEmulator } from "./lib/emulator.ts"
import { renderTable } from "./lib/table.ts"
import { execFileSync } from "node:child_process"
import { makeWorkspace, pipelineYaml, REPO_ROOT, type Workspace } from "./lib/workspace.ts"

/**
 * `npm run bench [-- --sizes 10k,50k,200k --db pg|pglite|both --latency 100 --cpu-prof]`
 *
 * Per size and database: a first `billsync sync` (child process) against an emulator in this
 * process with fixed latency and Bill.com's limits (3 in flight, pages of 100, 20 000/h), with
 * `sync.documents` off so the ratio and the calls measure the list pulls; the same rows written
 * with no API (bench/lib/db-alone.ts); a no-change incremental run; then one run with documents on
 * (one budgeted step of `maxPerRun` reads), reported separately. Prints a table, writes
 * bench/results/latest.json. Targets are reported, never asserted.
 */
const args = parseArgs(process.argv.slice(2))
const sizes = (args.get("sizes") ?? "10k,50k,200k").split(",").map(parseSize)
const dbs = ((): Array<"pg" | "pglite"> => {
  const d = args.get("db") ?? "pg"
  return d === "both" ? ["pg", "pglite"] : d === "pglite" ? ["pglite"] : ["pg"]
})()
const latencyMs = Number(args.get("latency") ?? "100")
const cpuProf = args.has("cpu-prof")
const skipDbAlone = args.has("no-db-alone")
const skipDocuments = args.has("no-documents-run")
/** Pipeline `sync.documents.maxPerRun` of the documents run (the product default). */
const DOCS_PER_RUN = Number(args.get("documents-per-run") ?? "500")
const out = args.get("out") ?? join(REPO_ROOT, "bench", "results", "latest.json")

const PAGE = 100
const CONCURRENCY = 3
const HOURLY = 20_000
const CUTOFF = "2024-01-01"
/** Lists a stage reads at least once: funding accounts = banks, cards VERIFIED, cards NOMINATED, AP cards. */
const LISTS_PER_STAGE: Record<string, number> = { "funding-accounts": 4, classifications: 5 }

interface StageJson {
  readonly stage: string
  readonly status: string
  readonly durationMs: number
  readonly counts: {
    readonly pulled: number
    readonly inserted: number
    readonly apiCalls: number
    readonly errors: number
    readonly skipped: number
  }
}
interface RunJson {
  readonly kind: string
  readonly status: string
  readonly apiCalls: number
  readonly stages: ReadonlyArray<StageJson>
  readonly documents?: { readonly reads: number; readonly failed: number; readonly backlog: number }
}

const parseRuns = (r: ChildResult, what: string): ReadonlyArray<RunJson> => {
  try {
    return (JSON.parse(r.stdout) as { runs: ReadonlyArray<RunJson> }).runs
  } catch {
    throw new Error(
      `${what}: exit ${r.code} ${r.signal ?? ""}; stdout: ${r.stdout.slice(0, 500)}; stderr: ${r.stderr.slice(-2000)}`
    )
  }
}

/** Fewest requests that can read what the run read: ceil(records/100) per list read (≥ 1). */
const minimumListCalls = (runs: ReadonlyArray<RunJson>) =>
  runs
    .flatMap((r) => r.stages)
    .reduce((sum, s) => sum + Math.max(LISTS_PER_STAGE[s.stage] ?? 1, Math.ceil(s.counts.pulled / PAGE)), 0)

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d

/** The same rows written with no API (bench/lib/db-alone.ts), as bills/s of the bills stage. */
const measureDbAlone = async (
  n: number,
  seed: string,
  ws: Workspace,
  dbEnv: Record<string, string | undefined>,
  apiBound: number
) => {
  process.stderr.write(`[${n}] database alone…\n`)
  const alone = await runNode(
    join(REPO_ROOT, "bench", "lib", "db-alone.ts"),
    ["--pipeline", "bench", "--seed", seed, "--bills", String(n)],
    {
      cwd: ws.root,
      env: { ...ws.env, ...dbEnv }
    }
  )
  if (alone.code !== 0) throw new Error(`db-alone: ${alone.stderr.slice(-2000)}`)
  const r = JSON.parse(alone.stdout.trim().split("\n").pop()!) as {
    ms: number
    stages: Array<{ stage: string; ms: number; pulled: number }>
  }
  const bills = r.stages.find((s) => s.stage === "bills")!
  const billsPerS = bills.pulled / (bills.ms / 1000)
  return {
    billsPerS: round(billsPerS, 0),
    billsStageMs: bills.ms,
    totalMs: round(r.ms, 0),
    ratioToApiBound: round(billsPerS / apiBound, 1),
    peakRssMb: alone.maxRssMb === undefined ? undefined : round(alone.maxRssMb, 0)
  }
}

const benchOne = async (n: number, db: "pg" | "pglite") => {
  const seed = `bench-${n}`
  const genStart = Date.now()
  // Responses are not schema-checked here (the drill and the tests do): a benchmark times the sync, not ajv.
  const emulator = await startBenchEmulator({
    seed,
    generate: { bills: n },
    faults: { latency: { fixedMs: latencyMs } },
    contract: { responses: "off" }
  })
  const genMs = Date.now() - genStart
  const org = emulator.core.state.org
  // Documents off for the first sync and the no-change run: they measure the list pulls.
  const ws = makeWorkspace(org, {
    name: "bench",
    origin: emulator.origin,
    documents: { enabled: false, maxPerRun: DOCS_PER_RUN }
  })
  const dbName = `bench_${n}_${process.pid}`
  const scratch = mkdtempSync(join(tmpdir(), "billsync-bench-db-"))
  const dbEnv = async (suffix: string): Promise<Record<string, string | undefined>> =>
    db === "pg"
      ? { DATABASE_URL: await createDatabase(`${dbName}${suffix}`) }
      : // A scratch embedded database: not the CI deployment the embedded-database refusal guards.
        {
          DATABASE_URL: undefined,
          BILLSYNC_EMBEDDED_DIR: join(scratch, `db${suffix}`),
          CI: undefined,
          GITHUB_ACTIONS: undefined
        }
  try {
    // v2 approval reads needed: bills inside the cutoff, not archived, whose v3 record does not settle the approval.
    const cutoffDay = Math.floor(Date.parse(CUTOFF) / 86_400_000)
    const inRange = org.bills.filter((b: Bill) => !b.archived && b.invoiceDay >= cutoffDay)
    const v2Needed = inRange.filter(
      (b) => b.approvalStatus === undefined || (b.approvalStatus as string) === "UNDEFINED"
    ).length

    // The client alone: drain the bills list (no writes, no per-record calls).
    emulator.core.resetCounters()
    emulator.resetObserved()
    process.stderr.write(`[${n} ${db}] pull only…\n`)
    const pull = await runNode(join(REPO_ROOT, "bench", "lib", "pull-only.ts"), ["--pipeline", "bench"], {
      cwd: ws.root,
      env: ws.env
    })
    if (pull.code !== 0) throw new Error(`pull-only: ${pull.stderr.slice(-2000)}`)
    const pulled = JSON.parse(pull.stdout.trim().split("\n").pop()!) as {
      records: number
      ms: number
      requests: number
      retries: number
    }
    const pullObserved = emulator.observed()
    const pullLatency = pullObserved.byRoute["GET /connect/v3/bills"]?.meanMs ?? pullObserved.meanMs
    const pullBound = (CONCURRENCY * PAGE) / (pullLatency / 1000)
    const pullOnly = {
      records: pulled.records,
      ms: round(pulled.ms, 0),
      billsPerS: round(pulled.records / (pulled.ms / 1000), 0),
      observedLatencyMs: round(pullLatency),
      apiBoundBillsPerS: round(pullBound, 0),
      ratio: round(pulled.records / (pulled.ms / 1000) / pullBound, 3),
      requests: pulled.requests,
      minimum: Math.ceil(pulled.records / PAGE) + 1,
      retries: pulled.retries,
      maxInFlight: emulator.core.counterSnapshot().maxInFlight,
      peakRssMb: pull.maxRssMb === undefined ? undefined : round(pull.maxRssMb, 0)
    }
    const env = { ...ws.env, ...(await dbEnv("")) }
    const prof = cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${join(REPO_ROOT, "bench", "results", "profiles")}`] : []
    emulator.core.resetCounters()
    emulator.resetObserved()
    process.stderr.write(`[${n} ${db}] first sync…\n`)
    const first = await runBillsync(["sync", "bench", "--json"], { cwd: ws.root, env, nodeArgs: prof })
    const firstRuns = parseRuns(first, "first sync")
    const firstCounters = emulator.core.counterSnapshot()
    const observed = emulator.observed()

    emulator.core.resetCounters()
    process.stderr.write(`[${n} ${db}] no-change sync…\n`)
    const again = await runBillsync(["sync", "bench", "--json"], { cwd: ws.root, env })
    const againRuns = parseRuns(again, "no-change sync")
    const againCounters = emulator.core.counterSnapshot()

    // One run with documents on: a single budgeted step (at most DOCS_PER_RUN reads) after the lists.
    let documentsRun: Record<string, unknown> | undefined
    if (!skipDocuments) {
      writeFileSync(
        join(ws.root, "pipelines", "bench.yaml"),
        pipelineYaml(org, {
          name: "bench",
          origin: emulator.origin,
          documents: { enabled: true, maxPerRun: DOCS_PER_RUN }
        })
      )
      emulator.core.resetCounters()
      emulator.resetObserved()
      process.stderr.write(`[${n} ${db}] documents run (≤ ${DOCS_PER_RUN} reads)…\n`)
      const docs = await runBillsync(["sync", "bench", "--json"], { cwd: ws.root, env })
      const docsRuns = parseRuns(docs, "documents run")
      const docCounters = emulator.core.counterSnapshot()
      const docReads = Object.entries(docCounters.byRoute)
        .filter(([k]) => k.includes("documents"))
        .reduce((s, [, c]) => s + c, 0)
      const summary = docsRuns.map((r) => r.documents).find((d) => d !== undefined)
      const docsMs = docsRuns.reduce((s, r) => s + r.stages.reduce((t, st) => t + st.durationMs, 0), 0)
      documentsRun = {
        maxPerRun: DOCS_PER_RUN,
        reads: summary?.reads ?? docReads,
        documentRequests: docReads,
        failed: summary?.failed ?? 0,
        backlogAfter: summary?.backlog,
        calls: docCounters.total,
        otherCalls: docCounters.total - docReads,
        wallMs: round(docs.ms, 0),
        syncMs: docsMs,
        readsPerS: docsMs > 0 ? round(docReads / (docsMs / 1000), 0) : undefined,
        observedLatencyMs: round(emulator.observed().meanMs)
      }
    }

    const full = firstRuns.find((r) => r.kind === "full")
    const billsStage = full?.stages.find((s) => s.stage === "bills")
    const billLatency = Object.entries(observed.byRoute).find(([k]) => k === "GET /connect/v3/bills")?.[1]
    const meanLatency = billLatency?.meanMs ?? observed.meanMs
    const apiBound = (CONCURRENCY * PAGE) / (meanLatency / 1000)
    const billsPerS = billsStage === undefined ? 0 : billsStage.counts.pulled / (billsStage.durationMs / 1000)
    const v2Coa = firstCounters.byRoute["POST /v2/Crud/Read/ChartOfAccount.json"] ?? 0
    const minimum = minimumListCalls(firstRuns) + firstCounters.logins + firstCounters.logouts + v2Needed + v2Coa
    // List reads only: a document read (GET /v3/documents/bills/{id}) is not a list call.
    const noChangeListCalls = Object.entries(againCounters.byRoute)
      .filter(([k]) => k.startsWith("GET ") && !k.includes("documents"))
      .reduce((s, [, c]) => s + c, 0)
    const noChangeDocCalls = Object.entries(againCounters.byRoute)
      .filter(([k]) => k.includes("documents"))
      .reduce((s, [, c]) => s + c, 0)
    // Bills the first sync imported without documents (documents off: all of them); each run reads at most DOCS_PER_RUN.
    const firstDocs = firstRuns.map((r) => r.documents).find((d) => d !== undefined)
    const imported = firstDocs?.backlog ?? billsStage?.counts.inserted ?? 0
    const stagesRun = againRuns.reduce(
      (s, r) => s + r.stages.reduce((t, st) => t + (LISTS_PER_STAGE[st.stage] ?? 1), 0),
      0
    )
    const excess = Object.entries(firstCounters.byRoute)
      .filter(([k]) => k.includes("documents") || k.includes("/v2/") || k.includes("{"))
      .map(([k, c]) => `${k}=${c}`)
    return {
      bills: n,
      db,
      generateMs: genMs,
      firstSync: {
        wallMs: round(first.ms, 0),
        status: firstRuns.map((r) => r.status),
        billsPulled: billsStage?.counts.pulled ?? 0,
        billsStageMs: billsStage?.durationMs ?? 0,
        billsPerS: round(billsPerS, 0),
        stages: firstRuns.flatMap((r) =>
          r.stages.map((s) => ({
            run: r.kind,
            stage: s.stage,
            ms: s.durationMs,
            pulled: s.counts.pulled,
            calls: s.counts.apiCalls
          }))
        )
      },
      observedLatencyMs: round(meanLatency),
      observedLatencyAllMs: round(observed.meanMs),
      apiBoundBillsPerS: round(apiBound, 0),
      ratio: round(billsPerS / apiBound, 3),
      calls: {
        made: firstCounters.total,
        minimum,
        overMinimumPct: round(((firstCounters.total - minimum) / minimum) * 100, 1),
        logins: firstCounters.logins,
        v2ApprovalNeeded: v2Needed,
        byRoute: firstCounters.byRoute,
        perRouteNotInMinimum: excess,
        errorsByCode: firstCounters.errorsByCode,
        maxInFlight: firstCounters.maxInFlight
      },
      pullOnly,
      dbAlone: skipDbAlone ? undefined : await measureDbAlone(n, seed, ws, await dbEnv("_alone"), apiBound),
      peakRssMb: first.maxRssMb === undefined ? undefined : round(first.maxRssMb, 0),
      noChange: {
        calls: againCounters.total,
        listCalls: noChangeListCalls,
        listsRead: stagesRun,
        logins: againCounters.logins,
        wallMs: round(again.ms, 0),
        syncMs: againRuns.reduce((s, r) => s + r.stages.reduce((t, st) => t + st.durationMs, 0), 0),
        byRoute: againCounters.byRoute,
        documentCalls: noChangeDocCalls,
        peakRssMb: again.maxRssMb === undefined ? undefined : round(again.maxRssMb, 0)
      },
      documents: {
        firstSyncReads: Object.entries(firstCounters.byRoute)
          .filter(([k]) => k.includes("documents"))
          .reduce((s, [, c]) => s + c, 0),
        imported,
        maxPerRun: DOCS_PER_RUN,
        backlogRunsNeeded: Math.ceil(imported / DOCS_PER_RUN),
        run: documentsRun
      }
    }
  } finally {
    await emulator.stop()
    ws.remove()
    rmSync(scratch, { recursive: true, force: true })
    if (db === "pg") {
      await dropDatabase(dbName).catch(() => undefined)
      await dropDatabase(`${dbName}_alone`).catch(() => undefined)
    }
  }
}

interface Row {
  readonly bills: number
  readonly db: string
  readonly pullOnly: {
    readonly billsPerS: number
    readonly apiBoundBillsPerS: number
    readonly ratio: number
    readonly requests: number
    readonly minimum: number
    readonly peakRssMb: number | undefined
  }
  readonly firstSync?: { readonly billsPerS: number } | undefined
  readonly observedLatencyMs?: number
  readonly apiBoundBillsPerS?: number
  readonly ratio?: number
  readonly calls?: {
    readonly made: number
    readonly minimum: number
    readonly overMinimumPct: number
    readonly perRouteNotInMinimum: ReadonlyArray<string>
  }
  readonly dbAlone?:
    | { readonly billsPerS: number; readonly ratioToApiBound: number }
    | Record<string, unknown>
    | undefined
  readonly peakRssMb?: number | undefined
  readonly noChange?: {
    readonly calls: number
    readonly listCalls: number
    readonly listsRead: number
    readonly wallMs: number
  }
  readonly documents?: {
    readonly imported: number
    readonly maxPerRun: number
    readonly backlogRunsNeeded: number
    readonly run?:
      | {
          readonly reads: number
          readonly calls: number
          readonly syncMs: number
          readonly readsPerS?: number
          readonly backlogAfter?: number
        }
      | undefined
  }
}

const loadAtStart = loadavg().map((x) => round(x))
/** The commit measured, and files changed in the tree (others may have work in progress). */
const gitState = () => {
  const git = (...a: Array<string>) => execFileSync("git", a, { cwd: REPO_ROOT, encoding: "utf8" }).trim()
  try {
    return {
      head: git("rev-parse", "--short", "HEAD"),
      uncommitted: git("status", "--porcelain", "--", "src")
        .split("\n")
        .filter((l) => l !== "")
    }
  } catch {
    return undefined
  }
}

const main = async () => {
  const results: Array<Row> = []
  for (const db of dbs) for (const n of sizes) results.push((await benchOne(n, db)) as Row)

  // Projections for a 200k first load: list pages + v2 calls per bill as measured at the largest synced
  // size (documents off), plus that run's documents step (min(maxPerRun, backlog)); the backlog of
  // document reads then drains at maxPerRun a run. The hourly budget is per clock hour: a run of
  // ≤ 20 000 requests is bound by concurrency × latency, a larger one waits for the next hours.
  const synced = results.filter((r) => r.calls !== undefined)
  const largest = synced.reduce<Row | undefined>((a, b) => (a === undefined || b.bills > a.bills ? b : a), undefined)
  const N = 200_000
  const importedShare = largest?.documents ? largest.documents.imported / largest.bills : 0.66
  const backlog200k = Math.round(importedShare * N)
  const docsFirstRun = Math.min(DOCS_PER_RUN, backlog200k)
  const project = (calls: number, latency: number) => {
    const concurrencyS = (calls * (latency / 1000)) / CONCURRENCY
    const hourWindows = Math.ceil(calls / HOURLY)
    const seconds =
      hourWindows <= 1
        ? concurrencyS
        : Math.max(
            concurrencyS,
            (hourWindows - 1) * 3600 + ((calls - (hourWindows - 1) * HOURLY) * (latency / 1000)) / CONCURRENCY
          )
    return {
      calls: Math.round(calls),
      minutes: round(seconds / 60, 1),
      hourlyBudgetShare: round(calls / HOURLY, 2),
      binding: hourWindows > 1 ? "hourly budget" : "concurrency × latency"
    }
  }
  const perBill = largest?.calls ? largest.calls.made / largest.bills : undefined
  const minPerBill = largest?.calls ? largest.calls.minimum / largest.bills : 0.0105
  const noChangeCalls = largest?.noChange?.calls ?? 15
  const projections = {
    basedOn: largest ? `${largest.bills} bills` : "none (no first sync ran)",
    documentsFirstRun: docsFirstRun,
    asBuilt100ms: perBill === undefined ? undefined : project(perBill * N + docsFirstRun, 100),
    asBuilt5ms: perBill === undefined ? undefined : project(perBill * N + docsFirstRun, 5),
    minimum100ms: project(minPerBill * N + docsFirstRun, 100),
    minimum5ms: project(minPerBill * N + docsFirstRun, 5),
    documentsBacklog: {
      bills: backlog200k,
      maxPerRun: DOCS_PER_RUN,
      runsNeeded: Math.ceil(backlog200k / DOCS_PER_RUN),
      requestsPerRun: DOCS_PER_RUN + noChangeCalls,
      // Back to back, the budget allows this many such runs an hour; hours to drain at that pace.
      runsPerHourWithinBudget: Math.floor(HOURLY / (DOCS_PER_RUN + noChangeCalls)),
      hoursBackToBack: round(
        Math.ceil(backlog200k / DOCS_PER_RUN) / Math.floor(HOURLY / (DOCS_PER_RUN + noChangeCalls)),
        1
      )
    },
    apiBoundBillsPerS: {
      at100ms: (CONCURRENCY * PAGE) / 0.1,
      at5ms: (CONCURRENCY * PAGE) / 0.005,
      sustainedHourlyBudget: round((HOURLY / 3600) * PAGE, 0)
    }
  }
  const dbRate = (r: Row) => (r.dbAlone as { billsPerS?: number } | undefined)?.billsPerS
  const dbRatio = (r: Row) => {
    const rate = dbRate(r)
    const bound = r.apiBoundBillsPerS ?? r.pullOnly.apiBoundBillsPerS
    return rate === undefined ? undefined : round(rate / bound, 1)
  }
  const rows = results.map((r) => [
    `${r.bills / 1000}k`,
    r.db,
    r.pullOnly.billsPerS,
    r.pullOnly.apiBoundBillsPerS,
    r.pullOnly.ratio,
    `${r.pullOnly.requests}/${r.pullOnly.minimum}`,
    r.pullOnly.peakRssMb,
    r.firstSync?.billsPerS,
    r.ratio,
    r.calls === undefined ? undefined : `${r.calls.made}/${r.calls.minimum} (+${r.calls.overMinimumPct}%)`,
    dbRate(r),
    dbRatio(r),
    r.peakRssMb,
    r.noChange === undefined
      ? undefined
      : `${r.noChange.calls} (${r.noChange.listCalls} list/${r.noChange.listsRead} lists)`,
    r.noChange === undefined ? undefined : round(r.noChange.wallMs / 1000, 1),
    r.documents === undefined
      ? undefined
      : `${r.documents.run?.reads ?? "—"}/${r.documents.maxPerRun} (${r.documents.run?.readsPerS ?? "—"}/s)`,
    r.documents === undefined ? undefined : `${r.documents.imported} → ${r.documents.backlogRunsNeeded} runs`
  ])
  const table = renderTable(
    [
      "size",
      "db",
      "pull bills/s",
      "bound/s",
      "pull ratio",
      "pull calls/min",
      "pull RSS",
      "sync bills/s",
      "sync ratio",
      "sync calls/min",
      "DB-alone bills/s",
      "DB×bound",
      "sync RSS MB",
      "no-change calls",
      "no-change s",
      "doc reads/run",
      "doc backlog"
    ],
    rows
  )
  const rssOf = (pick: (r: Row) => number | undefined) => {
    const rs = results.filter((r) => r.db === results[0]!.db && pick(r) !== undefined)
    return rs.length > 1
      ? { from: rs[0]!.bills, to: rs[rs.length - 1]!.bills, mb: pick(rs[rs.length - 1]!)! - pick(rs[0]!)! }
      : undefined
  }
  const rssGrowth = { sync: rssOf((r) => r.peakRssMb), pull: rssOf((r) => r.pullOnly.peakRssMb) }
  process.stdout.write(`${table}\n\n`)
  for (const [k, g] of Object.entries(rssGrowth))
    if (g) process.stdout.write(`RSS growth (${k}) ${g.from} → ${g.to} bills: ${g.mb} MB (target ≤ 50)\n`)
  const p = projections
  const line = (what: string, x: ReturnType<typeof project>) =>
    `${what}: ${x.calls} requests (${x.hourlyBudgetShare}× the hourly budget) → ${x.minutes} min (${x.binding})`
  if (p.asBuilt100ms && p.asBuilt5ms)
    process.stdout.write(
      `Projected 200k first load as built (${p.basedOn}, incl. ${p.documentsFirstRun} document reads): ${line("100 ms", p.asBuilt100ms)}; ${line("5 ms", p.asBuilt5ms)}\n`
    )
  process.stdout.write(
    `Projected 200k first load at the minimum: ${line("100 ms", p.minimum100ms)}; ${line("5 ms", p.minimum5ms)}\n`
  )
  const d = p.documentsBacklog
  process.stdout.write(
    `200k documents backlog: ${d.bills} bills at ${d.maxPerRun} a run → ${d.runsNeeded} runs (${d.requestsPerRun} requests each; ≤ ${d.runsPerHourWithinBudget} such runs an hour within the budget → ≥ ${d.hoursBackToBack} h back to back)\n`
  )
  for (const r of results)
    if (r.calls && r.calls.perRouteNotInMinimum.length > 0)
      process.stdout.write(`${r.bills / 1000}k ${r.db}: per-record calls: ${r.calls.perRouteNotInMinimum.join(", ")}\n`)

  mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true })
  const report = {
    when: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((x) => round(x)) }
    },
    tree: gitState(),
    settings: {
      latencyMs,
      pageSize: PAGE,
      concurrency: CONCURRENCY,
      requestsPerHour: HOURLY,
      cutoff: CUTOFF,
      documents: { firstSync: "off", documentsRun: { enabled: true, maxPerRun: DOCS_PER_RUN } }
    },
    targets: {
      ratio: ">= 0.90",
      callsOverMinimum: "<= 5%",
      dbTimesApiBound: ">= 20",
      rssGrowthMb: "<= 50 (10k → 200k)",
      noChange: "<= 1 list call per list + login"
    },
    results,
    rssGrowthMb: rssGrowth,
    projections,
    table
  }
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
  process.stdout.write(`wrote ${out}\n`)
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  }
)
