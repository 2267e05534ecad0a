import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { agingCsv, errorsCsv } from "../ledger/csv.ts"
import { renderHtml } from "../ledger/html.ts"
import { LedgerChecks } from "../ledger/invariants.ts"
import { agingJson, agingTable, markdownTable, runsJson, runsTable, textTable, trialBalanceJson, trialBalanceTable, type Table } from "../ledger/render.ts"
import { collectHtmlInput, reportScope, todayUtc } from "../ledger/report-data.ts"
import { Reports } from "../ledger/reports.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadStoreEnvironment } from "../sync/environment.ts"
import { ExitCode, Exit } from "./exit.ts"

/**
 * `billsync report <pipeline> aging|trial-balance|runs`: read-only reports from the journal and the
 * run history. Text on a terminal, `--json`, `--format markdown` (a GitHub job summary), and
 * `--html DIR` writes DIR/index.html, a self-contained page a scheduled workflow can upload.
 * Exit 1 when a ledger invariant is violated (they are printed on stderr).
 */
const pipeline = Args.text({ name: "pipeline" }).pipe(Args.withDescription("Pipeline name (pipelines/<name>.yaml) or path"))
const asOf = Options.text("as-of").pipe(Options.optional, Options.withDescription("Report date YYYY-MM-DD (default: today, UTC)"))
const json = Options.boolean("json").pipe(Options.withDescription("Print as JSON (same as --format json)"))
const format = Options.choice("format", ["text", "markdown", "json"]).pipe(Options.withDefault("text" as const), Options.withDescription("Output format"))
const html = Options.directory("html").pipe(Options.optional, Options.withDescription("Also write a self-contained HTML report to DIR/index.html"))
const limit = Options.integer("limit").pipe(Options.withDefault(20), Options.withDescription("How many recent runs"))

const parent = Command.make("report", { pipeline })

const validDate = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)

interface Common {
  readonly asOf: Option.Option<string>
  readonly json: boolean
  readonly format: "text" | "markdown" | "json"
  readonly html: Option.Option<string>
}

/** Loads the pipeline, opens the database, renders the chosen report, writes the HTML, checks the invariants. */
const run = (command: string, o: Common, limitRuns: number, body: (companyId: number, currency: string, integrationId: number, date: string) => Effect.Effect<{ table: Table; json: unknown }, unknown, Reports | Runs>) =>
  Effect.gen(function* () {
    const { pipeline: name } = yield* parent
    const date = Option.getOrElse(o.asOf, todayUtc)
    if (!validDate(date)) {
      yield* Console.error(`billsync report: --as-of ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    const env = yield* loadStoreEnvironment(name)
    const layer = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(env.layer))
    const violations = yield* Effect.gen(function* () {
      const scope = yield* reportScope(env.settings.pipeline)
      const out = yield* body(scope.companyId, scope.currency, scope.integrationId, date)
      const chosen = o.json ? "json" : o.format
      yield* Console.log(chosen === "json" ? JSON.stringify(out.json, null, 2) : chosen === "markdown" ? markdownTable(out.table) : textTable(out.table))
      if (Option.isSome(o.html)) {
        const input = yield* collectHtmlInput(env.settings.pipeline, env.settings.company, date, limitRuns)
        mkdirSync(o.html.value, { recursive: true })
        const file = join(o.html.value, "index.html")
        writeFileSync(file, renderHtml({ ...input, csv: true }))
        writeFileSync(join(o.html.value, "aging.csv"), agingCsv(input.aging))
        writeFileSync(join(o.html.value, "errors.csv"), errorsCsv(input.openErrors, input.errorContext))
        yield* Console.error(`billsync report: wrote ${file} (with aging.csv and errors.csv)`)
      }
      return yield* (yield* LedgerChecks).check(scope.companyId)
    }).pipe(Effect.provide(layer))
    if (violations.length > 0) {
      for (const v of violations) yield* Console.error(`ledger invariant violated (${v.check}): ${v.message}`)
      return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
    }
  }).pipe(Effect.catchAll(reportFailure(`report ${command}`)))

const agingCommand = Command.make("aging", { asOf, json, format, html }, (o) =>
  run("aging", o, 20, (companyId, currency, _i, date) =>
    Effect.map(Effect.flatMap(Reports, (r) => r.aging(companyId, currency, date)), (a) => ({ table: agingTable(a), json: agingJson(a) }))
  )
).pipe(Command.withDescription("AP aging by vendor: current, 1–30, 31–60, 61–90, 90+ days past due, as of a date"))

const trialBalanceCommand = Command.make("trial-balance", { asOf, json, format, html }, (o) =>
  run("trial-balance", o, 20, (companyId, currency, _i, date) =>
    Effect.map(Effect.flatMap(Reports, (r) => r.trialBalance(companyId, currency, date)), (tb) => ({ table: trialBalanceTable(tb), json: trialBalanceJson(tb) }))
  )
).pipe(Command.withDescription("Trial balance of the journal as of a date (debits = credits)"))

const runsCommand = Command.make("runs", { asOf, json, format, html, limit }, (o) =>
  run("runs", o, o.limit, (_c, _cur, integrationId) =>
    Effect.map(Effect.flatMap(Runs, (r) => r.recent(integrationId, o.limit)), (runs) => ({ table: runsTable(runs), json: runsJson(runs) }))
  )
).pipe(Command.withDescription("Recent sync runs with per-stage counts, duration and errors"))

export const reportCommand = parent.pipe(
  Command.withDescription("Ledger reports: AP aging, trial balance, sync runs (text, --json, --format markdown, --html DIR)"),
  Command.withSubcommands([agingCommand, trialBalanceCommand, runsCommand])
)
