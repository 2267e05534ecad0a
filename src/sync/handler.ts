import type { SqlError } from "@effect/sql/SqlError"
import { Effect, type Schema } from "effect"
import type { PreviousRecord } from "../store/source-records.ts"
import type { StageCounts } from "../store/runs.ts"
import type { ErrorCode } from "./catalog.ts"
import type { SyncSettings } from "./settings.ts"
import type { ListName, StageName } from "./stages.ts"
import type { SourceError } from "./source.ts"

/**
 * Where a stage's live read stands in Bill.com's updatedTime (ms since the epoch), for progress:
 * lists arrive in ascending updatedTime, so (newest − start) / (now − start) estimates how much of
 * the read is done. Mutated as records arrive (a stage runs on one fiber).
 */
export interface ReadProgress {
  /** The read's lower bound: the cursor minus the overlap, or undefined for a read from the beginning. */
  sinceMs: number | undefined
  /** updatedTime of the first record pulled. */
  firstMs: number | undefined
  /** Newest updatedTime pulled (or watermark passed) so far. */
  newestMs: number | undefined
}

export const emptyReadProgress = (): ReadProgress => ({ sinceMs: undefined, firstMs: undefined, newestMs: undefined })

export interface StageContext {
  readonly integrationId: number
  readonly companyId: number
  readonly runId: number
  readonly stage: StageName
  readonly settings: SyncSettings
  readonly dryRun: boolean
  /** Mutable per-stage counters (a stage runs on one fiber). */
  readonly counts: StageCounts
  /** The live read's position (progress display); absent in contexts that never read live. */
  readonly read?: ReadProgress | undefined
  /** Called after each committed batch (progress display; tests use it to crash between batches). */
  readonly afterBatch?: ((ctx: StageContext) => Effect.Effect<void>) | undefined
}

export interface Failure {
  readonly code: ErrorCode
  readonly message: string
  readonly detail?: unknown
}

export interface RecordMeta {
  readonly updatedTime: string | undefined
  readonly archived: boolean
  readonly businessDate: string | undefined
}

/** A record to evaluate: decoded, hashed, with what the store knew about it. */
export interface Candidate<D> {
  readonly id: string
  readonly raw: unknown
  readonly hash: string
  readonly value: D
  readonly meta: RecordMeta
  readonly previous: PreviousRecord | undefined
}

export type Evaluated<P> =
  /** `warning`: imported as Bill.com has it, with an open integration error saying what looks wrong (lines ≠ amount, a negative total). */
  | {
      readonly _tag: "Import"
      readonly payload: P
      readonly enrichment?: Record<string, unknown>
      readonly warning?: Failure
    }
  | {
      readonly _tag: "Skip"
      readonly reason: string
      readonly error?: Failure
      readonly enrichment?: Record<string, unknown>
    }
  | { readonly _tag: "Fail"; readonly failure: Failure; readonly enrichment?: Record<string, unknown> }

export const imported = <P>(payload: P, enrichment?: Record<string, unknown>): Evaluated<P> =>
  enrichment === undefined ? { _tag: "Import", payload } : { _tag: "Import", payload, enrichment }
export const skipped = (reason: string, error?: Failure): Evaluated<never> =>
  error === undefined ? { _tag: "Skip", reason } : { _tag: "Skip", reason, error }
export const failed = (failure: Failure): Evaluated<never> => ({ _tag: "Fail", failure })

/**
 * One kind of Bill.com record (one list): how to decode it, and its evaluation in three steps.
 * `gather` reads what the rules need — links, ledger rows, stored versions, Bill.com's legacy v2
 * answers (`live` false means re-evaluation from stored raw: no Bill.com calls) — into plain data;
 * `decide` applies the rules (mapping resolution, cutoff, approvals, currencies, closed periods):
 * pure, no services, no I/O, so its rules are unit-tested with plain data; `write` performs the
 * imported outcomes' writes inside the batch's transaction.
 */
export interface KindHandler<D, P, L, R = never> {
  readonly kind: string
  readonly list: ListName
  readonly schema: Schema.Schema<D, any, never>
  readonly meta: (value: D) => RecordMeta
  readonly gather: (
    candidates: ReadonlyArray<Candidate<D>>,
    ctx: StageContext,
    live: boolean
  ) => Effect.Effect<L, SourceError | SqlError, R>
  /** One outcome per candidate, in order. */
  readonly decide: (
    candidates: ReadonlyArray<Candidate<D>>,
    lookups: L,
    settings: SyncSettings
  ) => ReadonlyArray<Evaluated<P>>
  readonly write: (
    imports: ReadonlyArray<{ readonly candidate: Candidate<D>; readonly payload: P }>,
    ctx: StageContext
  ) => Effect.Effect<void, SqlError, R>
  /**
   * The next batch may be evaluated while this one commits: evaluation reads nothing the stage
   * itself writes except each record's own stored state (a batch sharing a record with one still
   * committing is evaluated again). True for the transactional lists, whose lookups are master
   * data and bills of earlier stages.
   */
  readonly pipelined?: boolean
}

/** A batch's evaluation: what it needs, read; then the rules, applied. */
export const evaluate = <D, P, L, R>(
  handler: KindHandler<D, P, L, R>,
  candidates: ReadonlyArray<Candidate<D>>,
  ctx: StageContext,
  live: boolean
): Effect.Effect<ReadonlyArray<Evaluated<P>>, SourceError | SqlError, R> =>
  Effect.map(handler.gather(candidates, ctx, live), (lookups) => handler.decide(candidates, lookups, ctx.settings))
