import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { renderHtml } from "../ledger/html.ts"
import { LedgerChecks } from "../ledger/invariants.ts"
import {
  agingJson,
  agingTable,
  form1099Json,
  form1099Table,
  latePostingsJson,
  latePostingsTable,
  markdownTable,
  runsJson,
  runsTable,
  textTable,
  trialBalanceJson,
  trialBalanceTable,
  type Table
} from "../ledger/render.ts"
import { collectHtmlInput, reportScope, todayUtc } from "../ledger/report-data.ts"
import { bucketsProblem, Reports } from "../ledger/reports.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadStoreEnvironment } from "../sync/environment.ts"
import { ExitCode, Exit } from "./exit.ts"

/**
 * `billsync report <pipeline> aging|trial-balance|runs|late-postings|1099`: read-only reports from
 * the journal and the run history. Text on a terminal, `--json`, `--format markdown` (a GitHub job
 * summary), and `--html DIR` writes DIR/index.html, a self-contained page a scheduled workflow can
 * upload. Exit 1 when a ledger invariant is violated (they are printed on stderr) or the aging does
 * not tie to the AP control account.
 */
const pipeline = Args.text({ name: "pipeline" }).pipe(Args.withDescription("Pipeline name (pipelines/<name>.yaml) or path"))
const asOf = Options.text("as-of").pipe(Options.optional, Options.withDescription("Report date YYYY-MM-DD (default: today, UTC)"))
const json = Options.boolean("json").pipe(Options.withDescription("Print as JSON (same as --format json)"))
const format = Options.choice("format", ["text", "markdown", "json"]).pipe(Options.withDefault("text" as const), Options.withDescription("Output format"))
const html = Options.directory("html").pipe(Options.optional, Options.withDescription("Also write a self-contained HTML report to DIR/index.html"))
const limit = Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("How many recent runs"))
const buckets = Options.text("buckets").pipe(
  Options.withDefault("30,60,90"),
  Options.withDescription("Aging bucket boundaries in days past due, ascending (default 30,60,90 → current, 1–30, 31–60, 61–90, 90+)")
)
const year = Options.integer("year").pipe(Options.withDescription("Calendar year of the 1099 payments (e.g. 2026)"))

const parent = Command.make("report", { pipeline })

const validDate = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)

interface Common {
  readonly asOf: Option.Option<string>
  readonly json: boolean
  readonly format: "text" | "markdown" | "json"
  readonly html: Option.Option<string>
  readonly buckets?: string
}

/** `--buckets 30,60,90` as numbers, or the reason it is unusable. */
const parseBuckets = (text: string): { boundaries: Array<number> } | { problem: string } => {
  const parts = text.split(",").map((p) => p.trim())
  const boundaries = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN))
  if (boundaries.some(Number.isNaN)) return { problem: `--buckets ${JSON.stringify(text)}: give whole numbers of days separated by commas, e.g. 30,60,90` }
  const problem = bucketsProblem(boundaries)
  return problem === undefined ? { boundaries } : { problem: `--buckets ${JSON.stringify(text)}: ${problem}` }
}

/** Loads the pipeline, opens the database, renders the chosen report, writes the HTML, checks the invariants. */
const run = (
  command: string,
  o: Common,
  limitRuns: number,
  body: (companyId: number, currency: string, integrationId: number, date: string, boundaries: ReadonlyArray<number>) => Effect.Effect<{ table: Table; json: unknown; ties?: boolean }, unknown, Reports | Runs>
) =>
  Effect.gen(function* () {
    const { pipeline: name } = yield* parent
    const date = Option.getOrElse(o.asOf, todayUtc)
    if (!validDate(date)) {
      yield* Console.error(`billsync report: --as-of ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    const parsed = parseBuckets(o.buckets ?? "30,60,90")
    if ("problem" in parsed) {
      yield* Console.error(`billsync report: ${parsed.problem}`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    const env = yield* loadStoreEnvironment(name)
    const layer = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(env.layer))
    const violations = yield* Effect.gen(function* () {
      const scope = yield* reportScope(env.settings.pipeline)
      const out = yield* body(scope.companyId, scope.currency, scope.integrationId, date, parsed.boundaries)
      const chosen = o.json ? "json" : o.format
      yield* Console.log(chosen === "json" ? JSON.stringify(out.json, null, 2) : chosen === "markdown" ? markdownTable(out.table) : textTable(out.table))
      if (Option.isSome(o.html)) {
        const input = yield* collectHtmlInput(env.settings.pipeline, env.settings.company, date, limitRuns, parsed.boundaries)
        mkdirSync(o.html.value, { recursive: true })
        const file = join(o.html.value, "index.html")
        writeFileSync(file, renderHtml(input))
        yield* Console.error(`billsync report: wrote ${file}`)
      }
      const found = yield* (yield* LedgerChecks).check(scope.companyId)
      return out.ties === false ? [...found, { check: "tie-out" as const, message: "the aging total does not equal the AP control account's balance (see the tie-out lines)" }] : found
    }).pipe(Effect.provide(layer))
    if (violations.length > 0) {
      for (const v of violations) yield* Console.error(`ledger invariant violated (${v.check}): ${v.message}`)
      return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
    }
  }).pipe(Effect.catchAll(reportFailure(`report ${command}`)))

const agingCommand = Command.make("aging", { asOf, json, format, html, buckets }, (o) =>
  run("aging", o, 20, (companyId, currency, _i, date, boundaries) =>
    Effect.map(Effect.flatMap(Reports, (r) => r.aging(companyId, currency, date, boundaries)), (a) => {
      const json = agingJson(a)
      return { table: agingTable(a), json, ties: json.tieOut.ties }
    })
  )
).pipe(
  Command.withDescription(
    "AP aging by vendor as of a date (computed from the journal: an --as-of in the past shows what the ledger said then), with scheduled payments beside the open balances, foreign vendors' balances in their currency, and the tie-out to the AP control account. Examples: `billsync report demo aging`, `billsync report demo aging --as-of 2025-12-31 --buckets 15,30,60,90 --format markdown`"
  )
)

const trialBalanceCommand = Command.make("trial-balance", { asOf, json, format, html }, (o) =>
  run("trial-balance", o, 20, (companyId, currency, _i, date) =>
    Effect.map(Effect.flatMap(Reports, (r) => r.trialBalance(companyId, currency, date)), (tb) => ({ table: trialBalanceTable(tb), json: trialBalanceJson(tb) }))
  )
).pipe(Command.withDescription("Trial balance of the journal as of a date (debits = credits)"))

const latePostingsCommand = Command.make("late-postings", { asOf, json, format, html }, (o) =>
  run("late-postings", o, 20, (companyId, currency, _i, date) =>
    Effect.map(Effect.flatMap(Reports, (r) => r.latePostings(companyId, date)), (rows) => ({ table: latePostingsTable(rows, currency, date), json: latePostingsJson(rows) }))
  )
).pipe(Command.withDescription("Entries posted on the first open day because the date their document asked for lies in a closed period (ledger.closedThrough)"))

const form1099Command = Command.make("1099", { asOf, json, format, html, year }, (o) =>
  run("1099", o, 20, (companyId, currency) =>
    Effect.map(Effect.flatMap(Reports, (r) => r.form1099(companyId, currency, o.year)), (r) => ({ table: form1099Table(r), json: form1099Json(r) }))
  )
).pipe(
  Command.withDescription(
    "1099 readiness: payments per vendor in a calendar year for vendors Bill.com tracks for 1099, card-funded payments excluded (1099-K), vendors without a tax id flagged. Example: `billsync report demo 1099 --year 2026 --format markdown`"
  )
)

const runsCommand = Command.make("runs", { asOf, json, format, html, limit }, (o) =>
  run("runs", o, o.limit, (_c, _cur, integrationId) =>
    Effect.map(Effect.flatMap(Runs, (r) => r.recent(integrationId, o.limit)), (runs) => ({ table: runsTable(runs), json: runsJson(runs) }))
  )
).pipe(Command.withDescription("Recent sync runs with per-stage counts, duration and errors"))

export const reportCommand = parent.pipe(
  Command.withDescription("Ledger reports: AP aging, trial balance, sync runs, late postings, 1099 (text, --json, --format markdown, --html DIR)"),
  Command.withSubcommands([agingCommand, trialBalanceCommand, runsCommand, latePostingsCommand, form1099Command])
)
