import { FileSystem } from "@effect/platform"
import { Effect, Schema } from "effect"
import { createHash } from "node:crypto"
import { chartFingerprint } from "./chart-state.ts"
import { CoaError } from "./errors.ts"
import { ChartRow, CoaAction, CoaPolicy, HeldArchive, LedgerDiff, PlanWarning, type PlanBody } from "./model.ts"

export const PLAN_FORMAT = "billsync.coa-plan/1"

const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

export const PlanPipeline = Schema.Struct({
  name: Schema.String,
  file: Schema.String,
  company: Schema.String,
  organizationId: Schema.String,
  environment: Schema.String
})
export type PlanPipeline = typeof PlanPipeline.Type

/** Where the ledger chart came from: the git commit when in Git, and a digest of every mapping file. */
export const MappingsSource = Schema.Struct({
  dir: Schema.String,
  gitCommit: opt(Schema.String),
  gitDirty: opt(Schema.Boolean),
  files: Schema.Array(Schema.Struct({ path: Schema.String, sha256: Schema.String })),
  fingerprint: Schema.String
})
export type MappingsSource = typeof MappingsSource.Type

export const PlanSummary = Schema.Struct({
  create: Schema.Number,
  update: Schema.Number,
  restore: Schema.Number,
  archive: Schema.Number,
  wouldArchive: Schema.Number,
  ledgerDiffs: Schema.Number,
  possibleDuplicates: Schema.Number,
  warnings: Schema.Number
})
export type PlanSummary = typeof PlanSummary.Type

/** The plan file: self-contained, so `apply` needs nothing else to check staleness and resume. */
export const CoaPlan = Schema.Struct({
  format: Schema.Literal(PLAN_FORMAT),
  planId: Schema.String,
  createdAt: Schema.String,
  pipeline: PlanPipeline,
  policy: CoaPolicy,
  mappings: MappingsSource,
  billcom: Schema.Struct({
    fingerprint: Schema.String,
    accounts: Schema.Number,
    /** The chart the plan was computed from (the fingerprint is of exactly these rows). */
    chart: Schema.Array(ChartRow)
  }),
  summary: PlanSummary,
  actions: Schema.Array(CoaAction),
  held: Schema.Array(HeldArchive),
  ledgerDiffs: Schema.Array(LedgerDiff),
  warnings: Schema.Array(PlanWarning),
  problems: Schema.Array(Schema.String)
})
export type CoaPlan = typeof CoaPlan.Type

/** JSON with object keys sorted, so equal values hash equally. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        )
      : v
  )

export const sha256 = (text: string | Uint8Array): string => createHash("sha256").update(text).digest("hex")

export const summarize = (body: PlanBody): PlanSummary => {
  const count = (tag: CoaAction["_tag"]) => body.actions.filter((a) => a._tag === tag).length
  return {
    create: count("create"),
    update: count("update"),
    restore: count("restore"),
    archive: count("archive"),
    wouldArchive: body.held.length,
    ledgerDiffs: body.ledgerDiffs.length,
    possibleDuplicates: body.actions.filter((a) => a._tag === "create" && a.similar.length > 0).length,
    warnings: body.warnings.length
  }
}

/** True when the plan would change Bill.com, or (source of truth billcom) the ledger should change. */
export const hasChanges = (plan: Pick<CoaPlan, "actions" | "ledgerDiffs">): boolean =>
  plan.actions.length > 0 || plan.ledgerDiffs.length > 0

export const planIdOf = (
  plan: Pick<CoaPlan, "pipeline" | "policy" | "actions" | "held" | "ledgerDiffs"> & {
    readonly mappings: { readonly fingerprint: string }
    readonly billcom: { readonly fingerprint: string }
  }
): string =>
  sha256(
    canonicalJson({
      format: PLAN_FORMAT,
      pipeline: plan.pipeline,
      policy: plan.policy,
      mappings: plan.mappings.fingerprint,
      billcom: plan.billcom.fingerprint,
      actions: plan.actions,
      held: plan.held,
      ledgerDiffs: plan.ledgerDiffs
    })
  ).slice(0, 32)

/**
 * Assembles the plan file. The plan id is a digest of what the plan does and what it was computed
 * from (not of when), so re-planning an unchanged repository against an unchanged Bill.com gives
 * the same id — a reviewed plan and the one re-computed after merge can be compared by id.
 */
export const makePlan = (input: {
  readonly pipeline: PlanPipeline
  readonly policy: CoaPolicy
  readonly mappings: MappingsSource
  readonly chart: ReadonlyArray<ChartRow>
  readonly body: PlanBody
  readonly now: Date
}): CoaPlan => {
  const chart = [...input.chart].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const fingerprint = chartFingerprint(chart)
  return {
    format: PLAN_FORMAT,
    planId: planIdOf({
      pipeline: input.pipeline,
      policy: input.policy,
      mappings: input.mappings,
      billcom: { fingerprint },
      actions: input.body.actions,
      held: input.body.held,
      ledgerDiffs: input.body.ledgerDiffs
    }),
    createdAt: input.now.toISOString(),
    pipeline: input.pipeline,
    policy: input.policy,
    mappings: input.mappings,
    billcom: { fingerprint, accounts: chart.length, chart },
    summary: summarize(input.body),
    actions: input.body.actions,
    held: input.body.held,
    ledgerDiffs: input.body.ledgerDiffs,
    warnings: input.body.warnings,
    problems: input.body.problems
  }
}

const decodePlan = Schema.decodeUnknown(Schema.parseJson(CoaPlan), { errors: "all", onExcessProperty: "error" })

export const writePlanFile = Effect.fn("CoaPlanFile.write")(function* (path: string, plan: CoaPlan) {
  const fs = yield* FileSystem.FileSystem
  yield* fs
    .writeFileString(path, JSON.stringify(plan, null, 2) + "\n")
    .pipe(
      Effect.mapError(
        (cause) =>
          new CoaError({ reason: "plan-file", message: `cannot write the plan file ${path}: ${cause.message}`, cause })
      )
    )
})

/** Reads and checks a plan file: its schema, and that its snapshot still has the fingerprint it claims. */
export const readPlanFile = Effect.fn("CoaPlanFile.read")(function* (path: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs
    .readFileString(path)
    .pipe(
      Effect.mapError(
        (cause) =>
          new CoaError({ reason: "plan-file", message: `cannot read the plan file ${path}: ${cause.message}`, cause })
      )
    )
  const plan = yield* decodePlan(text).pipe(
    Effect.mapError(
      (cause) =>
        new CoaError({ reason: "plan-file", message: `${path} is not a billsync COA plan: ${cause.message}`, cause })
    )
  )
  if (chartFingerprint(plan.billcom.chart) !== plan.billcom.fingerprint || planIdOf(plan) !== plan.planId) {
    return yield* new CoaError({
      reason: "plan-file",
      message: `${path} was edited after it was made: its snapshot or actions no longer match its fingerprint and id; re-run billsync plan coa`
    })
  }
  return plan
})
