import { Effect, Either } from "effect"
import { appliedPrefix, prefixFingerprints, readCurrent, type CurrentChart } from "./chart-state.ts"
import { actionAccount } from "./describe.ts"
import { CoaError } from "./errors.ts"
import { CoaJournal } from "./journal.ts"
import { norm } from "./matching.ts"
import type { ChartRow, CoaAction, ParentRef } from "./model.ts"
import type { CoaPlan } from "./plan-file.ts"
import { ChartReader, ChartWriter } from "./ports.ts"

export interface PendingAction {
  readonly index: number
  readonly action: CoaAction
}

export interface ApplyOptions {
  /** Asked once, after the stale check, with the actions still to apply; false = declined. */
  readonly approve: (pending: ReadonlyArray<PendingAction>) => Effect.Effect<boolean, CoaError>
}

export interface ApplyResult {
  readonly planId: string
  readonly total: number
  /** Actions Bill.com already reflected when this run started (an earlier, partial apply). */
  readonly alreadyApplied: number
  /** Actions this run performed. */
  readonly applied: number
  /** Set when the plan had already been applied completely: nothing was read from or sent to Bill.com. */
  readonly appliedBefore?: string
}

/**
 * Applies a reviewed plan: re-reads Bill.com, refuses a stale plan, then performs the remaining
 * actions in order through the ChartWriter, recording each in Postgres. Re-running after a partial
 * failure resumes where it stopped: the chart state itself says how many actions are done.
 */
export class CoaApplier extends Effect.Service<CoaApplier>()("billsync/coa/CoaApplier", {
  effect: Effect.gen(function* () {
    const reader = yield* ChartReader
    const writer = yield* ChartWriter
    const journal = yield* CoaJournal

    const apply = Effect.fn("CoaApplier.apply")(function* (plan: CoaPlan, options: ApplyOptions) {
      const total = plan.actions.length
      if (plan.problems.length > 0) {
        return yield* new CoaError({
          reason: "problems",
          message: `this plan has ${plan.problems.length} problem(s) and cannot be applied:\n  ${plan.problems.join("\n  ")}`
        })
      }
      if (total === 0) return { planId: plan.planId, total, alreadyApplied: 0, applied: 0 } satisfies ApplyResult
      // A plan is applied once: replaying it (a re-run job, an old artifact) does nothing.
      const recorded = yield* journal.plan(plan.planId)
      if (recorded?.status === "applied") {
        yield* Effect.logInfo(
          `plan ${plan.planId} was already applied${recorded.finishedAt !== null ? ` at ${recorded.finishedAt}` : ""}; nothing to do`
        )
        return {
          planId: plan.planId,
          total,
          alreadyApplied: total,
          applied: 0,
          appliedBefore: recorded.finishedAt ?? "earlier"
        } satisfies ApplyResult
      }

      const chart = yield* reader.read
      const current = readCurrent(chart, plan.billcom.chart, plan.actions)
      const done = appliedPrefix(prefixFingerprints(plan.billcom.chart, plan.actions), current)
      const runId = yield* journal.begin(plan, done ?? 0)
      if (done === undefined) {
        const message = staleMessage(plan, chart, current)
        yield* journal.finish({ planId: plan.planId, runId, outcome: "stale", applied: 0, error: message })
        return yield* new CoaError({ reason: "stale", message })
      }

      const created = new Map(current.created)
      const recordedActions = new Map((yield* journal.actions(plan.planId)).map((r) => [r.index, r] as const))
      for (let index = 0; index < done; index++) {
        if (recordedActions.get(index)?.status === "succeeded") continue
        const action = plan.actions[index]!
        yield* journal.recordAction({
          planId: plan.planId,
          runId,
          index,
          action,
          status: "already-applied",
          billcomId: targetId(action, created)
        })
      }
      if (done === total) {
        yield* Effect.logInfo(`all ${total} actions of plan ${plan.planId} are already applied`)
        yield* journal.finish({ planId: plan.planId, runId, outcome: "applied", applied: 0 })
        return { planId: plan.planId, total, alreadyApplied: done, applied: 0 } satisfies ApplyResult
      }
      if (done > 0)
        yield* Effect.logInfo(
          `resuming plan ${plan.planId}: ${done} of ${total} actions are already applied in Bill.com`
        )

      const pending = plan.actions.slice(done).map((action, i) => ({ index: done + i, action }))
      const approved = yield* options
        .approve(pending)
        .pipe(
          Effect.tapError((e) =>
            journal.finish({ planId: plan.planId, runId, outcome: "declined", applied: 0, error: e.message })
          )
        )
      if (!approved) {
        yield* journal.finish({ planId: plan.planId, runId, outcome: "declined", applied: 0 })
        return yield* new CoaError({
          reason: "not-approved",
          message: "apply cancelled: the plan was not approved; nothing was changed in Bill.com"
        })
      }
      yield* journal.markApplying(plan.planId)

      const snapshotIds = new Set(plan.billcom.chart.map((r) => r.id))
      let applied = 0
      for (const { index, action } of pending) {
        const label = `#${index + 1}/${total} ${action._tag} ${actionAccount(action)}`
        const outcome = yield* Effect.either(perform(action, created))
        // A create whose response was lost may still have happened: look before calling it failed.
        const result =
          Either.isRight(outcome) || action._tag !== "create"
            ? outcome
            : yield* findCreated(action, snapshotIds, created).pipe(
                Effect.map((row) => (row === undefined ? outcome : Either.right(row)))
              )
        if (Either.isLeft(result)) {
          const error = result.left.message
          yield* journal.recordAction({
            planId: plan.planId,
            runId,
            index,
            action,
            status: "failed",
            billcomId: targetId(action, created),
            error
          })
          const message = `${label} failed: ${error}\n${done + applied} of ${total} actions are applied. Fix the cause and re-run \`billsync apply coa\` with the same plan file to resume.`
          yield* journal.finish({ planId: plan.planId, runId, outcome: "failed", applied, error: message })
          return yield* new CoaError({ reason: "apply", message, cause: result.left })
        }
        const row = result.right
        if (action._tag === "create") created.set(action.after.number, row.id)
        yield* journal.recordAction({
          planId: plan.planId,
          runId,
          index,
          action,
          status: "succeeded",
          billcomId: row.id,
          result: row
        })
        applied++
        yield* Effect.logInfo(`applied ${label}`).pipe(Effect.annotateLogs({ billcomId: row.id }))
      }
      yield* journal.finish({ planId: plan.planId, runId, outcome: "applied", applied })
      return { planId: plan.planId, total, alreadyApplied: done, applied } satisfies ApplyResult
    })

    const resolveParent = (parent: ParentRef, created: ReadonlyMap<string, string>) => {
      const id = parent.id ?? (parent.number !== undefined ? created.get(parent.number) : undefined)
      return id !== undefined
        ? Effect.succeed(id)
        : Effect.fail(
            new CoaError({
              reason: "apply",
              message: `parent ${parent.number ?? "?"} has no Bill.com id: it was not created earlier in this plan`
            })
          )
    }

    const perform = (action: CoaAction, created: ReadonlyMap<string, string>): Effect.Effect<ChartRow, CoaError> => {
      switch (action._tag) {
        case "create": {
          const { parent, ...rest } = action.after
          return parent === undefined
            ? writer.create(rest)
            : Effect.flatMap(resolveParent(parent, created), (parentId) => writer.create({ ...rest, parentId }))
        }
        case "update": {
          const { parent, ...rest } = action.patch
          if (parent === undefined) return writer.update(action.id, rest)
          if (parent === null) return writer.update(action.id, { ...rest, parentId: null })
          return Effect.flatMap(resolveParent(parent, created), (parentId) =>
            writer.update(action.id, { ...rest, parentId })
          )
        }
        case "restore":
          return writer.restore(action.id)
        case "archive":
          return writer.archive(action.id)
      }
    }

    const findCreated = (
      action: Extract<CoaAction, { _tag: "create" }>,
      snapshotIds: ReadonlySet<string>,
      created: ReadonlyMap<string, string>
    ) =>
      reader.read.pipe(
        Effect.map((rows) => {
          const taken = new Set(created.values())
          return rows.find(
            (r) =>
              !snapshotIds.has(r.id) &&
              !taken.has(r.id) &&
              norm(r.number) === action.after.number &&
              r.type === action.after.type
          )
        }),
        Effect.orElseSucceed(() => undefined)
      )

    return { apply } as const
  })
}) {}

const targetId = (action: CoaAction, created: ReadonlyMap<string, string>): string | undefined =>
  action._tag === "create" ? created.get(action.after.number) : action.id

/** Says what changed in Bill.com since the plan, so the reviewer knows why it must be re-planned. */
const staleMessage = (plan: CoaPlan, chart: ReadonlyArray<ChartRow>, current: CurrentChart): string => {
  const before = new Map(plan.billcom.chart.map((r) => [r.id, r] as const))
  const touched = new Set(plan.actions.flatMap((a) => (a._tag === "create" ? [] : [a.id])))
  const same = (a: ChartRow, b: ChartRow) =>
    a.name === b.name &&
    norm(a.number) === norm(b.number) &&
    a.type === b.type &&
    norm(a.description) === norm(b.description) &&
    a.parentId === b.parentId &&
    a.archived === b.archived
  const label = (r: ChartRow) => `${r.number ?? ""} ${r.name} [${r.id}]`.trim()
  const lines: Array<string> = []
  const now = new Set(chart.map((r) => r.id))
  for (const row of chart) {
    const old = before.get(row.id)
    if (old === undefined) {
      if (current.unexplained.includes(row.id)) lines.push(`added: ${label(row)}`)
    } else if (!touched.has(row.id) && !same(old, row)) lines.push(`changed: ${label(row)}`)
    else if (touched.has(row.id) && !same(old, row)) lines.push(`changed (also planned here): ${label(row)}`)
  }
  for (const old of plan.billcom.chart) if (!now.has(old.id)) lines.push(`removed: ${label(old)}`)
  const shown = lines.slice(0, 10).map((l) => `  - ${l}`)
  if (lines.length > 10) shown.push(`  - … and ${lines.length - 10} more`)
  return [
    `the plan is stale: Bill.com's chart of accounts changed since plan ${plan.planId} was made (${plan.createdAt}), and not only by applying this plan.`,
    ...shown,
    `Nothing was changed. Re-run \`billsync plan coa ${plan.pipeline.name}\`, review the new plan, and apply that one.`
  ].join("\n")
}
