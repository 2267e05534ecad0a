import { Console, Effect } from "effect"
import { ExitCode, Exit } from "../cli/exit.ts"

const field = (e: unknown, name: string): unknown => (typeof e === "object" && e !== null ? (e as Record<string, unknown>)[name] : undefined)

/**
 * How the sync commands end on a failure: the message (and Bill.com's advice, or the unmet
 * conditions) on stderr, exit status 1. Secrets never reach these messages: errors carry
 * Bill.com's code and text, not requests.
 */
export const reportFailure = (command: string) => (error: unknown) =>
  Effect.gen(function* () {
    if (error instanceof ExitCode) return yield* Effect.fail(error)
    const message = field(error, "message")
    yield* Console.error(`billsync ${command}: ${typeof message === "string" && message !== "" ? message : String(error)}`)
    const advice = field(error, "advice")
    if (typeof advice === "string") yield* Console.error(`  advice: ${advice}`)
    return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
  })

/** Progress lines on stderr, only when it is a terminal (CI logs get the final table instead). */
export const progressEnabled = (): boolean => process.stderr.isTTY === true
