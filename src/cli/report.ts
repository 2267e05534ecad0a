import { Console, Effect, Layer } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { agingCsv, errorsCsv } from "../ledger/csv.ts"
import { renderHtml } from "../ledger/html.ts"
import { Secrets } from "../billcom/secrets.ts"
import { describeInvariants, invariantsStatus, LedgerChecks, type InvariantsCheck } from "../ledger/invariants.ts"
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
import { reportFailure } from "./failure.ts"
import { loadStoreEnvironment } from "./environment.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ReportOptions } from "./options.ts"

/**
 * `billsync report <pipeline> aging|trial-balance|runs|late-postings|1099`: read-only reports from
 * the journal and the run history. Text on a terminal, `--json`, `--format markdown` (a GitHub job
 * summary), and `--html DIR` writes DIR/index.html, a self-contained page a scheduled workflow can
 * upload, with DIR/aging.csv and DIR/errors.csv beside it (linked from the page). Every format says how the ledger invariants stand ("no entries to check" on an empty
 * journal); exit 1 when one is violated (each printed on stderr) or the aging does not tie to the
 * AP control account.
 */
const validDate = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) &&
  !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
  new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)

/** `--buckets 30,60,90` as numbers, or the reason it is unusable. */
const parseBuckets = (text: string): { boundaries: Array<number> } | { problem: string } => {
  const parts = text.split(",").map((p) => p.trim())
  const boundaries = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN))
  if (boundaries.some(Number.isNaN))
    return {
      problem: `--buckets ${JSON.stringify(text)}: give whole numbers of days separated by commas, e.g. 30,60,90`
    }
  const problem = bucketsProblem(boundaries)
  return problem === undefined ? { boundaries } : { problem: `--buckets ${JSON.stringify(text)}: ${problem}` }
}

const invariantsJson = (c: InvariantsCheck) => ({
  status: invariantsStatus(c),
  entriesChecked: c.entriesChecked,
  violations: c.violations
})

const withInvariants = (json: unknown, c: InvariantsCheck) =>
  Array.isArray(json)
    ? { runs: json, invariants: invariantsJson(c) }
    : { ...(json as object), invariants: invariantsJson(c) }

const withInvariantsNote = (t: Table, c: InvariantsCheck): Table => ({
  ...t,
  notes: [...(t.notes ?? []), `Ledger invariants: ${describeInvariants(c)}.`]
})

const body = (
  o: ReportOptions,
  year: number,
  companyId: number,
  currency: string,
  integrationId: number,
  date: string,
  boundaries: ReadonlyArray<number>
) =>
  Effect.gen(function* () {
    const reports = yield* Reports
    switch (o.report) {
      case "aging": {
        const a = yield* reports.aging(companyId, currency, date, boundaries)
        const json = agingJson(a)
        return { table: agingTable(a), json: json as unknown, ties: json.tieOut.ties }
      }
      case "trial-balance": {
        const tb = yield* reports.trialBalance(companyId, currency, date)
        return { table: trialBalanceTable(tb), json: trialBalanceJson(tb) as unknown }
      }
      case "runs": {
        const runs = yield* (yield* Runs).recent(integrationId, o.limit)
        return { table: runsTable(runs), json: runsJson(runs) as unknown }
      }
      case "late-postings": {
        const rows = yield* reports.latePostings(companyId, date)
        return { table: latePostingsTable(rows, currency, date), json: latePostingsJson(rows) as unknown }
      }
      case "1099": {
        const r = yield* reports.form1099(companyId, currency, year)
        return { table: form1099Table(r), json: form1099Json(r) as unknown }
      }
    }
  })

export const run = (o: ReportOptions) =>
  Effect.gen(function* () {
    const date = o.asOf ?? todayUtc()
    if (!validDate(date))
      return yield* exitWith(Exit.usage, `billsync report: --as-of ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`)
    const parsed = parseBuckets(o.buckets)
    if ("problem" in parsed) return yield* exitWith(Exit.usage, `billsync report: ${parsed.problem}`)
    if (o.report === "1099" && o.year === undefined)
      return yield* exitWith(Exit.usage, "billsync report 1099: --year is required (e.g. --year 2026)")
    const year = o.year ?? 0
    const env = yield* loadStoreEnvironment(o.pipeline)
    const layer = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(env.layer))
    const checked = yield* Effect.gen(function* () {
      const scope = yield* reportScope(env.settings.pipeline)
      const out = yield* body(o, year, scope.companyId, scope.currency, scope.integrationId, date, parsed.boundaries)
      const checked = yield* (yield* LedgerChecks).checkAll(scope.companyId)
      const tieOut = {
        check: "tie-out" as const,
        message: "the aging total does not equal the AP control account's balance (see the tie-out lines)"
      }
      const invariants =
        "ties" in out && out.ties === false ? { ...checked, violations: [...checked.violations, tieOut] } : checked
      const chosen = o.json ? "json" : o.format
      yield* Console.log(
        chosen === "json"
          ? JSON.stringify(withInvariants(out.json, invariants), null, 2)
          : chosen === "markdown"
            ? markdownTable(withInvariantsNote(out.table, invariants))
            : textTable(withInvariantsNote(out.table, invariants))
      )
      if (o.html !== undefined) {
        const input = yield* collectHtmlInput(
          env.settings.pipeline,
          env.settings.company,
          date,
          o.limit,
          parsed.boundaries
        )
        mkdirSync(o.html, { recursive: true })
        const file = join(o.html, "index.html")
        // Scrubbed like every output (secrets.ts): CI uploads these pages.
        const { scrub } = yield* Secrets
        writeFileSync(file, scrub(renderHtml({ ...input, csv: true })))
        writeFileSync(join(o.html, "aging.csv"), scrub(agingCsv(input.aging)))
        writeFileSync(join(o.html, "errors.csv"), scrub(errorsCsv(input.openErrors, input.errorContext)))
        yield* Effect.logInfo(`billsync report: wrote ${file} (with aging.csv and errors.csv)`)
      }
      return invariants
    }).pipe(Effect.provide(layer))
    if (checked.violations.length > 0) {
      return yield* exitWith(
        Exit.problems,
        ...checked.violations.map((v) => `ledger invariant violated (${v.check}): ${v.message}`)
      )
    }
  }).pipe(Effect.catchAll(reportFailure(`report ${o.report}`)))
