import { Clock, Duration, Effect, Fiber, Schedule } from "effect"
import type { ReadProgress } from "../sync/handler.ts"
import type { ProgressEvent } from "../sync/runner.ts"

/**
 * Progress of a sync, per stage: records pulled, written and failed, the rate, Bill.com requests and
 * the share of the hourly budget used, and an ETA. On a terminal one live line on stderr, redrawn
 * in place; without one (CI logs) a log line about every 10 s and one when the stage ends.
 *
 * By hand rather than a progress-bar library: Bill.com returns no totals, so there is no bar to
 * draw (the ETA comes from how far the read has moved through updatedTime, below), and the
 * non-terminal lines must be billsync's own log lines; what remains is a carriage return.
 */
export type ProgressMode = "terminal" | "lines" | "off"

export const progressModeFor = (stream: { readonly isTTY?: boolean }): ProgressMode =>
  stream.isTTY === true ? "terminal" : "lines"

/** How often the terminal line is redrawn, and how often a log line is written without a terminal. */
export const TERMINAL_REFRESH = Duration.millis(250)
export const LINE_INTERVAL = Duration.seconds(10)

export interface Snapshot {
  readonly kind: string
  readonly stage: string
  readonly elapsedMs: number
  readonly pulled: number
  readonly written: number
  readonly errors: number
  readonly reevaluated: number
  /** Requests this stage has sent. */
  readonly requests: number
  readonly budget: { readonly used: number; readonly perHour: number } | undefined
  readonly read: ReadProgress
  /** Wall-clock time the stage started: the read's upper bound. */
  readonly startedAtMs: number
}

const count = (n: number) => n.toLocaleString("en-US")

export const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`
}

/**
 * Time left, from how far the read has come through updatedTime: lists arrive in ascending
 * updatedTime between the read's start (the cursor, or the first record) and the stage's start.
 * Undefined until the estimate means something (2 s in, 1 % done) — it assumes records are spread
 * evenly in time, so it is shown as approximate.
 */
export const estimateRemainingMs = (s: Pick<Snapshot, "read" | "elapsedMs" | "startedAtMs">): number | undefined => {
  const start = s.read.sinceMs ?? s.read.firstMs
  const newest = s.read.newestMs
  if (start === undefined || newest === undefined || s.startedAtMs <= start || s.elapsedMs < 2000) return undefined
  const done = Math.min(1, Math.max(0, (newest - start) / (s.startedAtMs - start)))
  if (done < 0.01) return undefined
  return (s.elapsedMs * (1 - done)) / done
}

/** One progress line: `[full] bills: 12,345 pulled, 4,567 written, 3 errors · 310/s · 127 requests (0.6% of 20,000/h) · ETA ~1m 05s`. */
export const progressLine = (s: Snapshot): string => {
  const rate = s.elapsedMs > 0 ? (s.pulled * 1000) / s.elapsedMs : 0
  const budget =
    s.budget === undefined
      ? ""
      : ` (${((s.budget.used * 100) / s.budget.perHour).toFixed(1)}% of ${count(s.budget.perHour)}/h)`
  const eta =
    s.reevaluated > 0
      ? "re-evaluating stored records"
      : (() => {
          const left = estimateRemainingMs(s)
          return left === undefined ? "ETA —" : `ETA ~${formatDuration(left)}`
        })()
  return (
    `[${s.kind}] ${s.stage}: ${count(s.pulled)} pulled, ${count(s.written)} written, ${count(s.errors)} error${s.errors === 1 ? "" : "s"}` +
    `${s.reevaluated > 0 ? `, ${count(s.reevaluated)} re-evaluated` : ""} · ${rate >= 10 ? Math.round(rate).toLocaleString("en-US") : rate.toFixed(1)}/s` +
    ` · ${count(s.requests)} request${s.requests === 1 ? "" : "s"}${budget} · ${formatDuration(s.elapsedMs)} · ${eta}`
  )
}

/** The line a stage ends with. */
export const endLine = (s: Snapshot, status: string): string =>
  `[${s.kind}] ${s.stage}: ${status} — ${count(s.pulled)} pulled, ${count(s.written)} written, ${count(s.errors)} error${s.errors === 1 ? "" : "s"}` +
  ` · ${count(s.requests)} request${s.requests === 1 ? "" : "s"}${s.budget === undefined ? "" : ` (${((s.budget.used * 100) / s.budget.perHour).toFixed(1)}% of ${count(s.budget.perHour)}/h)`} · ${formatDuration(s.elapsedMs)}`

/**
 * The `onProgress` handler of a run: a ticker per stage, forked into the caller's scope (so it
 * never outlives the command). `write` is the terminal (stderr) for the live line.
 */
export const makeProgress = (
  mode: ProgressMode,
  write: (text: string) => void = (t) => void process.stderr.write(t),
  columns: () => number = () => process.stderr.columns ?? 0
) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    let ticker: Fiber.RuntimeFiber<unknown> | undefined
    let start: { readonly atMs: number; readonly requests: number } | undefined
    // Redrawn with a carriage return and spaces over the longer previous line: no escape codes at all (NO_COLOR).
    let shown = 0
    // A line wider than the terminal would wrap, and the carriage return would only go back one row.
    const redraw = (line: string, end = "") => {
      const width = columns()
      const fit = end === "" && width > 0 && line.length >= width ? `${line.slice(0, width - 2)}…` : line
      write(`\r${fit.padEnd(shown)}${end}`)
      shown = end === "" ? fit.length : 0
    }

    const snapshot = (e: ProgressEvent) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const requests = yield* e.requests
        const c = e.counts
        return {
          kind: e.kind,
          stage: e.stage,
          elapsedMs: now - (start?.atMs ?? now),
          pulled: c.pulled,
          written: c.inserted + c.updated,
          errors: c.errors,
          reevaluated: c.reevaluated,
          requests: requests - (start?.requests ?? requests),
          budget: yield* e.hourlyBudget,
          read: e.read,
          startedAtMs: start?.atMs ?? now
        } satisfies Snapshot
      })

    const onProgress = (e: ProgressEvent): Effect.Effect<void> =>
      mode === "off"
        ? Effect.void
        : e.phase === "start"
          ? Effect.gen(function* () {
              start = { atMs: yield* Clock.currentTimeMillis, requests: yield* e.requests }
              const tick =
                mode === "terminal"
                  ? Effect.flatMap(snapshot(e), (s) => Effect.sync(() => redraw(progressLine(s)))).pipe(
                      Effect.repeat(Schedule.spaced(TERMINAL_REFRESH))
                    )
                  : Effect.flatMap(snapshot(e), (s) => Effect.logInfo(progressLine(s))).pipe(
                      Effect.delay(LINE_INTERVAL),
                      Effect.forever
                    )
              ticker = yield* Effect.forkIn(tick, scope)
            })
          : Effect.gen(function* () {
              if (ticker !== undefined) yield* Fiber.interrupt(ticker)
              ticker = undefined
              const line = endLine(yield* snapshot(e), e.status ?? "done")
              if (mode === "terminal") yield* Effect.sync(() => redraw(line, "\n"))
              else yield* Effect.logInfo(line)
            })

    return { onProgress }
  })
