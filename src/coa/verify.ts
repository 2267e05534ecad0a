import type { LoadedPipeline } from "../config/load.ts"
import { actionAccount, changesOf } from "./describe.ts"
import { planRequestOf } from "./environment.ts"
import { canonicalJson, makePlan, type CoaPlan } from "./plan-file.ts"
import { planCoa } from "./planner.ts"

/**
 * A plan file is a claim, not an input: `apply` computes the plan again from the plan's own inputs
 * (the pipeline and mappings at its commit, and the Bill.com chart it was made against, whose
 * fingerprint `apply` checks against Bill.com before any write) and applies only if the result is
 * exactly the plan. Editing an action, and recomputing the id to match, cannot get past this.
 */
export const rederive = (plan: CoaPlan, inputs: LoadedPipeline): CoaPlan => {
  const request = planRequestOf(inputs)
  const body = planCoa({ ledger: request.ledger, chart: plan.billcom.chart, policy: request.policy })
  return makePlan({
    pipeline: request.pipeline,
    policy: request.policy,
    mappings: plan.mappings,
    chart: plan.billcom.chart,
    body,
    now: new Date(plan.createdAt)
  })
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b)

/** What differs between a plan file and its re-derivation (the first difference), or undefined. */
export const planDifference = (plan: CoaPlan, derived: CoaPlan): string | undefined => {
  if (!same(plan.pipeline, derived.pipeline))
    return `its pipeline (${canonicalJson(plan.pipeline)}) is not the one its commit defines (${canonicalJson(derived.pipeline)})`
  if (!same(plan.policy, derived.policy))
    return `its coa policy (${canonicalJson(plan.policy)}) is not the pipeline's (${canonicalJson(derived.policy)})`
  const n = Math.max(plan.actions.length, derived.actions.length)
  for (let i = 0; i < n; i++) {
    const claimed = plan.actions[i]
    const actual = derived.actions[i]
    if (same(claimed, actual)) continue
    const show = (a: typeof claimed) =>
      a === undefined ? "nothing" : `"${a._tag} ${actionAccount(a)} (${changesOf(a).join("; ")})"`
    return `action #${i + 1} is ${show(claimed)}, but the mappings and chart it was made from give ${show(actual)}`
  }
  if (!same(plan.held, derived.held)) return "its held archives are not the ones its inputs give"
  if (!same(plan.ledgerDiffs, derived.ledgerDiffs)) return "its ledger differences are not the ones its inputs give"
  if (!same(plan.problems, derived.problems)) return "its problems are not the ones its inputs give"
  if (plan.planId !== derived.planId) return `its id ${plan.planId} is not the id of its content (${derived.planId})`
  return undefined
}
