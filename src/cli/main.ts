import { CommanderError } from "commander"
import { Exit } from "./exit-status.ts"
import { buildProgram } from "./program.ts"
import { installEarlyExit } from "./signals.ts"

/**
 * `billsync`: parse the command line (program.ts, commander only) and run the chosen command, whose
 * module is imported only then. Usage errors — unknown command or option (with "did you mean"),
 * a missing or bad argument, conflicting flags — exit 64 (EX_USAGE; 2 means
 * only "the plan has changes" under `plan coa --detailed-exitcode`); --help and --version exit 0.
 */
const VERSION = "0.1.0"

// SIGINT/SIGTERM before a command runs: nothing was written; `sync --json` still prints its one summary.
installEarlyExit((signal) => {
  const args = process.argv.slice(2)
  if (args[0] !== "sync" || !args.includes("--json")) return
  const message = `interrupted by ${signal} while billsync was starting: no run had started, nothing was written`
  process.stdout.write(
    `${JSON.stringify({ pipeline: args[1], runs: [], setupNotCompleted: [], interrupted: message }, null, 2)}\n`
  )
})

// `billsync errors demo | head`: the reader went away; the rest of the output has nowhere to go, so
// stop quietly (the status so far) instead of dying with an EPIPE stack — for every command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error
    process.exit(process.exitCode ?? Exit.ok)
  })
}

try {
  await buildProgram(VERSION).parseAsync(process.argv)
} catch (error) {
  if (!(error instanceof CommanderError)) throw error
  process.exitCode = error.exitCode === 0 ? Exit.ok : Exit.usage
}
