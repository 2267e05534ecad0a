import { Console, Effect } from "effect"
import { rmSync } from "node:fs"
import { emulatorEmbeddedDir, ledgerMarkerOf } from "../store/database.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { LedgerMaster } from "../store/ledger-master.ts"
import { SourceRecords } from "../store/source-records.ts"
import { reportFailure } from "./failure.ts"
import { loadEnvironment } from "./environment.ts"
import { connectIntegration } from "../sync/lifecycle.ts"
import { renderErrors, renderOutcome, table } from "./tables.ts"
import { runSync } from "../sync/runner.ts"
import { ExitCode, Exit } from "./exit.ts"
import { makeProgress, progressModeFor } from "./progress.ts"

/** The demo pipeline's credential variables → the emulator's demo credentials (emulator credentials are not secrets). */
/** How many open errors the demo prints in full (all of them: `billsync errors demo`). */
const ERRORS_SHOWN = 5

/**
 * `billsync demo` (= `npm run demo`): the in-process emulator (demo organisation) + the embedded
 * database of emulator pipelines (or DATABASE_URL when set): connect, initial seed, full sync, then
 * what landed. It writes where `billsync status demo`, `errors demo` and `report demo …` read, so
 * those show the demo's data afterwards; the default embedded database is started afresh each time.
 */
export const run = (_: {}) =>
  Effect.gen(function* () {
    const started = Date.now()
    const useServer = process.env["DATABASE_URL"] !== undefined && process.env["DATABASE_URL"].trim() !== ""
    const ownDir = !useServer && (process.env["BILLSYNC_EMBEDDED_DIR"] ?? "") === ""
    if (ownDir) {
      rmSync(emulatorEmbeddedDir, { recursive: true, force: true })
      rmSync(`${emulatorEmbeddedDir}.lock`, { force: true })
      rmSync(ledgerMarkerOf(emulatorEmbeddedDir), { force: true })
    }
    const env = yield* loadEnvironment("demo", { ephemeral: true })
    const where =
      env.target._tag === "Url"
        ? "the database at DATABASE_URL"
        : `the embedded database at ${env.target.dataDir}${ownDir ? " (started afresh)" : ""}`
    yield* Effect.logInfo(`billsync demo: database = ${where}; Bill.com = in-process emulator (demo organisation)`)
    const program = Effect.gen(function* () {
      const connected = yield* connectIntegration(env.settings, { persist: true })
      yield* Console.log(
        `Connected to Bill.com organization ${connected.session.organizationId} as user ${connected.session.userId}.\n`
      )
      const progress = yield* makeProgress(progressModeFor(process.stderr))
      const outcome = yield* runSync(env.settings, {
        fullRefresh: false,
        dryRun: false,
        wait: false,
        onProgress: progress.onProgress
      })
      yield* Console.log(renderOutcome(outcome))
      const companyId = outcome.integration.companyId!
      const counts = yield* (yield* LedgerMaster).counts(companyId)
      yield* Console.log(
        `\nWhat landed in the ledger (company ${env.settings.company}):\n${table(
          ["table", "rows"],
          counts.map((c) => [c.table, c.rows])
        )}`
      )
      const skipped = yield* (yield* SourceRecords).skippedByReason(outcome.integration.id)
      yield* Console.log(
        `\nPulled but not imported, by reason:\n${table(
          ["kind", "outcome", "reason", "records"],
          skipped.map((s) => [s.kind, s.outcome, s.reason, s.n])
        )}`
      )
      const errors = yield* (yield* IntegrationErrors).open(outcome.integration.id, undefined)
      yield* Console.log(`\n${renderErrors(errors, { shown: ERRORS_SHOWN, pipeline: "demo" })}`)
      yield* Console.log(
        `\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)}s. Its data stays in ${where.replace(" (started afresh)", "")}:\n` +
          "  billsync status demo          setup check, runs, open errors\n" +
          "  billsync errors demo          every open integration error\n" +
          "  billsync report demo aging    AP aging (also trial-balance, runs; --html DIR)"
      )
      if (outcome.runs.some((r) => r.status === "failed") || outcome.unmet.length > 0)
        return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
    })
    yield* program.pipe(Effect.provide(env.layer), Effect.scoped)
  }).pipe(Effect.catchAll(reportFailure("demo")))
