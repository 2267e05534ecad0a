import type { FileSystem, Path, Terminal } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Layer, Logger } from "effect"
import { makeSecretRegistry, Secrets } from "../billcom/secrets.ts"
import { IntegrationLocks } from "../sync/integration-locks.ts"
import { Exit, type ExitCode } from "./exit.ts"
import { logFormatFromEnv, logLevelFromEnv, stderrLogger } from "./log.ts"
import { installSignalHandlers, receivedSignal, signalExitStatus } from "./signals.ts"

// Whatever a command prints, secret values it learnt (credentials, session ids) never leave the
// process. Installed when a command is about to run (this module loads before any command's own),
// not in main.ts: `--help` and usage errors load nothing of Bill.com's.
// One registry for the process (why: billcom/secrets.ts), created here and provided to the command.
const secrets = makeSecretRegistry()
secrets.scrubStream(process.stdout)
secrets.scrubStream(process.stderr)

/** What a command's `run` may use from the CLI's environment. */
export type CliEnvironment = FileSystem.FileSystem | Path.Path | Terminal.Terminal | IntegrationLocks

/**
 * Runs one command's Effect (loaded lazily by program.ts) to completion. Exit statuses: 0 ok,
 * 1 problems found / run failed, 2 plan has changes (plan coa --detailed-exitcode), 64 usage error;
 * a command sets its own with ExitCode after printing
 * what the user needs. Logs go to stderr in one style (log.ts) so stdout stays machine-readable.
 * SIGINT/SIGTERM (signals.ts): a command that registered a graceful stop finishes what it must and
 * prints its summary; any other is interrupted (finalizers run); the status is then 130 / 143.
 */
export const runCommand = (command: Effect.Effect<void, ExitCode, CliEnvironment>): Promise<void> =>
  new Promise((done) => {
    const program = command.pipe(
      // Every command renders its failures itself (failure.ts reportFailure) and ends with the exit status.
      Effect.catchTag("ExitCode", (error) =>
        Effect.sync(() => {
          process.exitCode = error.code
        })
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
      Effect.provide(Logger.replace(Logger.defaultLogger, stderrLogger(logFormatFromEnv()))),
      Logger.withMinimumLogLevel(logLevelFromEnv()),
      // Built once per process: every run of a pipeline in it shares the in-process lock (sync/lock.ts).
      Effect.provide(Layer.mergeAll(NodeContext.layer, IntegrationLocks.layer, Layer.succeed(Secrets, secrets)))
    )
    // What NodeRuntime.runMain does, with the signals' exit status (runMain's is 0 after an interruption).
    const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
    const fiber = Effect.runFork(program)
    const uninstall = installSignalHandlers(() => fiber.unsafeInterruptAsFork(fiber.id()))
    fiber.addObserver(() => {
      uninstall()
      clearInterval(keepAlive)
      const signal = receivedSignal()
      if (signal !== undefined) process.exit(signalExitStatus[signal])
      done()
    })
  })
