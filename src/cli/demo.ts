import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { rmSync } from "node:fs"
import { demoCredentials } from "../emulator/index.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { LedgerMaster } from "../store/ledger-master.ts"
import { SourceRecords } from "../store/source-records.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadEnvironment } from "../sync/environment.ts"
import { connectIntegration } from "../sync/lifecycle.ts"
import { renderErrors, renderOutcome, table } from "../sync/report.ts"
import { runSync } from "../sync/runner.ts"
import { ExitCode, Exit } from "./exit.ts"

/** Where the demo keeps its embedded database: recreated on every run so the demo always starts clean. */
export const DEMO_DATABASE_DIR = ".billsync/demo"

/** The demo pipeline's credential variables → the emulator's demo credentials (emulator credentials are not secrets). */
const demoEnv: ReadonlyArray<[string, string]> = [
  ["BILLCOM_DEMO_USERNAME", demoCredentials.username],
  ["BILLCOM_DEMO_PASSWORD", demoCredentials.password],
  ["BILLCOM_DEMO_DEV_KEY", demoCredentials.devKey]
]

/**
 * `billsync demo` (= `npm run demo`): the in-process emulator (demo organisation) + a fresh embedded
 * PGlite (or DATABASE_URL when set): connect, initial seed, full sync, then what landed.
 */
export const demoCommand = Command.make("demo", {}, () =>
  Effect.gen(function* () {
    const started = Date.now()
    for (const [name, value] of demoEnv) {
      if (process.env[name] === undefined) {
        process.env[name] = value
        yield* Console.error(`demo: ${name} is unset; using the emulator's demo credential`)
      }
    }
    const useServer = process.env["DATABASE_URL"] !== undefined && process.env["DATABASE_URL"] !== ""
    if (!useServer) {
      rmSync(DEMO_DATABASE_DIR, { recursive: true, force: true })
      rmSync(`${DEMO_DATABASE_DIR}.lock`, { force: true })
    }
    yield* Console.error(`demo: database = ${useServer ? "DATABASE_URL" : `fresh embedded PGlite at ${DEMO_DATABASE_DIR}`}; Bill.com = in-process emulator (demo organisation)`)
    const env = yield* loadEnvironment("demo", useServer ? {} : { database: { _tag: "Embedded", dataDir: DEMO_DATABASE_DIR } })
    const program = Effect.gen(function* () {
      const connected = yield* connectIntegration(env.settings, { persist: true })
      yield* Console.log(`Connected to Bill.com organization ${connected.session.organizationId} as user ${connected.session.userId}.\n`)
      const outcome = yield* runSync(env.settings, { fullRefresh: false, dryRun: false, wait: false })
      yield* Console.log(renderOutcome(outcome))
      const companyId = outcome.integration.companyId!
      const counts = yield* (yield* LedgerMaster).counts(companyId)
      yield* Console.log(`\nWhat landed in the ledger (company ${env.settings.company}):\n${table(["table", "rows"], counts.map((c) => [c.table, c.rows]))}`)
      const skipped = yield* (yield* SourceRecords).skippedByReason(outcome.integration.id)
      yield* Console.log(`\nPulled but not imported, by reason:\n${table(["kind", "outcome", "reason", "records"], skipped.map((s) => [s.kind, s.outcome, s.reason, s.n]))}`)
      const errors = yield* (yield* IntegrationErrors).open(outcome.integration.id, undefined)
      yield* Console.log(`\n${renderErrors(errors.slice(0, 5))}${errors.length > 5 ? `\n… and ${errors.length - 5} more: billsync errors demo` : ""}`)
      yield* Console.log(`\nDemo finished in ${((Date.now() - started) / 1000).toFixed(1)}s.`)
      if (outcome.runs.some((r) => r.status === "failed") || outcome.unmet.length > 0) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
    })
    yield* program.pipe(Effect.provide(env.layer))
  }).pipe(Effect.catchAll(reportFailure("demo")))
).pipe(Command.withDescription("Run a real sync end to end: built-in Bill.com emulator (demo organisation) → embedded Postgres"))
