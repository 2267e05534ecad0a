import type { RequestCap } from "../billcom/transport.ts"
import { Context, Data, type Effect, type Schema, type Stream } from "effect"
import type { ListName } from "./stages.ts"

/**
 * A pulled list element: the raw JSON — with its value when the source decoded it with a schema
 * (the client decodes every record with the list's schema; the sync uses that value when the stage's
 * schema is that very schema and `decoded.raw` is still this element's raw — a wrapper that rewrites
 * the raw gets it decoded again —, else it decodes the raw itself) —, or a record the source could not
 * decode (kept, reported, never fatal), or a watermark: every record updated before `time` (ms) came
 * before it.
 */
export type PulledRecord =
  | {
      readonly _tag: "Valid"
      readonly raw: unknown
      readonly decoded?:
        | { readonly schema: Schema.Schema.Any; readonly raw: unknown; readonly value: unknown }
        | undefined
    }
  | { readonly _tag: "Invalid"; readonly raw: unknown; readonly id?: string | undefined; readonly error: string }
  | { readonly _tag: "Watermark"; readonly time: number }

/** A Bill.com call failed for good (after the client's retries / re-auth); `advice` says what to do. */
export class SourceError extends Data.TaggedError("SourceError")<{
  readonly message: string
  readonly advice?: string | undefined
  readonly code?: string | undefined
  readonly cause?: unknown
}> {}

export interface SessionInfo {
  readonly organizationId: string
  readonly userId: string
}

/** A chart-of-account row read through the legacy v2 call (type in the v3 spelling). */
export interface ResolvedChartOfAccount {
  readonly id: string
  readonly number: string | undefined
  readonly type: string | undefined
  readonly archived: boolean
}

/**
 * What the sync reads from Bill.com. Lists are streams of the records updated from `since` (an
 * instant with explicit Z; undefined = everything), archived records included: in ascending
 * updatedTime until the first Watermark; after one, in any order, each watermark bounding what
 * came before it (the sync then moves its cursor on watermarks, src/sync/batch.ts). The live
 * implementation adapts the Bill.com client (src/sync/billcom-source.ts).
 */
export class Source extends Context.Tag("billsync/Source")<
  Source,
  {
    readonly session: Effect.Effect<SessionInfo, SourceError>
    readonly list: (list: ListName, since: string | undefined) => Stream.Stream<PulledRecord, SourceError>
    /** Legacy v2 approval status of one bill, in the v3 spelling (APPROVED, ASSIGNED, …). */
    readonly billApproval: (billId: string) => Effect.Effect<string, SourceError>
    /** Legacy v2 chart-of-account read; undefined when Bill.com does not know the id. */
    readonly chartOfAccount: (id: string) => Effect.Effect<ResolvedChartOfAccount | undefined, SourceError>
    /** Legacy v2 exchange rate of one vendor credit (v3 credits carry none); undefined when Bill.com gives none. */
    readonly vendorCreditRate: (id: string) => Effect.Effect<number | undefined, SourceError>
    /** Raw document metadata of one bill. */
    readonly billDocuments: (billId: string) => Effect.Effect<ReadonlyArray<unknown>, SourceError>
    /** Requests sent to Bill.com so far by this process (for per-stage API-call counts). */
    readonly apiCalls: Effect.Effect<number>
    /** Requests in the current clock hour against the hourly budget (progress display; absent for sources without one). */
    readonly hourlyBudget?: Effect.Effect<{ readonly used: number; readonly perHour: number }>
    /** Refuse to send past `limit` requests in all from now on (a run's cap, sync.maxRequestsPerRun); absent for sources without one. */
    readonly capRequests?: (cap: RequestCap | undefined) => Effect.Effect<void>
  }
>() {}
