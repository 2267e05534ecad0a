import type { AlreadyProcessingMessage, MailboxFull, PersistenceError } from "@effect/cluster/ClusterError"
import type { SocketServerError } from "@effect/platform/SocketServer"
import type { SqlError } from "@effect/sql/SqlError"
import type { MigrationError } from "@effect/sql/Migrator"
import { ConfigError as EffectConfigError, Effect } from "effect"
import type { BillcomError } from "../billcom/errors.ts"
import type { CoaError } from "../coa/errors.ts"
import type { ConfigError } from "../config/errors.ts"
import type { EmulatorError } from "../emulator/index.ts"
import type { StoreError } from "../store/errors.ts"
import type { SyncError } from "../sync/errors.ts"
import type { SourceError } from "../sync/source.ts"
import { ExitCode, Exit, exitWith } from "./exit.ts"

/** The tagged errors a command can end with (ours and the database layer's); each says what happened, some also what to do. */
export type CommandFailure =
  | ConfigError
  | BillcomError
  | SourceError
  | SyncError
  | StoreError
  | CoaError
  | EmulatorError
  | SqlError
  | MigrationError
  | SocketServerError
  | PersistenceError
  | MailboxFull
  | AlreadyProcessingMessage
  | ExitCode

/** The driver's reason behind a generic SqlError ("Failed to connect": the database does not exist, the server refused…). */
const sqlCause = (error: SqlError): string => {
  const cause = error.cause instanceof Error ? error.cause.message.split("\n")[0] : undefined
  return cause !== undefined && cause !== "" && !error.message.includes(cause) ? ` (${cause})` : ""
}

const withAdvice = (message: string, advice: string | undefined) =>
  advice !== undefined ? `${message} — advice: ${advice}` : message

/**
 * How a command ends on a failure: the message (and Bill.com's advice, or the unmet conditions) on
 * stderr, one log line, exit status 1; an ExitCode passes through (the command already said why).
 * Rendered by tag — every error a command can fail with is named here, so a new one is a type
 * error, not a silent "[object Object]". An unreadable environment variable (Effect's own
 * ConfigError) is said in Effect's words. Secrets never reach these messages: errors carry
 * Bill.com's code and text, not requests.
 */
export const reportFailure =
  (command: string) =>
  (error: CommandFailure | EffectConfigError.ConfigError): Effect.Effect<never, ExitCode> => {
    const say = (text: string) => exitWith(Exit.problems, `billsync ${command}: ${text}`)
    if (EffectConfigError.isConfigError(error)) return say(`environment: ${String(error)}`)
    switch (error._tag) {
      case "ExitCode":
        return Effect.fail(error)
      case "BillcomError":
      case "SourceError":
      case "SyncError":
        return say(withAdvice(error.message, error.advice))
      case "SqlError":
        return say(`database: ${error.message}${sqlCause(error)}`)
      case "MigrationError":
        return say(`database migration: ${error.message}`)
      case "SocketServerError":
        return say(`the worker could not listen (${error.reason}): ${String(error.cause)}`)
      case "PersistenceError":
      case "MailboxFull":
      case "AlreadyProcessingMessage":
        return say(`cluster: ${error.message || error._tag}`)
      case "ConfigError":
      case "StoreError":
      case "CoaError":
      case "EmulatorError":
        return say(error.message)
    }
  }
