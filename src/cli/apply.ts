import { Prompt } from "@effect/cli"
import { Terminal } from "@effect/platform"
import { Console, Effect, Layer } from "effect"
import { existsSync } from "node:fs"
import { CoaApplier, type PendingAction } from "../coa/applier.ts"
import { coaBillcomLayer } from "./environment.ts"
import { CoaError } from "../coa/errors.ts"
import { CoaJournal } from "../coa/journal.ts"
import { describeMappings } from "../coa/mappings-source.ts"
import { readPlanFile, type CoaPlan } from "../coa/plan-file.ts"
import type { ChartReader, ChartWriter } from "../coa/ports.ts"
import { planInputs } from "../coa/provenance.ts"
import { renderPending } from "../coa/render-text.ts"
import { planDifference, rederive } from "../coa/verify.ts"
import { loadPipeline } from "../config/load.ts"
import { clientLayer, inCi, refuseEmbeddedInCi } from "../store/database.ts"
import { keyBudgetsFor } from "../store/key-budget.ts"
import { reportFailure } from "./failure.ts"
import { databaseFor } from "./environment.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ApplyOptions } from "./options.ts"

/**
 * `billsync apply coa <plan.json>`: apply a reviewed plan to Bill.com. The plan file is checked,
 * not trusted: its inputs (pipeline and mappings at its commit) must re-derive exactly its actions,
 * Bill.com must still be in the state it was planned against (or part-way through this plan), and
 * a plan already applied is not applied again. Asks y/N on a terminal (for a production
 * organization: type its id); without one (CI) it needs --auto-approve, and for production also
 * --confirm <organizationId>. Records every action in the database.
 */
export interface ApprovalSettings {
  readonly auto: boolean
  readonly confirm: string | undefined
  /** The pipeline's Bill.com environment (production, sandbox, emulator), as the pipeline file says now. */
  readonly environment: string
  /** Whether stdin is a terminal a person can answer on. */
  readonly interactive: boolean
}

/** Refusals that need no Bill.com call: a wrong --confirm, or production without one under --auto-approve. */
export const confirmProblem = (plan: CoaPlan, s: ApprovalSettings): string | undefined => {
  const org = plan.pipeline.organizationId
  if (s.confirm !== undefined && s.confirm !== org) {
    return `--confirm ${s.confirm} does not match the organization this plan changes (${org}, ${s.environment}); nothing was changed`
  }
  if (s.environment === "production" && s.confirm === undefined && (s.auto || !s.interactive)) {
    return `${plan.pipeline.name} is a production pipeline: applying without a prompt needs --confirm ${org} (the Bill.com organization id) as well as --auto-approve`
  }
  return undefined
}

/** The approval step: --auto-approve, or a prompt that names the environment (production: type the organization id). */
export const approval =
  (plan: CoaPlan, s: ApprovalSettings, terminal: Terminal.Terminal) => (pending: ReadonlyArray<PendingAction>) =>
    Effect.gen(function* () {
      const problem = confirmProblem(plan, s)
      if (problem !== undefined) return yield* new CoaError({ reason: "not-approved", message: problem })
      if (s.auto) return true
      if (!s.interactive) {
        return yield* new CoaError({
          reason: "not-approved",
          message:
            "stdin is not a terminal, so the plan cannot be approved interactively: review it and re-run with --auto-approve (CI: behind a protected environment)"
        })
      }
      yield* Console.error(renderPending(plan, pending).trimEnd())
      const org = plan.pipeline.organizationId
      const where = `Bill.com ${s.environment === "production" ? "PRODUCTION" : s.environment} organization ${org} (pipeline ${plan.pipeline.name})`
      const answer =
        s.environment === "production" && s.confirm === undefined
          ? Prompt.text({
              message: `Apply ${pending.length} change(s) to ${where}? Type the organization id to confirm`
            }).pipe(Effect.map((typed) => typed.trim() === org))
          : Prompt.confirm({ message: `Apply ${pending.length} change(s) to ${where}?`, initial: false })
      return yield* answer.pipe(
        Effect.provideService(Terminal.Terminal, terminal),
        Effect.orElseSucceed(() => false)
      )
    })

export const run = (o: ApplyOptions) =>
  Effect.gen(function* () {
    if (!existsSync(o.planFile))
      return yield* exitWith(
        Exit.usage,
        `billsync apply coa: ${o.planFile}: no such file (write one with \`billsync plan coa <pipeline> --out ${o.planFile}\`)`
      )
    const terminal = yield* Terminal.Terminal
    const plan = yield* readPlanFile(o.planFile)
    const loaded = yield* loadPipeline(plan.pipeline.file)
    if (loaded.pipeline.billcom.organizationId !== plan.pipeline.organizationId) {
      return yield* new CoaError({
        reason: "plan-file",
        message: `the plan is for Bill.com organization ${plan.pipeline.organizationId}, but ${plan.pipeline.file} now names ${loaded.pipeline.billcom.organizationId}; re-run billsync plan coa ${plan.pipeline.name}`
      })
    }
    // In CI the embedded database is refused before anything else is checked (it would vanish with the runner).
    const target = yield* databaseFor(loaded)
    yield* refuseEmbeddedInCi(target, o.ephemeral)
    const settings: ApprovalSettings = {
      auto: o.autoApprove,
      confirm: o.confirm,
      environment: loaded.pipeline.billcom.environment,
      interactive: process.stdin.isTTY === true
    }
    const early = confirmProblem(plan, settings)
    if (early !== undefined) return yield* new CoaError({ reason: "not-approved", message: early })

    // The plan must be what its own inputs give (a forged or edited plan is refused here).
    const inputs = yield* planInputs(plan, loaded.root, { ci: inCi() })
    const difference = planDifference(plan, rederive(plan, inputs.loaded))
    if (difference !== undefined) {
      return yield* new CoaError({
        reason: "plan-file",
        message: `refusing plan ${plan.planId}: ${difference}. The plan file was edited or does not come from its recorded inputs; nothing was changed. Re-run billsync plan coa ${plan.pipeline.name} and review that plan.`
      })
    }
    const mappings = yield* describeMappings(loaded.root, loaded.mappingsDir)
    if (mappings.fingerprint !== plan.mappings.fingerprint) {
      yield* Effect.logWarning(
        `the mapping files changed since this plan was made; it applies the reviewed plan, not the current files — re-plan to include the changes`
      )
    }
    // `write: true` adds the ChartWriter; the layer's type (a union over `write`) does not say so.
    const billcom = coaBillcomLayer(loaded, { write: true }) as Layer.Layer<ChartReader | ChartWriter, CoaError>
    const database = clientLayer(target, "write")
    // Bill.com's budgets of the devKey are shared through the ledger's Postgres (none on the embedded database).
    const shared = billcom.pipe(Layer.provide(keyBudgetsFor(target)), Layer.provide(database))
    const applier = Layer.provide(
      CoaApplier.Default,
      Layer.merge(shared, CoaJournal.Default.pipe(Layer.provide(database)))
    )
    const result = yield* Effect.flatMap(CoaApplier, (a) =>
      a.apply(plan, { approve: approval(plan, settings, terminal) })
    ).pipe(Effect.provide(applier))
    if (result.total === 0) {
      yield* Console.log(
        plan.policy.sourceOfTruth === "billcom"
          ? `Nothing to apply: ${plan.pipeline.name} has coa.sourceOfTruth: billcom, so plans never write to Bill.com.`
          : "Nothing to apply: the plan has no changes."
      )
    } else if (result.appliedBefore !== undefined) {
      yield* Console.log(
        `Plan ${plan.planId} was already applied (${result.appliedBefore}); nothing was done. A plan is applied once: re-plan to make further changes.`
      )
    } else {
      yield* Console.log(
        `Applied ${result.applied} of ${result.total} action(s) to Bill.com ${settings.environment} organization ${plan.pipeline.organizationId}` +
          (result.alreadyApplied > 0 ? ` (${result.alreadyApplied} were already applied)` : "") +
          `. Plan ${plan.planId} is complete.`
      )
    }
  }).pipe(Effect.scoped, Effect.catchAll(reportFailure("apply coa")))
