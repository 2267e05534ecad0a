import type { SqlError } from "@effect/sql/SqlError"
import { Cause, Clock, Deferred, Effect, Exit, Match } from "effect"
import { Journal, type JournalConfig, type PostingCounts } from "../ledger/journal.ts"
import type { StoreError } from "../store/errors.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations, type IntegrationRow } from "../store/integrations.ts"
import { LedgerMaster } from "../store/ledger-master.ts"
import { emptyCounts, Runs, type RunKind, type RunStatus, type StageCounts } from "../store/runs.ts"
import { SourceRecords } from "../store/source-records.ts"
import { pullList, reevaluateStored } from "./batch.ts"
import { readDocuments, type DocumentsSummary } from "./documents.ts"
import type { UnmetCondition } from "./errors.ts"
import { SyncError } from "./errors.ts"
import { evaluateGate } from "./gate.ts"
import { emptyReadProgress, type ReadProgress, type StageContext } from "./handler.ts"
import { connectIntegration } from "./lifecycle.ts"
import { withIntegrationLock } from "./lock.ts"
import { fingerprintOf, handlersOf } from "./plan.ts"
import type { SyncSettings } from "./settings.ts"
import { Source, type SourceError } from "./source.ts"
import { cutoffStages, inPlanOrder, seedStages, type StageName } from "./stages.ts"

export interface ProgressEvent {
  readonly kind: RunKind
  readonly stage: StageName
  readonly phase: "start" | "end"
  /** The stage's counters, live: the same object is updated until the stage ends. */
  readonly counts: StageCounts
  /** The stage's live read position (see ReadProgress). */
  readonly read: ReadProgress
  /** Bill.com requests sent by this process so far, and this clock hour's budget use. */
  readonly requests: Effect.Effect<number>
  readonly hourlyBudget: Effect.Effect<{ readonly used: number; readonly perHour: number } | undefined>
  readonly durationMs?: number
  readonly status?: RunStatus
}

export interface RunOptions {
  readonly stages?: ReadonlyArray<StageName> | undefined
  readonly fullRefresh: boolean
  readonly dryRun: boolean
  readonly wait: boolean
  readonly onProgress?: ((event: ProgressEvent) => Effect.Effect<void>) | undefined
  /** After every committed batch of a stage (live or re-evaluation). */
  readonly afterBatch?: StageContext["afterBatch"]
  /**
   * Completed (with the signal's name, e.g. "SIGTERM") when the run must stop: the stage in flight
   * is interrupted — a batch whose transaction has begun commits whole, the one being read or
   * planned is dropped —, no later stage runs and the run is recorded as interrupted.
   */
  readonly stop?: Deferred.Deferred<string> | undefined
}

/** A run that ended on its own (succeeded, with or without record errors): not failed, not interrupted. */
export const completed = (status: RunStatus): boolean => status === "succeeded" || status === "succeeded_with_errors"

export interface StageResult {
  readonly stage: StageName
  readonly status: RunStatus
  readonly counts: StageCounts
  readonly durationMs: number
  readonly error?: string | undefined
}

export interface RunResult {
  readonly runId: number
  readonly kind: RunKind
  readonly status: RunStatus
  readonly stages: ReadonlyArray<StageResult>
  readonly notes: ReadonlyArray<string>
  readonly apiCalls: number
  readonly openErrors: number
  readonly error?: string | undefined
  /** The bill documents step (runs with the bills stage, after its records are written). */
  readonly documents?: DocumentsSummary | undefined
}

export interface SyncOutcome {
  readonly integration: IntegrationRow
  readonly runs: ReadonlyArray<RunResult>
  /** Non-empty when the full plan was refused ("setup not completed"). */
  readonly unmet: ReadonlyArray<UnmetCondition>
}

/** A dry run writes nothing, so its "run" has no row; this id never matches a stored one. */
const DRY_RUN_ID = -1

/** Runs some stages as one recorded run (seed or full), stage by stage in plan order; a failing stage ends the run. */
export const executeRun = Effect.fn("Sync.executeRun")(function* (
  settings: SyncSettings,
  integration: IntegrationRow,
  kind: RunKind,
  stages: ReadonlyArray<StageName>,
  options: RunOptions,
  notes: ReadonlyArray<string>
) {
  const runs = yield* Runs
  const records = yield* SourceRecords
  const source = yield* Source
  const errors = yield* IntegrationErrors
  if (!options.dryRun) {
    yield* (yield* LedgerMaster).syncChart(integration.companyId!, settings.chart)
    // Postings credit exactly ledger.apAccount, never a guess among the chart's AP accounts (the gate checks it exists);
    // the rest of the ledger section (currency, cutoff, opening balance and FX accounts, closed period) goes with it.
    if (stages.some((s) => cutoffStages.includes(s)))
      yield* (yield* Journal).configure(integration.companyId!, journalConfigOf(settings))
  }
  const runId = options.dryRun
    ? DRY_RUN_ID
    : yield* runs.start({ integrationId: integration.id, kind, fullRefresh: options.fullRefresh, stages })
  const apiStart = yield* source.apiCalls
  if (source.capRequests !== undefined) {
    const cap = requestCapFor(settings.maxRequestsPerRun, yield* runs.lastFullRunRequests(integration.id))
    yield* source.capRequests({ limit: apiStart + cap.limit, why: cap.why })
  }
  const results: Array<StageResult> = []
  let failure: string | undefined
  let interrupted: string | undefined
  let documents: DocumentsSummary | undefined
  for (const [position, stage] of stages.entries()) {
    const read = emptyReadProgress()
    const ctx: StageContext = {
      integrationId: integration.id,
      companyId: integration.companyId!,
      runId,
      stage,
      settings,
      dryRun: options.dryRun,
      counts: emptyCounts(),
      read,
      afterBatch: options.afterBatch
    }
    const live = { read, requests: source.apiCalls, hourlyBudget: source.hourlyBudget ?? Effect.succeed(undefined) }
    if (!options.dryRun) yield* runs.stageStarted(runId, stage, position)
    if (options.onProgress) yield* options.onProgress({ kind, stage, phase: "start", counts: ctx.counts, ...live })
    const started = yield* Clock.currentTimeMillis
    const apiBefore = yield* source.apiCalls
    const work = Effect.gen(function* () {
      const fingerprint = fingerprintOf(stage, settings)
      const previous = yield* records.fingerprint(integration.id, stage)
      for (const handler of handlersOf[stage]) yield* pullList(handler, ctx, options.fullRefresh)
      for (const handler of handlersOf[stage])
        yield* reevaluateStored(handler, ctx, previous !== undefined && previous !== fingerprint)
      if (!options.dryRun) yield* records.setFingerprint(integration.id, stage, fingerprint)
      // Counted in the bills stage's API calls, but after its batches: never inside a bills transaction.
      if (stage === "bills") documents = yield* readDocuments(settings, integration.companyId!, options.dryRun)
    }).pipe(
      Effect.withSpan(`Sync.stage.${stage}`),
      Effect.annotateLogs({ pipeline: settings.pipeline, stage }),
      Effect.either
    )
    // A stop request interrupts the stage's fiber (and waits for it: open transactions end first).
    const stop = options.stop
    const outcome =
      stop === undefined
        ? yield* work
        : yield* Effect.raceFirst(
            work,
            Effect.map(Deferred.await(stop), (signal) => ({ _tag: "Stopped" as const, signal }))
          )
    ctx.counts.apiCalls = (yield* source.apiCalls) - apiBefore
    const durationMs = (yield* Clock.currentTimeMillis) - started
    const error =
      outcome._tag === "Left"
        ? describeStageFailure(outcome.left)
        : outcome._tag === "Stopped"
          ? `interrupted by ${outcome.signal}`
          : undefined
    const status: RunStatus =
      outcome._tag === "Stopped"
        ? "interrupted"
        : error !== undefined
          ? "failed"
          : ctx.counts.errors > 0
            ? "succeeded_with_errors"
            : "succeeded"
    if (!options.dryRun) yield* runs.stageFinished(runId, stage, status, ctx.counts, durationMs, error)
    results.push({ stage, status, counts: ctx.counts, durationMs, error })
    if (options.onProgress)
      yield* options.onProgress({ kind, stage, phase: "end", counts: ctx.counts, ...live, durationMs, status })
    if (outcome._tag === "Stopped") {
      interrupted = interruptionNote(outcome.signal, yield* Clock.currentTimeMillis, stage, results)
      yield* Effect.logWarning(interrupted)
      break
    }
    if (error !== undefined) {
      yield* Effect.logError(`stage ${stage} failed: ${error}`)
      failure = `stage ${stage} failed: ${error}`
      break
    }
  }
  // Opening items at the cutoff and FX rounding need every payables stage's data: settled once, after them
  // (not after a failed stage: its backlog waits for the run that completes the data, so nothing is posted twice).
  let settled: PostingCounts | undefined
  if (
    !options.dryRun &&
    failure === undefined &&
    interrupted === undefined &&
    stages.some((s) => cutoffStages.includes(s))
  ) {
    const outcome = yield* Effect.exit((yield* Journal).settle(integration.companyId!))
    if (Exit.isSuccess(outcome)) settled = outcome.value
    else {
      failure = `settling opening items and FX rounding failed: ${Cause.pretty(outcome.cause).split("\n")[0]}`
      yield* Effect.logError(failure)
    }
  }
  const open = yield* errors.openCounts(integration.id)
  const openErrors = stages.reduce((n, s) => n + (open.get(s) ?? 0), 0)
  const status: RunStatus =
    interrupted !== undefined
      ? "interrupted"
      : failure !== undefined
        ? "failed"
        : openErrors > 0
          ? "succeeded_with_errors"
          : "succeeded"
  const apiCalls = (yield* source.apiCalls) - apiStart
  const allNotes = [
    ...notes,
    ...(documents === undefined ? [] : [documentsNote(settings, documents)]),
    ...(settled !== undefined && settled.posted + settled.reversed > 0
      ? [`opening items and FX rounding: ${settled.posted} posted, ${settled.reversed} reversed`]
      : [])
  ]
  const error = interrupted ?? failure
  if (!options.dryRun) yield* runs.finish(runId, status, apiCalls, error, allNotes)
  return {
    runId,
    kind,
    status,
    stages: results,
    notes: allNotes,
    apiCalls,
    openErrors,
    error,
    documents
  } satisfies RunResult
})

/** The pipeline's ledger section as the journal keeps it. */
export const journalConfigOf = (s: SyncSettings): JournalConfig => ({
  apAccount: s.apAccount,
  currency: s.currency,
  cutoff: s.cutoff,
  openingBalanceAccount: s.openingBalanceAccount,
  fxGainLossAccount: s.fxGainLossAccount,
  closedThrough: s.closedThrough,
  closedPeriodPolicy: s.closedPeriodPolicy
})

const documentsNote = (settings: SyncSettings, d: DocumentsSummary): string =>
  !settings.documents.enabled
    ? `bill documents: not read (sync.documents.enabled is false); ${d.backlog} bill(s) without current documents`
    : `bill documents: ${d.reads} read${d.failed > 0 ? ` (${d.failed} failed, retried later)` : ""}; ${d.backlog} bill(s) left in the backlog${d.backlog > 0 ? ` (at most ${settings.documents.maxPerRun} a run: sync.documents.maxPerRun)` : ""}`

/** What an interrupted run records: when, in which stage, and what its stages committed before it stopped. */
const interruptionNote = (
  signal: string,
  atMs: number,
  stage: StageName,
  results: ReadonlyArray<StageResult>
): string => {
  const committed = results
    .filter((r) => r.counts.inserted + r.counts.updated + r.counts.skipped + r.counts.errors + r.counts.reevaluated > 0)
    .map(
      (r) =>
        `${r.stage} ${r.counts.inserted} inserted, ${r.counts.updated} updated, ${r.counts.skipped} skipped, ${r.counts.errors} errors${r.counts.reevaluated > 0 ? `, ${r.counts.reevaluated} re-evaluated` : ""}`
    )
  return (
    `interrupted by ${signal} at ${new Date(atMs).toISOString()} during stage ${stage}; committed before it stopped: ${committed.length > 0 ? committed.join("; ") : "nothing"}. ` +
    "Every batch committed whole (with its cursor) or not at all: the next sync resumes from there"
  )
}

/** Requests a run may send when the pipeline does not say (sync.maxRequestsPerRun): a first run's. */
export const FIRST_RUN_REQUEST_CAP = 10_000

/** A run's request cap: the pipeline's, else 3× the last completed full run's (at least 1000), else 10,000. */
export const requestCapFor = (
  configured: number | undefined,
  lastFullRun: number | undefined
): { readonly limit: number; readonly why: string } =>
  configured !== undefined
    ? { limit: configured, why: `sync.maxRequestsPerRun is ${configured}` }
    : lastFullRun !== undefined
      ? {
          limit: Math.max(1_000, 3 * lastFullRun),
          why: `the default cap is 3× the last full run's ${lastFullRun} requests (at least 1000; set sync.maxRequestsPerRun to choose)`
        }
      : {
          limit: FIRST_RUN_REQUEST_CAP,
          why: `the default cap before the first full run is ${FIRST_RUN_REQUEST_CAP} requests (set sync.maxRequestsPerRun to choose)`
        }

/**
 * The text a failed stage stores and prints (sync_run_stages.error, the summary): what happened
 * and, when the error carries it, what to do. By tag, over the errors a stage can fail with — a new
 * one is a type error here, like in the CLI's reportFailure (cli/failure.ts), which renders the
 * command's own failures at the edge.
 */
export const describeStageFailure: (error: SqlError | StoreError | SourceError) => string = Match.typeTags<
  SqlError | StoreError | SourceError
>()({
  SourceError: (e) => (e.advice !== undefined ? `${e.message} — ${e.advice}` : e.message),
  StoreError: (e) => e.message,
  SqlError: (e) => e.message
})

/** What moving the cutoff means for this run (stored cutoff vs the pipeline's). */
const cutoffNotes = (stored: string | null, wanted: string | undefined): Array<string> => {
  if (stored === null || stored === (wanted ?? null)) return []
  if (wanted === undefined || wanted < stored) {
    return [
      `cutoff moved earlier (${stored} → ${wanted ?? "none"}): records dated in that range are backfilled from stored source records (no re-pull); the live cursors are untouched`
    ]
  }
  return [
    `cutoff moved later (${stored} → ${wanted}): records dated before it are re-evaluated; their postings are replaced by opening items at the new cutoff`
  ]
}

/**
 * `billsync sync`: under the integration lock — connect if needed, the initial seed on the first
 * run, then the setup gate. When setup is incomplete the seed stages run (setup-incomplete mode)
 * and the full plan is refused with every unmet condition; otherwise the full plan runs.
 */
export const runSync = Effect.fn("Sync.runSync")(function* (settings: SyncSettings, options: RunOptions) {
  const integrations = yield* Integrations
  const runs = yield* Runs
  const ensured = yield* integrations.ensure({
    pipeline: settings.pipeline,
    company: settings.company,
    organizationId: settings.organizationId,
    environment: settings.environment,
    currency: settings.currency
  })
  return yield* withIntegrationLock(
    settings.pipeline,
    options.wait,
    Effect.gen(function* () {
      // Re-read under the lock: a run that held it may have connected or seeded meanwhile.
      let integration = (yield* integrations.find(settings.pipeline)) ?? ensured
      if (!options.dryRun) {
        yield* runs.failInterrupted(integration.id)
      }
      if (integration.status !== "connected") {
        const connected = yield* untilStopped(
          connectIntegration(settings, { persist: !options.dryRun }),
          options.stop,
          "while connecting to Bill.com"
        ).pipe(Effect.either)
        if (connected._tag === "Right") integration = connected.right.integration
        else if (connected.left._tag === "SyncError" && connected.left.reason === "interrupted")
          return yield* connected.left
        else integration = (yield* integrations.find(settings.pipeline)) ?? integration
        if (options.dryRun && connected._tag === "Right") integration = { ...integration, status: "connected" }
      }
      const results: Array<RunResult> = []
      const enabled = new Set(settings.stages)
      const seedPlan = seedStages.filter((s) => enabled.has(s))
      let seededNow = false
      if (integration.status === "connected" && integration.seededAt === null) {
        const seed = yield* executeRun(settings, integration, "seed", seedPlan, options, ["initial seed (first run)"])
        results.push(seed)
        if (completed(seed.status) && !options.dryRun) yield* integrations.markSeeded(integration.id)
        if (!completed(seed.status)) return { integration, runs: results, unmet: [] } satisfies SyncOutcome
        seededNow = true
      }
      let unmet = yield* evaluateGate(settings, integration)
      if (unmet.length > 0 && integration.status === "connected" && !seededNow) {
        const seed = yield* executeRun(settings, integration, "seed", seedPlan, options, [
          "setup not completed: seed stages only (setup-incomplete mode)"
        ])
        results.push(seed)
        if (!completed(seed.status)) return { integration, runs: results, unmet } satisfies SyncOutcome
        unmet = yield* evaluateGate(settings, integration)
      }
      if (unmet.length > 0) return { integration, runs: results, unmet } satisfies SyncOutcome
      const wanted =
        options.stages === undefined ? settings.stages : settings.stages.filter((s) => options.stages!.includes(s))
      const plan = inPlanOrder(wanted)
      const notes = plan.some((s) => cutoffStages.includes(s)) ? cutoffNotes(integration.cutoff, settings.cutoff) : []
      if (options.fullRefresh)
        notes.push("full refresh: every list re-pulled from the beginning (unchanged records are no-ops)")
      const full = yield* executeRun(settings, integration, "full", plan, options, notes)
      results.push(full)
      if (completed(full.status) && !options.dryRun && plan.some((s) => cutoffStages.includes(s))) {
        yield* integrations.setCutoff(integration.id, settings.cutoff)
      }
      return { integration, runs: results, unmet } satisfies SyncOutcome
    }),
    options.stop
  )
})

/** `effect`, unless a stop is requested first: then SyncError "interrupted" (nothing written yet). */
const untilStopped = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  stop: Deferred.Deferred<string> | undefined,
  when: string
) =>
  stop === undefined
    ? effect
    : Effect.raceFirst(
        effect,
        Effect.flatMap(
          Deferred.await(stop),
          (signal) =>
            new SyncError({
              reason: "interrupted",
              message: `interrupted by ${signal} ${when}: no run had started, nothing was written`
            })
        )
      )

export { SyncError }
