import { Effect } from "effect"
import { describeMappings } from "./mappings-source.ts"
import type { CoaPolicy, LedgerAccount } from "./model.ts"
import { makePlan, type PlanPipeline } from "./plan-file.ts"
import { planCoa } from "./planner.ts"
import { ChartReader } from "./ports.ts"

export interface PlanRequest {
  readonly pipeline: PlanPipeline
  readonly policy: CoaPolicy
  readonly ledger: ReadonlyArray<LedgerAccount>
  /** Repository root and the mappings folder relative to it (for the mapping fingerprint). */
  readonly root: string
  readonly mappingsDir: string
}

/** Reads Bill.com's chart and computes the plan file for one pipeline. Read-only. */
export const computePlan = Effect.fn("Coa.computePlan")(function* (request: PlanRequest) {
  const reader = yield* ChartReader
  const [chart, mappings] = yield* Effect.all(
    [reader.read, describeMappings(request.root, request.mappingsDir, request.pipeline.file)],
    { concurrency: 2 }
  )
  const body = planCoa({ ledger: request.ledger, chart, policy: request.policy })
  yield* Effect.logDebug("COA plan computed").pipe(
    Effect.annotateLogs({ pipeline: request.pipeline.name, rows: chart.length, actions: body.actions.length })
  )
  return makePlan({ pipeline: request.pipeline, policy: request.policy, mappings, chart, body, now: new Date() })
})
