import { Cause, Context, FiberRef, FiberRefs, HashMap, Inspectable, Logger, LogLevel } from "effect"
import { type SecretRegistry, Secrets } from "../billcom/secrets.ts"

/**
 * billsync's one log style on stderr (stdout stays the command's output: tables, --json, annotations):
 *
 *   2026-12-02T17:11:12.958Z INFO  database migrated: 1_integration_state, … stage=bills pipeline=demo
 *
 * UTC ISO timestamps with the date, the level, the message, the annotations as key=value on the same
 * line; no fiber ids. BILLSYNC_LOG_FORMAT=json writes one JSON object a line instead
 * ({"time","level","message",…annotations}) for log collectors. Secrets never reach a log: errors
 * carry Bill.com's code and text, never requests, credentials are Redacted, and every line is
 * scrubbed of the secret values the process knows (src/billcom/secrets.ts) — Bill.com may quote them.
 */
export type LogFormat = "text" | "json"

export const logFormatFromEnv = (env: NodeJS.ProcessEnv = process.env): LogFormat =>
  env["BILLSYNC_LOG_FORMAT"]?.trim().toLowerCase() === "json" ? "json" : "text"

export const logLevelFromEnv = (env: NodeJS.ProcessEnv = process.env): LogLevel.LogLevel => {
  switch (env["BILLSYNC_LOG_LEVEL"]?.trim().toLowerCase()) {
    case "debug":
      return LogLevel.Debug
    case "warning":
    case "warn":
      return LogLevel.Warning
    case "error":
      return LogLevel.Error
    default:
      return LogLevel.Info
  }
}

const text = (value: unknown): string => (typeof value === "string" ? value : Inspectable.toStringUnknown(value, 0))

const messageText = (message: unknown): string => (Array.isArray(message) ? message.map(text).join(" ") : text(message))

/** key=value, quoted when the value has spaces, quotes or is empty. */
const pair = (key: string, value: unknown): string => {
  const v = text(value)
  return `${key}=${v === "" || /[\s"=]/.test(v) ? JSON.stringify(v) : v}`
}

const levelName = (level: LogLevel.LogLevel): string => (level.label === "WARN" ? "WARN" : level.label)

/** One line for one log event (no trailing newline), scrubbed of secret values. */
export const formatLogLine = (
  format: LogFormat,
  event: {
    readonly date: Date
    readonly logLevel: LogLevel.LogLevel
    readonly message: unknown
    readonly annotations: HashMap.HashMap<string, unknown>
    readonly cause: Cause.Cause<unknown>
  },
  secrets: SecretRegistry
): string => secrets.scrub(formatLogLineRaw(format, event))

const formatLogLineRaw = (
  format: LogFormat,
  event: {
    readonly date: Date
    readonly logLevel: LogLevel.LogLevel
    readonly message: unknown
    readonly annotations: HashMap.HashMap<string, unknown>
    readonly cause: Cause.Cause<unknown>
  }
): string => {
  const message = messageText(event.message)
  const annotations = [...HashMap.toEntries(event.annotations)]
  const cause = Cause.isEmpty(event.cause) ? undefined : Cause.pretty(event.cause).split("\n")[0]
  if (format === "json") {
    return JSON.stringify({
      time: event.date.toISOString(),
      level: levelName(event.logLevel),
      message,
      ...Object.fromEntries(
        annotations.map(([k, v]) => [
          k,
          typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? v : text(v)
        ])
      ),
      ...(cause !== undefined ? { cause } : {})
    })
  }
  const fields = annotations.map(([k, v]) => pair(k, v))
  return [
    event.date.toISOString(),
    levelName(event.logLevel).padEnd(5),
    message,
    ...fields,
    ...(cause !== undefined ? [pair("cause", cause)] : [])
  ].join(" ")
}

/** The logger every command runs with: one line per event on stderr, scrubbed with the logging fiber's Secrets. */
export const stderrLogger = (format: LogFormat) =>
  Logger.make((options) => {
    const secrets = Context.get(FiberRefs.getOrDefault(options.context, FiberRef.currentContext), Secrets)
    process.stderr.write(`${formatLogLine(format, options, secrets)}\n`)
  })
