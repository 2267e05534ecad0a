import { Prompt } from "@effect/cli"
import { Terminal } from "@effect/platform"
import { Console, Effect, Layer } from "effect"
import { existsSync } from "node:fs"
import { CoaApplier, type PendingAction } from "../coa/applier.ts"
import { coaBillcomLayer } from "../coa/environment.ts"
import { CoaError } from "../coa/errors.ts"
import { CoaJournal } from "../coa/journal.ts"
import { describeMappings } from "../coa/mappings-source.ts"
import { readPlanFile, type CoaPlan } from "../coa/plan-file.ts"
import type { ChartReader, ChartWriter } from "../coa/ports.ts"
import { renderPending } from "../coa/render-text.ts"
import { loadPipeline } from "../config/load.ts"
import { clientLayer, refuseEmbeddedInCi } from "../store/database.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { databaseFor } from "../sync/environment.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ApplyOptions } from "./program.ts"

/**
 * `billsync apply coa <plan.json>`: apply a reviewed plan to Bill.com. Re-reads Bill.com first and
 * refuses a stale plan; resumes a partially applied one; records every action in Postgres. Asks
 * y/N on a terminal; without one (CI) it needs --auto-approve.
 */
const approval = (plan: CoaPlan, auto: boolean, terminal: Terminal.Terminal) => (pending: ReadonlyArray<PendingAction>) =>
  Effect.gen(function* () {
    if (auto) return true
    if (process.stdin.isTTY !== true) {
      return yield* new CoaError({
        reason: "not-approved",
        message: "stdin is not a terminal, so the plan cannot be approved interactively: review it and re-run with --auto-approve (CI: behind a protected environment)"
      })
    }
    yield* Console.error(renderPending(plan, pending).trimEnd())
    return yield* Prompt.confirm({
      message: `Apply ${pending.length} change(s) to Bill.com organization ${plan.pipeline.organizationId}?`,
      initial: false
    }).pipe(Effect.provideService(Terminal.Terminal, terminal), Effect.orElseSucceed(() => false))
  })

export const run = (o: ApplyOptions) =>
  Effect.gen(function* () {
    if (!existsSync(o.planFile)) return yield* exitWith(Exit.usage, `billsync apply coa: ${o.planFile}: no such file (write one with \`billsync plan coa <pipeline> --out ${o.planFile}\`)`)
    const terminal = yield* Terminal.Terminal
    const plan = yield* readPlanFile(o.planFile)
    const loaded = yield* loadPipeline(plan.pipeline.file)
    if (loaded.pipeline.billcom.organizationId !== plan.pipeline.organizationId) {
      return yield* new CoaError({
        reason: "plan-file",
        message: `the plan is for Bill.com organization ${plan.pipeline.organizationId}, but ${plan.pipeline.file} now names ${loaded.pipeline.billcom.organizationId}; re-run billsync plan coa ${plan.pipeline.name}`
      })
    }
    const mappings = yield* describeMappings(loaded.root, loaded.mappingsDir)
    if (mappings.fingerprint !== plan.mappings.fingerprint) {
      yield* Effect.logWarning(`the mapping files changed since this plan was made; it applies the reviewed plan, not the current files — re-plan to include the changes`)
    }
    const target = yield* databaseFor(loaded)
    yield* refuseEmbeddedInCi(target, o.ephemeral)
    // `write: true` adds the ChartWriter; the layer's type (a union over `write`) does not say so.
    const billcom = coaBillcomLayer(loaded, { write: true }) as Layer.Layer<ChartReader | ChartWriter, CoaError>
    const applier = Layer.provide(CoaApplier.Default, Layer.merge(billcom, CoaJournal.Default.pipe(Layer.provide(clientLayer(target, "write")))))
    const result = yield* Effect.flatMap(CoaApplier, (a) => a.apply(plan, { approve: approval(plan, o.autoApprove, terminal) })).pipe(
      Effect.provide(applier)
    )
    if (result.total === 0) {
      yield* Console.log(
        plan.policy.sourceOfTruth === "billcom"
          ? `Nothing to apply: ${plan.pipeline.name} has coa.sourceOfTruth: billcom, so plans never write to Bill.com.`
          : "Nothing to apply: the plan has no changes."
      )
    } else {
      yield* Console.log(
        `Applied ${result.applied} of ${result.total} action(s) to Bill.com organization ${plan.pipeline.organizationId}` +
          (result.alreadyApplied > 0 ? ` (${result.alreadyApplied} were already applied)` : "") +
          `. Plan ${plan.planId} is complete.`
      )
    }
  }).pipe(Effect.catchAll(reportFailure("apply coa")))
