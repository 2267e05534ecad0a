import { CommanderError } from "commander"
import { Exit } from "./exit-status.ts"
import { buildProgram } from "./program.ts"
import { scrubStream } from "../billcom/secrets.ts"

/**
 * `billsync`: parse the command line (program.ts, commander only) and run the chosen command, whose
 * module is imported only then. Usage errors — unknown command or option (with "did you mean"),
 * a missing or bad argument, conflicting flags — exit 64 (EX_USAGE; 2 means
 * only "the plan has changes" under `plan coa --detailed-exitcode`); --help and --version exit 0.
 */
const VERSION = "0.1.0"

// Whatever a command prints, secret values it learnt (credentials, session ids) never leave the process.
scrubStream(process.stdout)
scrubStream(process.stderr)

try {
  await buildProgram(VERSION).parseAsync(process.argv)
} catch (error) {
  if (!(error instanceof CommanderError)) throw error
  process.exitCode = error.exitCode === 0 ? Exit.ok : Exit.usage
}
