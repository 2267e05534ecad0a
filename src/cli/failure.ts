import { Effect } from "effect"
import { ExitCode, Exit, exitWith } from "./exit.ts"

const field = (e: unknown, name: string): unknown => (typeof e === "object" && e !== null ? (e as Record<string, unknown>)[name] : undefined)

/**
 * How the sync commands end on a failure: the message (and Bill.com's advice, or the unmet
 * conditions) on stderr, one log line, exit status 1. Secrets never reach these messages: errors
 * carry Bill.com's code and text, not requests.
 */
export const reportFailure = (command: string) => (error: unknown) => {
  if (error instanceof ExitCode) return Effect.fail(error)
  const message = field(error, "message")
  const advice = field(error, "advice")
  return exitWith(
    Exit.problems,
    `billsync ${command}: ${typeof message === "string" && message !== "" ? message : String(error)}${typeof advice === "string" ? ` — advice: ${advice}` : ""}`
  )
}
