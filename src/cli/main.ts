import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Logger, LogLevel } from "effect"
import { ExitCode, Exit } from "./exit.ts"
import { commands } from "./commands.ts"

const root = Command.make("billsync").pipe(
  Command.withDescription("Keep a Postgres general ledger aligned with Bill.com, configured as code."),
  Command.withSubcommands(commands)
)

const cli = Command.run(root, { name: "billsync", version: "0.1.0" })

/** Exit statuses: 0 ok, 1 problems found / run failed, 2 plan has changes (--detailed-exitcode), 64 usage error (bad flag, unknown command). */
const program = cli(process.argv).pipe(
  Effect.catchAll((error: unknown) =>
    Effect.sync(() => {
      if (error instanceof ExitCode) process.exitCode = error.code
      else if (ValidationError.isValidationError(error)) {
        // @effect/cli has printed the usage problem already; --help is not an error.
        process.exitCode = ValidationError.isHelpRequested(error) ? Exit.ok : Exit.usage
      } else {
        process.stderr.write(`billsync: ${error instanceof Error ? error.message : String(error)}\n`)
        process.exitCode = Exit.problems
      }
    })
  ),
  Effect.catchAllDefect((defect) =>
    Effect.sync(() => {
      process.stderr.write(`billsync: internal error: ${Cause.pretty(Cause.die(defect))}\n`)
      process.exitCode = Exit.problems
    })
  ),
  // Logs go to stderr so stdout stays machine-readable (--json, --format github).
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.prettyLogger({ stderr: true, colors: false }))),
  Logger.withMinimumLogLevel(process.env["BILLSYNC_LOG_LEVEL"] === "debug" ? LogLevel.Debug : LogLevel.Info),
  Effect.provide(NodeContext.layer)
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
