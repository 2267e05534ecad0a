import { Data, Effect } from "effect"

/**
 * A command's deliberate exit status (e.g. `validate` found problems → 1, `plan --detailed-exitcode` → 2).
 * The command has already printed what the user needs; main only sets the status.
 */
export class ExitCode extends Data.TaggedError("ExitCode")<{ readonly code: number }> {}

export { Exit } from "./exit-status.ts"

/** Says why on stderr (the log style every command shares), then ends the command with `code`. */
export const exitWith = (code: number, ...messages: ReadonlyArray<string>) =>
  Effect.forEach(messages, (m) => Effect.logError(m), { discard: true }).pipe(
    Effect.zipRight(Effect.fail(new ExitCode({ code })))
  )
