import { Context, Data, Effect, Layer } from "effect"
import type { Server } from "node:http"
import { EmulatorCore, type EmulatorOptions } from "./core.ts"
import { ApiError } from "./errors.ts"
import type { FaultConfig } from "./faults.ts"
import type { CounterSnapshot } from "./limits.ts"
import type { Credentials } from "./model.ts"
import type { Mutation, MutationResult } from "./mutations.ts"
import { startServer, stopServer } from "./server.ts"

/**
 * The Bill.com sandbox emulator (docs/design.md "Emulator"). `Emulator.layer(options)` starts it
 * in-process on 127.0.0.1 (ephemeral port unless given) for the lifetime of the layer.
 *
 * Choices where Bill.com's behaviour is undocumented (billcom-api.md §11):
 * - unknown id → 404 with code BDC_1002; unknown filter/sort field or bad value → 400 BDC_1001;
 *   validation failures → 400, one BDC_1001 entry per field ("field: problem").
 * - login failures (BDC_1101 / BDC_1102) → 401; missing login fields → 400.
 * - BDC_1144 / BDC_1322 → 422 by default (`limits.rateLimitStatus` to change, e.g. 429).
 * - logins count toward the hourly request budget as well as the login budget; the
 *   concurrency limit applies to session-authenticated calls (v3 and v2).
 * - default list order (no `sort`) is creation order; cursors are offsets in the filtered, sorted
 *   list, by default re-evaluated on every page (`cursorMode: "live"`: a record changed during a
 *   read jumps to the end and the rest shift), or in a snapshot taken at page 1 (`"snapshot"`).
 * - injected faults never hit the control API; logins only get latency.
 */
export { demoCredentials, DEMO_OPTIONS, generateOrganization, optionsForSeed, credentialsForSeed } from "./generator.ts"
export type { GenerateOptions, Anomalies } from "./generator.ts"
export { FAULT_PROFILES, resolveFaults } from "./faults.ts"
export type { FaultConfig, Latency } from "./faults.ts"
export type { EmulatorOptions } from "./core.ts"
export type { CursorMode } from "./query.ts"
export type { CounterSnapshot } from "./limits.ts"
export type { Mutation, MutationResult } from "./mutations.ts"
export type { Credentials } from "./model.ts"
export { EmulatorCore }

export class EmulatorError extends Data.TaggedError("EmulatorError")<{
  readonly reason: "Start" | "Mutation"
  readonly message: string
  readonly code?: string
  readonly cause?: unknown
}> {}

export interface EmulatorApi {
  readonly origin: string
  /** `{origin}/connect` — append `/v3/...`. */
  readonly v3BaseUrl: string
  /** `{origin}/api/v2` — append `/Login.json` etc. */
  readonly v2BaseUrl: string
  readonly credentials: Credentials
  readonly counters: () => Effect.Effect<CounterSnapshot>
  readonly resetCounters: () => Effect.Effect<void>
  readonly setFaults: (faults: FaultConfig) => Effect.Effect<void>
  readonly mutate: (mutation: Mutation) => Effect.Effect<MutationResult, EmulatorError>
  readonly snapshot: () => Effect.Effect<Record<string, unknown>>
  /** Expire every session now (the next call gets 401 BDC_1109). */
  readonly expireSessions: () => Effect.Effect<number>
  /** Move the emulator clock forward (updatedTime of later changes). */
  readonly advanceClock: (ms: number) => Effect.Effect<void>
  /** The underlying state, for benchmarks and white-box assertions. */
  readonly core: EmulatorCore
}

export interface RunningEmulator {
  readonly core: EmulatorCore
  readonly server: Server
  readonly stop: () => Promise<void>
}

/** Start an emulator outside Effect (CLI, scripts). */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<RunningEmulator> => {
  const core = new EmulatorCore(options)
  const server = await startServer(core)
  return { core, server, stop: () => stopServer(server) }
}

const toApi = (core: EmulatorCore): EmulatorApi => ({
  origin: core.origin,
  v3BaseUrl: `${core.origin}/connect`,
  v2BaseUrl: `${core.origin}/api/v2`,
  credentials: core.credentials,
  counters: () => Effect.sync(() => core.counterSnapshot()),
  resetCounters: () => Effect.sync(() => core.resetCounters()),
  setFaults: (faults) => Effect.sync(() => core.setFaults(faults)),
  mutate: Effect.fn("Emulator.mutate")(function* (mutation: Mutation) {
    return yield* Effect.try({
      try: () => core.mutate(mutation),
      catch: (cause) =>
        new EmulatorError({
          reason: "Mutation",
          message: cause instanceof Error ? cause.message : String(cause),
          ...(cause instanceof ApiError ? { code: cause.code } : {}),
          cause
        })
    })
  }),
  snapshot: () => Effect.sync(() => core.snapshot()),
  expireSessions: () => Effect.sync(() => core.sessions.expireAll()),
  advanceClock: (ms) => Effect.sync(() => void core.state.advanceClock(ms)),
  core
})

export class Emulator extends Context.Tag("billsync/Emulator")<Emulator, EmulatorApi>() {
  /** Start the emulator for the layer's lifetime (closed, connections dropped, on release). */
  static layer(options: EmulatorOptions = {}): Layer.Layer<Emulator, EmulatorError> {
    return Layer.scoped(
      Emulator,
      Effect.acquireRelease(
        Effect.tryPromise({
          try: () => startEmulator(options),
          catch: (cause) =>
            new EmulatorError({ reason: "Start", message: `emulator failed to start: ${String(cause)}`, cause })
        }),
        (running) =>
          Effect.promise(() => running.stop()).pipe(
            Effect.zipRight(
              Effect.suspend(() => {
                // A run that sent or received anything off Bill.com's published contract says so.
                const c = running.core.contractLog.snapshot()
                const n = c.requestViolations + c.responseViolations
                return n === 0
                  ? Effect.void
                  : Effect.logWarning(`emulator: ${n} requests/responses off Bill.com's published contract`).pipe(
                      Effect.annotateLogs({
                        violations: Object.entries(c.summary)
                          .slice(0, 10)
                          .map(([k, v]) => `${v}× ${k}`)
                          .join(" | ")
                      })
                    )
              })
            )
          )
      ).pipe(
        Effect.tap((running) =>
          Effect.logDebug("emulator started").pipe(
            Effect.annotateLogs({ origin: running.core.origin, seed: running.core.seed })
          )
        ),
        Effect.map((running) => toApi(running.core))
      )
    )
  }
}
