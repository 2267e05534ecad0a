import type { FileSystem, Path, Terminal } from "@effect/platform"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Logger } from "effect"
import { ExitCode, Exit } from "./exit.ts"
import { logFormatFromEnv, logLevelFromEnv, stderrLogger } from "./log.ts"

/** What a command's `run` may use from the CLI's environment. */
export type CliEnvironment = FileSystem.FileSystem | Path.Path | Terminal.Terminal

/**
 * Runs one command's Effect (loaded lazily by program.ts) to completion. Exit statuses: 0 ok,
 * 1 problems found / run failed, 2 plan has changes (plan coa --detailed-exitcode), 64 usage error;
 * a command sets its own with ExitCode after printing
 * what the user needs. Logs go to stderr in one style (log.ts) so stdout stays machine-readable.
 */
export const runCommand = (command: Effect.Effect<void, unknown, CliEnvironment>): Promise<void> =>
  new Promise((done) => {
    const program = command.pipe(
      Effect.catchAll((error: unknown) =>
        error instanceof ExitCode
          ? Effect.sync(() => {
              process.exitCode = error.code
            })
          : Effect.logError(`billsync: ${error instanceof Error ? error.message : String(error)}`).pipe(
              Effect.zipRight(
                Effect.sync(() => {
                  process.exitCode = Exit.problems
                })
              )
            )
      ),
      Effect.catchAllDefect((defect) =>
        Effect.logError(`billsync: internal error: ${Cause.pretty(Cause.die(defect))}`).pipe(
          Effect.zipRight(
            Effect.sync(() => {
              process.exitCode = Exit.problems
            })
          )
        )
      ),
      Effect.ensuring(Effect.sync(done)),
      Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger(logFormatFromEnv()))),
      Logger.withMinimumLogLevel(logLevelFromEnv()),
      Effect.provide(NodeContext.layer)
    )
    NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
  })
