import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { type Chunk, Data, Effect, Either, Option, Schema, Stream } from "effect"
import { formatIssues } from "../billcom/pulled.ts"
import {
  CLOCK_SKEW_MS,
  recordProblem,
  refusedCopy,
  refusedReason,
  storableJsonText,
  storableText
} from "../billcom/record-checks.ts"
import { IntegrationErrors, type ErrorInput } from "../store/integration-errors.ts"
import { Links } from "../store/links.ts"
import type { StageCounts } from "../store/runs.ts"
import type { StoreError } from "../store/errors.ts"
import { checkFence } from "../store/fence.ts"
import { SourceRecords, type SourceRecordRow, type StoredRecord } from "../store/source-records.ts"
import { catalogEntry } from "./catalog.ts"
import {
  evaluate,
  type Candidate,
  type Evaluated,
  type Failure,
  type KindHandler,
  type StageContext
} from "./handler.ts"
import { contentHash } from "./hash.ts"
import { utcInstant } from "./records.ts"
import { Source, type PulledRecord } from "./source.ts"

/** Records per write batch: several Bill.com pages, one multi-row statement per table. */
export const BATCH_SIZE = 500

/** Incremental reads start this far before the cursor, so records committed late on Bill.com's side are not missed. */
export const CURSOR_OVERLAP_MS = 2 * 60 * 1000

class DryRunRollback extends Data.TaggedError("DryRunRollback")<{}> {}

const updatedMsOf = (raw: unknown): number => {
  const t = typeof raw === "object" && raw !== null ? (raw as { updatedTime?: unknown }).updatedTime : undefined
  return typeof t === "string" ? Date.parse(t) : Number.NaN
}

const rawId = (raw: unknown): string | undefined =>
  typeof raw === "object" &&
  raw !== null &&
  typeof (raw as { id?: unknown }).id === "string" &&
  (raw as { id: string }).id.length > 0
    ? (raw as { id: string }).id
    : undefined

/**
 * Where a live read of one list stands: the newest updatedTime pulled so far, and the latest
 * watermark (once the Source sent one, records may arrive in any order and the cursor may only
 * move up to the watermark: everything updated before it has been pulled, maybe not what is after).
 */
export interface ReadPosition {
  newest: number | undefined
  watermark: number | undefined
}

/** The cursor a batch may commit: the newest record pulled, bounded by the watermark on an unordered read. */
const cursorOf = (position: ReadPosition): string | undefined => {
  const { newest, watermark } = position
  const safe = watermark === undefined ? newest : newest === undefined ? undefined : Math.min(newest, watermark)
  return safe === undefined ? undefined : new Date(safe).toISOString()
}

interface Input {
  readonly raw: unknown
  readonly invalid?: string | undefined
  readonly id?: string | undefined
  readonly stored?: StoredRecord | undefined
  /** The value the source decoded the raw record to, with the handler's own schema (no second decode). */
  readonly decoded?: { readonly value: unknown } | undefined
  /** A watermark of the read (no record). */
  readonly watermark?: number | undefined
}

const errorInput = (
  ctx: Pick<StageContext, "stage" | "settings">,
  kind: string,
  billcomId: string,
  f: Failure
): ErrorInput => ({
  stage: ctx.stage,
  kind,
  billcomId,
  code: f.code,
  ...catalogEntry(f.code, ctx.settings.mappingsDir),
  message: f.message,
  detail: f.detail
})

/** Counters a batch adds to its stage's, applied when it commits (a batch planned twice counts once). */
type Delta = Pick<StageCounts, "inserted" | "updated" | "unchanged" | "skipped" | "errors" | "reevaluated">
const zero = (): Delta => ({ inserted: 0, updated: 0, unchanged: 0, skipped: 0, errors: 0, reevaluated: 0 })

/** A record that could not be read: stored as refused, with an invalid-record error. */
interface Invalid {
  readonly id: string
  readonly raw: unknown
  readonly hash: string
  readonly message: string
  readonly stored: StoredRecord | undefined
}

interface DecodedRecord<D> {
  readonly raw: unknown
  readonly hash: string
  readonly value: D
  readonly stored: StoredRecord | undefined
  readonly updatedMs: number
}

interface Decoded<D> {
  readonly invalid: ReadonlyArray<Invalid>
  readonly byId: ReadonlyMap<string, DecodedRecord<D>>
  /** Every Bill.com id in the batch, valid or not. */
  readonly ids: ReadonlySet<string>
  /** The list cursor this batch may commit (live reads). */
  readonly cursor: string | undefined
  /** Records the read delivered twice with the same updatedTime and different content (a warning each). */
  readonly duplicates: ReadonlyMap<string, Failure>
}

/** Decode and hash (CPU only): dedupe by id, newest copy first; moves the read position on. */
const decodeBatch = <D, P, L, R>(
  handler: KindHandler<D, P, L, R>,
  inputs: ReadonlyArray<Input>,
  live: boolean,
  position: ReadPosition | undefined
): Decoded<D> => {
  const decode = Schema.decodeUnknownEither(handler.schema)
  // Only a failed record is decoded again for every issue (one line: path, value, problem).
  const explain = Schema.decodeUnknownEither(handler.schema, { errors: "all" })
  const invalid: Array<Invalid> = []
  const byId = new Map<string, DecodedRecord<D>>()
  const duplicates = new Map<string, Failure>()
  // Live reads only: a stored copy was judged when it was pulled.
  const checks = live ? { updatedNotAfterMs: Date.now() + CLOCK_SKEW_MS } : {}
  for (const input of inputs) {
    if (input.watermark !== undefined) {
      if (position !== undefined) position.watermark = input.watermark
      continue
    }
    const hash = input.stored?.hash ?? contentHash(input.raw)
    // Values the ledger cannot hold (overflow, impossible dates, NUL, control characters) refuse the
    // record before its schema is consulted; a stored copy of a refused record stays refused.
    const refused = input.invalid ?? refusedReason(input.raw) ?? recordProblem(input.raw, checks)
    const decoded =
      refused !== undefined
        ? undefined
        : input.decoded !== undefined
          ? Either.right(input.decoded.value as D)
          : decode(input.raw)
    if (decoded === undefined || Either.isLeft(decoded)) {
      const message =
        decoded === undefined
          ? refused!
          : formatIssues(Either.getLeft(explain(input.raw)).pipe(Option.getOrElse(() => decoded.left)))
      const raw = decoded === undefined && input.invalid === undefined ? refusedCopy(input.raw, message) : input.raw
      invalid.push({
        id: storableText(input.id ?? rawId(input.raw) ?? `unidentified:${hash.slice(0, 16)}`),
        raw,
        hash,
        message,
        stored: input.stored
      })
      continue
    }
    const value = decoded.right
    const id = rawId(input.raw)!
    const updated = utcInstant(handler.meta(value).updatedTime)
    const updatedMs = updated === undefined ? Number.NEGATIVE_INFINITY : Date.parse(updated)
    if (
      position !== undefined &&
      updated !== undefined &&
      (position.newest === undefined || updatedMs > position.newest)
    )
      position.newest = updatedMs
    // Two copies of one record (it changed while the list was read): the newer wins, the later on a tie —
    // a tie with different content cannot be told apart, so it is said (duplicate-in-read).
    const other = byId.get(id)
    if (other !== undefined && other.updatedMs > updatedMs) continue
    if (other !== undefined && other.updatedMs === updatedMs && other.hash !== hash)
      duplicates.set(id, {
        code: "duplicate-in-read",
        message: `Bill.com sent ${handler.kind} ${id} twice in one read with the same updatedTime (${handler.meta(value).updatedTime ?? "none"}) and different content; the later copy was imported`,
        detail: { hashes: [other.hash, hash] }
      })
    byId.delete(id)
    byId.set(id, { raw: input.raw, hash, value, stored: input.stored, updatedMs })
  }
  const ids = new Set([...byId.keys(), ...invalid.map((b) => b.id)])
  return { invalid, byId, ids, cursor: live && position !== undefined ? cursorOf(position) : undefined, duplicates }
}

interface Plan<D, P> {
  readonly sourceRows: ReadonlyArray<SourceRecordRow>
  readonly errorRows: ReadonlyArray<ErrorInput>
  readonly resolved: ReadonlyArray<string>
  readonly imports: ReadonlyArray<{ candidate: Candidate<D>; payload: P }>
  /** Master data whose mapping was removed: the link goes, so nothing resolves to it any more. */
  readonly unlinked: ReadonlyArray<string>
  readonly cursor: string | undefined
  /** The counter each evaluated or invalid record counts in, in order (a record the database refuses moves to errors). */
  readonly counted: ReadonlyArray<readonly [id: string, counter: "inserted" | "updated" | "skipped" | "errors"]>
  /** Records pulled again unchanged (or older than the stored copy): nothing to write. */
  readonly unchanged: number
  /** Records evaluated again from their stored raw copies. */
  readonly reevaluated: number
}

/**
 * What a committed plan adds to its stage's counts — the one place they are derived: each record
 * in the counter its outcome chose, except the ids the database refused (invalid-record errors).
 */
export const countsOf = (
  plan: Pick<Plan<unknown, unknown>, "counted" | "unchanged" | "reevaluated">,
  refused: ReadonlyArray<string>
): Delta => {
  const delta = zero()
  for (const [, k] of plan.counted) delta[k]++
  delta.unchanged += plan.unchanged
  delta.reevaluated += plan.reevaluated
  for (const id of refused) {
    const k = plan.counted.findLast(([counted]) => counted === id)?.[1]
    if (k !== undefined) delta[k]--
    delta.errors++
  }
  return delta
}

/**
 * The batch's writes from its evaluation (pure): a source row per record whose outcome changed,
 * the integration errors to open and to resolve, the imports, the links to remove, and how each
 * record counts.
 */
export const planOutcomes = <D, P>(
  kind: string,
  ctx: Pick<StageContext, "integrationId" | "runId" | "stage" | "settings">,
  batch: {
    readonly invalid: ReadonlyArray<Invalid>
    readonly candidates: ReadonlyArray<Candidate<D>>
    readonly outcomes: ReadonlyArray<Evaluated<P>>
    readonly duplicates: ReadonlyMap<string, Failure>
    readonly unchanged: number
    readonly cursor: string | undefined
  },
  live: boolean
): Plan<D, P> => {
  const sourceRows: Array<SourceRecordRow> = []
  const errorRows: Array<ErrorInput> = []
  const resolved: Array<string> = []
  const imports: Array<{ candidate: Candidate<D>; payload: P }> = []
  const unlinked: Array<string> = []
  const counted: Array<readonly [string, "inserted" | "updated" | "skipped" | "errors"]> = []
  const row = (
    c: { id: string; raw: unknown; hash: string },
    meta: Candidate<D>["meta"] | undefined,
    outcome: SourceRecordRow["outcome"],
    reason: string | null,
    enrichment: Record<string, unknown> | undefined
  ): SourceRecordRow => ({
    integration_id: ctx.integrationId,
    kind,
    billcom_id: c.id,
    raw: storableJsonText(c.raw),
    content_hash: c.hash,
    updated_time: utcInstant(meta?.updatedTime) ?? null,
    archived: meta?.archived ?? false,
    business_date: meta?.businessDate ?? null,
    outcome,
    reason,
    enrichment: enrichment === undefined ? null : JSON.stringify(enrichment),
    processed_run_id: ctx.runId
  })

  for (const bad of batch.invalid) {
    if (bad.stored?.outcome !== "error" || bad.stored.reason !== "invalid")
      sourceRows.push(row(bad, undefined, "error", "invalid", undefined))
    errorRows.push(errorInput(ctx, kind, bad.id, { code: "invalid-record", message: bad.message }))
    counted.push([bad.id, "errors"])
  }
  batch.candidates.forEach((c, i) => {
    const o = batch.outcomes[i]!
    const enrichment = o.enrichment
    switch (o._tag) {
      case "Import": {
        imports.push({ candidate: c, payload: o.payload })
        sourceRows.push(row(c, c.meta, "imported", null, enrichment))
        // A warning stays open as an integration error while the record looks wrong; it imports all the same.
        const warning = o.warning ?? batch.duplicates.get(c.id)
        if (warning !== undefined) errorRows.push(errorInput(ctx, kind, c.id, warning))
        else resolved.push(c.id)
        counted.push([c.id, c.previous?.outcome === "imported" ? "updated" : "inserted"])
        break
      }
      case "Skip":
        // Re-evaluated from storage with the same result: nothing to rewrite (its error row still records the recurrence).
        if (live || c.previous?.outcome !== "skipped" || c.previous.reason !== o.reason || enrichment !== undefined)
          sourceRows.push(row(c, c.meta, "skipped", o.reason, enrichment))
        if (o.error !== undefined) errorRows.push(errorInput(ctx, kind, c.id, o.error))
        else resolved.push(c.id)
        if (o.reason === "unmapped" && c.previous?.outcome === "imported") unlinked.push(c.id)
        // A skip that opens an integration error (a bill not approved, or denied) is counted as an
        // error, like every record in the error log: the run's, the status's and the demo's counts agree.
        counted.push([c.id, o.error !== undefined ? "errors" : "skipped"])
        break
      case "Fail":
        if (live || c.previous?.outcome !== "error" || c.previous.reason !== o.failure.code || enrichment !== undefined)
          sourceRows.push(row(c, c.meta, "error", o.failure.code, enrichment))
        errorRows.push(errorInput(ctx, kind, c.id, o.failure))
        counted.push([c.id, "errors"])
        break
    }
  })
  return {
    sourceRows,
    errorRows,
    resolved,
    imports,
    unlinked,
    cursor: batch.cursor,
    counted,
    unchanged: batch.unchanged,
    reevaluated: live ? 0 : batch.candidates.length
  }
}

/**
 * Reads what the store knows of the batch's records (live reads), skips the unchanged ones and
 * evaluates the rest: everything a commit writes, nothing written yet.
 */
const planBatch = <D, P, L, R>(handler: KindHandler<D, P, L, R>, ctx: StageContext, d: Decoded<D>, live: boolean) =>
  Effect.gen(function* () {
    const records = yield* SourceRecords
    let unchanged = 0
    const previous = live ? yield* records.previous(ctx.integrationId, handler.kind, [...d.ids]) : new Map()
    // An invalid record pulled again unchanged is a no-op like any other (its error row stays open).
    const invalid = d.invalid.filter((bad) => {
      const same = live && previous.get(bad.id)?.hash === bad.hash
      if (same) unchanged++
      return !same
    })
    const candidates: Array<Candidate<D>> = []
    for (const [id, r] of d.byId) {
      const prev = live
        ? previous.get(id)
        : r.stored && {
            hash: r.stored.hash,
            outcome: r.stored.outcome,
            reason: r.stored.reason,
            enrichment: r.stored.enrichment
          }
      // Unchanged, or an older copy than the one stored (an unordered read can deliver a record's
      // earlier version after its newer one): nothing to do.
      if (
        live &&
        prev !== undefined &&
        (prev.hash === r.hash ||
          (prev.updatedMs !== undefined && Number.isFinite(r.updatedMs) && r.updatedMs < prev.updatedMs))
      ) {
        unchanged++
        continue
      }
      candidates.push({ id, raw: r.raw, hash: r.hash, value: r.value, meta: handler.meta(r.value), previous: prev })
    }
    const outcomes: ReadonlyArray<Evaluated<P>> =
      candidates.length === 0 ? [] : yield* evaluate(handler, candidates, ctx, live)
    return planOutcomes(
      handler.kind,
      ctx,
      { invalid, candidates, outcomes, duplicates: d.duplicates, unchanged, cursor: d.cursor },
      live
    )
  })

/**
 * ONE transaction with the source records, ledger rows, links, integration errors and (live reads)
 * the list's cursor — begun only while the run still holds the integration lock (checkFence) —;
 * then, once it has committed, the batch's counts (a batch that rolled back counts nothing). When
 * the database refuses the batch for its data (refusedByDatabase), the batch is split in halves
 * until the refused record(s) are isolated: each becomes an `invalid-record` error with the
 * database's reason, and the rest commits with its cursor. The transactions and the counts are one
 * uninterruptible step: a stop request (SIGINT/SIGTERM) lets a begun commit finish whole, so the
 * counts say exactly what committed.
 */
const commitPlan = <D, P, L, R>(handler: KindHandler<D, P, L, R>, ctx: StageContext, plan: Plan<D, P>) =>
  Effect.gen(function* () {
    const count = (refused: ReadonlyArray<string>) =>
      Effect.sync(() => {
        for (const [k, v] of Object.entries(countsOf(plan, refused)) as Array<[keyof Delta, number]>) ctx.counts[k] += v
      })
    if (plan.sourceRows.length === 0 && plan.errorRows.length === 0 && plan.cursor === undefined)
      return yield* count([])
    yield* Effect.uninterruptible(Effect.flatMap(commitOrIsolate(handler, ctx, plan), count))
    if (ctx.afterBatch) yield* ctx.afterBatch(ctx)
  })

const commitOnce = <D, P, L, R>(handler: KindHandler<D, P, L, R>, ctx: StageContext, plan: Plan<D, P>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const records = yield* SourceRecords
    const errors = yield* IntegrationErrors
    const links = yield* Links
    const write = Effect.gen(function* () {
      yield* checkFence
      yield* records.upsert(plan.sourceRows)
      yield* handler.write(plan.imports, ctx)
      yield* links.remove(ctx.integrationId, handler.kind, plan.unlinked)
      yield* errors.record(ctx.integrationId, ctx.runId, plan.errorRows)
      yield* errors.resolve(ctx.integrationId, ctx.runId, ctx.stage, plan.resolved)
      if (plan.cursor !== undefined) yield* records.advanceCursor(ctx.integrationId, handler.list, plan.cursor)
      if (ctx.dryRun) return yield* new DryRunRollback()
    })
    yield* sql.withTransaction(write).pipe(Effect.catchTag("DryRunRollback", () => Effect.void))
  })

/** The ids of a plan's records (every row of a plan belongs to one). */
const idsOf = <D, P>(plan: Plan<D, P>): Array<string> => [
  ...new Set([
    ...plan.sourceRows.map((r) => r.billcom_id),
    ...plan.errorRows.map((e) => e.billcomId),
    ...plan.resolved,
    ...plan.unlinked
  ])
]

/** The part of a plan about some records; `cursor` only where asked (the last part commits it). */
const partOf = <D, P>(plan: Plan<D, P>, ids: ReadonlySet<string>, cursor: string | undefined): Plan<D, P> => ({
  ...plan,
  sourceRows: plan.sourceRows.filter((r) => ids.has(r.billcom_id)),
  errorRows: plan.errorRows.filter((e) => ids.has(e.billcomId)),
  resolved: plan.resolved.filter((id) => ids.has(id)),
  imports: plan.imports.filter((i) => ids.has(i.candidate.id)),
  unlinked: plan.unlinked.filter((id) => ids.has(id)),
  cursor
})

/**
 * Whether the database refused the data (SQLSTATE class 22 data exception — numeric overflow, an
 * impossible date, NUL in text —, 23 integrity constraint, or a trigger's RAISE): splitting the batch
 * can isolate the record. A lost connection or a timeout is not the data: it fails the batch as before.
 */
export const refusedByDatabase = (e: SqlError): string | undefined => {
  const cause = e.cause as { code?: unknown; message?: unknown; detail?: unknown } | undefined
  const code = typeof cause?.code === "string" ? cause.code : undefined
  if (code === undefined || !(code.startsWith("22") || code.startsWith("23") || code === "P0001")) return undefined
  const detail = typeof cause?.detail === "string" && cause.detail !== "" ? ` (${cause.detail})` : ""
  return `${typeof cause?.message === "string" ? cause.message : e.message}${detail} [SQLSTATE ${code}]`
}

/** Commits the plan; on a data refusal, bisects. Returns the ids refused (now invalid-record errors). */
const commitOrIsolate = <D, P, L, R>(
  handler: KindHandler<D, P, L, R>,
  ctx: StageContext,
  plan: Plan<D, P>
): Effect.Effect<
  ReadonlyArray<string>,
  SqlError | StoreError,
  R | SqlClient.SqlClient | SourceRecords | IntegrationErrors | Links
> =>
  commitOnce(handler, ctx, plan).pipe(
    Effect.as([] as ReadonlyArray<string>),
    Effect.catchTag("SqlError", (e) => {
      const reason = refusedByDatabase(e)
      const ids = idsOf(plan)
      if (reason === undefined || ids.length === 0) return Effect.fail(e)
      if (ids.length === 1) return Effect.as(commitRefused(handler, ctx, plan, ids[0]!, reason), ids)
      const half = Math.ceil(ids.length / 2)
      return Effect.gen(function* () {
        yield* Effect.logWarning(
          `the database refused a batch of ${ids.length} ${handler.kind} record(s); isolating the refused one(s)`
        ).pipe(Effect.annotateLogs({ reason }))
        const first = yield* commitOrIsolate(handler, ctx, partOf(plan, new Set(ids.slice(0, half)), undefined))
        const second = yield* commitOrIsolate(handler, ctx, partOf(plan, new Set(ids.slice(half)), plan.cursor))
        return [...first, ...second]
      })
    })
  )

/** A record the database refused: stored as refused (its raw copy made storable) with an invalid-record error. */
const commitRefused = <D, P, L, R>(
  handler: KindHandler<D, P, L, R>,
  ctx: StageContext,
  plan: Plan<D, P>,
  id: string,
  reason: string
) => {
  const row = plan.sourceRows.find((r) => r.billcom_id === id)
  const message = `the ledger database refused this record: ${reason}`
  const sourceRows =
    row === undefined
      ? []
      : [
          {
            ...row,
            raw: JSON.stringify(refusedCopy(JSON.parse(row.raw), message)),
            outcome: "error" as const,
            reason: "invalid"
          }
        ]
  const errorRows = [errorInput(ctx, handler.kind, id, { code: "invalid-record", message })]
  return commitOnce(handler, ctx, { ...plan, sourceRows, errorRows, resolved: [], imports: [], unlinked: [] })
}

/**
 * Evaluates and writes one batch of one kind: decode → dedupe by id → compare content hashes →
 * evaluate the new/changed ones → one transaction (commitPlan). A bad record becomes an error row;
 * it never fails the batch. `stored` batches come from source_records (re-evaluation: no Bill.com calls).
 */
export const processBatch = <D, P, L, R>(
  handler: KindHandler<D, P, L, R>,
  ctx: StageContext,
  inputs: ReadonlyArray<Input>,
  live: boolean,
  position?: ReadPosition
) =>
  Effect.flatMap(planBatch(handler, ctx, decodeBatch(handler, inputs, live, position), live), (plan) =>
    commitPlan(handler, ctx, plan)
  )

/**
 * Batches of a `pipelined` kind are planned while the previous one commits. A batch planned before
 * an earlier batch holding one of its records had committed read a stale previous state: it is
 * planned again, after that commit, before it commits (rare: a record changed while the list was read).
 */
const pipelinedCommits = <D, P, L, R>(handler: KindHandler<D, P, L, R>, ctx: StageContext, position: ReadPosition) => {
  let committed = 0
  const recent: Array<{ n: number; ids: ReadonlySet<string> }> = []
  const plan = ([chunk, n]: readonly [Chunk.Chunk<Input>, number]) => {
    const decoded = decodeBatch(handler, [...chunk], true, position)
    const seen = committed
    return Effect.map(planBatch(handler, ctx, decoded, true), (p) => ({ n, decoded, plan: p, seen }))
  }
  const commit = (b: { n: number; decoded: Decoded<D>; plan: Plan<D, P>; seen: number }) =>
    Effect.gen(function* () {
      const ids = b.decoded.ids
      const stale = recent.some((r) => r.n >= b.seen && r.n < b.n && [...r.ids].some((id) => ids.has(id)))
      yield* commitPlan(handler, ctx, stale ? yield* planBatch(handler, ctx, b.decoded, true) : b.plan)
      committed = b.n + 1
      recent.push({ n: b.n, ids })
      if (recent.length > 4) recent.shift()
    })
  return { plan, commit }
}

/** Live read of one list from its cursor (minus the overlap window), pipelined: the next pages are pulled while a batch writes. */
export const pullList = <D, P, L, R>(handler: KindHandler<D, P, L, R>, ctx: StageContext, fullRefresh: boolean) =>
  Effect.gen(function* () {
    const source = yield* Source
    const records = yield* SourceRecords
    const cursor = fullRefresh ? undefined : yield* records.cursor(ctx.integrationId, handler.list)
    const since = cursor === undefined ? undefined : new Date(Date.parse(cursor) - CURSOR_OVERLAP_MS).toISOString()
    yield* Effect.annotateCurrentSpan({ list: handler.list, since: since ?? "beginning" })
    const position: ReadPosition = { newest: undefined, watermark: undefined }
    const read = ctx.read
    if (read !== undefined) read.sinceMs = since === undefined ? undefined : Date.parse(since)
    const seen = (ms: number) => {
      if (read === undefined || !Number.isFinite(ms)) return
      if (read.firstMs === undefined) read.firstMs = ms
      if (read.newestMs === undefined || ms > read.newestMs) read.newestMs = ms
    }
    yield* source.list(handler.list, since).pipe(
      Stream.map((p: PulledRecord): Input => {
        if (p._tag === "Watermark") {
          seen(p.time)
          return { raw: undefined, watermark: p.time }
        }
        seen(updatedMsOf(p.raw))
        ctx.counts.pulled++
        return p._tag === "Valid"
          ? {
              raw: p.raw,
              decoded: p.decoded?.schema === handler.schema && p.decoded.raw === p.raw ? p.decoded : undefined
            }
          : { raw: p.raw, invalid: p.error, id: p.id }
      }),
      Stream.grouped(BATCH_SIZE),
      Stream.buffer({ capacity: 1 }),
      (batches) => {
        if (handler.pipelined !== true)
          return Stream.mapEffect(batches, (chunk) => processBatch(handler, ctx, [...chunk], true, position))
        const { plan, commit } = pipelinedCommits(handler, ctx, position)
        return batches.pipe(
          Stream.zipWithIndex,
          Stream.mapEffect(plan),
          Stream.buffer({ capacity: 1 }),
          Stream.mapEffect(commit)
        )
      },
      Stream.runDrain
    )
  })

/** Re-evaluates stored records of one kind from their raw copies (open errors, unmapped, newly inside the cutoff; all when `all`). */
export const reevaluateStored = <D, P, L, R>(handler: KindHandler<D, P, L, R>, ctx: StageContext, all: boolean) =>
  Effect.gen(function* () {
    const records = yield* SourceRecords
    yield* records
      .pending({
        integrationId: ctx.integrationId,
        kind: handler.kind,
        cutoff: ctx.settings.cutoff,
        runId: ctx.runId,
        all
      })
      .pipe(
        Stream.grouped(BATCH_SIZE),
        Stream.mapEffect((chunk) =>
          processBatch(
            handler,
            ctx,
            [...chunk].map((s): Input => ({ raw: s.raw, stored: s })),
            false
          )
        ),
        Stream.runDrain
      )
  })
