import { Console, Effect, Layer } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { renderHtml } from "../ledger/html.ts"
import { describeInvariants, invariantsStatus, LedgerChecks, type InvariantsCheck } from "../ledger/invariants.ts"
import { agingJson, agingTable, markdownTable, runsJson, runsTable, textTable, trialBalanceJson, trialBalanceTable, type Table } from "../ledger/render.ts"
import { collectHtmlInput, reportScope, todayUtc } from "../ledger/report-data.ts"
import { Reports } from "../ledger/reports.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadStoreEnvironment } from "../sync/environment.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ReportOptions } from "./program.ts"

/**
 * `billsync report <pipeline> aging|trial-balance|runs`: read-only reports from the journal and the
 * run history. Text on a terminal, `--json`, `--format markdown` (a GitHub job summary), and
 * `--html DIR` writes DIR/index.html, a self-contained page a scheduled workflow can upload.
 * Every format says how the ledger invariants stand ("no entries to check" on an empty journal);
 * exit 1 when one is violated (each printed on stderr).
 */
const validDate = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)

const invariantsJson = (c: InvariantsCheck) => ({ status: invariantsStatus(c), entriesChecked: c.entriesChecked, violations: c.violations })

const withInvariants = (json: unknown, c: InvariantsCheck) =>
  Array.isArray(json) ? { runs: json, invariants: invariantsJson(c) } : { ...(json as object), invariants: invariantsJson(c) }

const withInvariantsNote = (t: Table, c: InvariantsCheck): Table => ({ ...t, notes: [...(t.notes ?? []), `Ledger invariants: ${describeInvariants(c)}.`] })

const body = (o: ReportOptions, companyId: number, currency: string, integrationId: number, date: string) =>
  Effect.gen(function* () {
    const reports = yield* Reports
    switch (o.report) {
      case "aging": {
        const a = yield* reports.aging(companyId, currency, date)
        return { table: agingTable(a), json: agingJson(a) as unknown }
      }
      case "trial-balance": {
        const tb = yield* reports.trialBalance(companyId, currency, date)
        return { table: trialBalanceTable(tb), json: trialBalanceJson(tb) as unknown }
      }
      case "runs": {
        const runs = yield* (yield* Runs).recent(integrationId, o.limit)
        return { table: runsTable(runs), json: runsJson(runs) as unknown }
      }
    }
  })

export const run = (o: ReportOptions) =>
  Effect.gen(function* () {
    const date = o.asOf ?? todayUtc()
    if (!validDate(date)) return yield* exitWith(Exit.usage, `billsync report: --as-of ${JSON.stringify(date)} is not a date (YYYY-MM-DD)`)
    const env = yield* loadStoreEnvironment(o.pipeline)
    const layer = Layer.mergeAll(Reports.Default, LedgerChecks.Default).pipe(Layer.provideMerge(env.layer))
    const checked = yield* Effect.gen(function* () {
      const scope = yield* reportScope(env.settings.pipeline)
      const out = yield* body(o, scope.companyId, scope.currency, scope.integrationId, date)
      const invariants = yield* (yield* LedgerChecks).checkAll(scope.companyId)
      const chosen = o.json ? "json" : o.format
      yield* Console.log(
        chosen === "json"
          ? JSON.stringify(withInvariants(out.json, invariants), null, 2)
          : chosen === "markdown"
            ? markdownTable(withInvariantsNote(out.table, invariants))
            : textTable(withInvariantsNote(out.table, invariants))
      )
      if (o.html !== undefined) {
        const input = yield* collectHtmlInput(env.settings.pipeline, env.settings.company, date, o.limit)
        mkdirSync(o.html, { recursive: true })
        const file = join(o.html, "index.html")
        writeFileSync(file, renderHtml(input))
        yield* Effect.logInfo(`billsync report: wrote ${file}`)
      }
      return invariants
    }).pipe(Effect.provide(layer))
    if (checked.violations.length > 0) {
      return yield* exitWith(Exit.problems, ...checked.violations.map((v) => `ledger invariant violated (${v.check}): ${v.message}`))
    }
  }).pipe(Effect.catchAll(reportFailure(`report ${o.report}`)))
