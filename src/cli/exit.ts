import { Data } from "effect"

/**
 * A command's deliberate exit status (e.g. `validate` found problems → 1, `plan --detailed-exitcode` → 2).
 * The command has already printed what the user needs; main only sets the status.
 */
export class ExitCode extends Data.TaggedError("ExitCode")<{ readonly code: number }> {}

/**
 * Conventional statuses shared by every command. 2 is reserved for `plan coa --detailed-exitcode`
 * ("the plan has changes", as Terraform), so a usage error has its own status: 64, sysexits' EX_USAGE.
 */
export const Exit = {
  ok: 0,
  problems: 1,
  changes: 2,
  usage: 64
} as const
