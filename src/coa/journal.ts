import { SqlClient, type SqlError } from "@effect/sql"
import { Effect } from "effect"
import { CoaError } from "./errors.ts"
import type { ChartRow, CoaAction } from "./model.ts"
import type { CoaPlan } from "./plan-file.ts"

export type RunOutcome = "applied" | "failed" | "stale" | "declined"
export type ActionStatus = "succeeded" | "already-applied" | "failed"

export interface RecordedAction {
  readonly index: number
  readonly status: ActionStatus
  readonly billcomId: string | null
  readonly attempts: number
}

const storeError = (what: string) => (cause: SqlError.SqlError) =>
  new CoaError({ reason: "store", message: `cannot record the COA apply (${what}): ${cause.message}`, cause })

/**
 * The Postgres record of COA applies (migration 0050): plans, apply runs, and each action's
 * outcome keyed by plan id + action index.
 */
export class CoaJournal extends Effect.Service<CoaJournal>()("billsync/coa/CoaJournal", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    const begin = Effect.fn("CoaJournal.begin")(function* (plan: CoaPlan, resumedAt: number) {
      yield* sql`INSERT INTO coa_plans (plan_id, pipeline, organization_id, source_of_truth, chart_fingerprint,
          mappings_fingerprint, git_commit, action_count, planned_at, status, plan)
        VALUES (${plan.planId}, ${plan.pipeline.name}, ${plan.pipeline.organizationId}, ${plan.policy.sourceOfTruth},
          ${plan.billcom.fingerprint}, ${plan.mappings.fingerprint}, ${plan.mappings.gitCommit ?? null},
          ${plan.actions.length}, ${plan.createdAt}, 'pending', ${JSON.stringify(plan)}::jsonb)
        ON CONFLICT (plan_id) DO NOTHING`.pipe(Effect.mapError(storeError("plan")))
      const rows = yield* sql<{ readonly id: string }>`INSERT INTO coa_apply_runs (plan_id, resumed_at)
        VALUES (${plan.planId}, ${resumedAt}) RETURNING id::text AS id`.pipe(Effect.mapError(storeError("run")))
      return rows[0]!.id
    })

    const recordAction = Effect.fn("CoaJournal.recordAction")(function* (input: {
      readonly planId: string
      readonly runId: string
      readonly index: number
      readonly action: CoaAction
      readonly status: ActionStatus
      readonly billcomId: string | undefined
      readonly result?: ChartRow | undefined
      readonly error?: string | undefined
    }) {
      const { action } = input
      // A retry of a failed action bumps its attempt count; a recorded success is never overwritten.
      yield* sql`INSERT INTO coa_plan_actions (plan_id, action_index, kind, account, billcom_id, planned, status, result, error, run_id)
        VALUES (${input.planId}, ${input.index}, ${action._tag}, ${action.account ?? null}, ${input.billcomId ?? null},
          ${JSON.stringify(action)}::jsonb, ${input.status}, ${input.result === undefined ? null : JSON.stringify(input.result)}::jsonb,
          ${input.error ?? null}, ${input.runId})
        ON CONFLICT (plan_id, action_index) DO UPDATE SET
          status = EXCLUDED.status, billcom_id = COALESCE(EXCLUDED.billcom_id, coa_plan_actions.billcom_id),
          result = COALESCE(EXCLUDED.result, coa_plan_actions.result), error = EXCLUDED.error, run_id = EXCLUDED.run_id,
          attempts = coa_plan_actions.attempts + 1, updated_at = now()
        WHERE coa_plan_actions.status = 'failed'`.pipe(Effect.mapError(storeError("action")))
    })

    const finish = Effect.fn("CoaJournal.finish")(function* (input: {
      readonly planId: string
      readonly runId: string
      readonly outcome: RunOutcome
      readonly applied: number
      readonly error?: string | undefined
    }) {
      yield* sql`UPDATE coa_apply_runs SET outcome = ${input.outcome}, applied = ${input.applied}, error = ${input.error ?? null},
          finished_at = now() WHERE id = ${input.runId}::bigint`.pipe(Effect.mapError(storeError("run")))
      const status = input.outcome === "applied" ? "applied" : input.outcome === "declined" ? "pending" : input.outcome
      yield* sql`UPDATE coa_plans SET status = ${status}, finished_at = CASE WHEN ${status} = 'applied' THEN now() ELSE finished_at END
          WHERE plan_id = ${input.planId} AND status <> 'applied'`.pipe(Effect.mapError(storeError("plan")))
    })

    const markApplying = (planId: string) =>
      sql`UPDATE coa_plans SET status = 'applying' WHERE plan_id = ${planId} AND status <> 'applied'`.pipe(
        Effect.asVoid,
        Effect.mapError(storeError("plan"))
      )

    const actions = Effect.fn("CoaJournal.actions")(function* (planId: string) {
      const rows = yield* sql<{
        readonly actionIndex: number
        readonly status: ActionStatus
        readonly billcomId: string | null
        readonly attempts: number
      }>`
        SELECT action_index AS "actionIndex", status, billcom_id AS "billcomId", attempts
        FROM coa_plan_actions WHERE plan_id = ${planId} ORDER BY action_index`.pipe(Effect.mapError(storeError("read")))
      return rows.map(
        (r): RecordedAction => ({
          index: r.actionIndex,
          status: r.status,
          billcomId: r.billcomId,
          attempts: r.attempts
        })
      )
    })

    /** The plan's recorded state, or undefined when no apply of it was ever started. */
    const plan = Effect.fn("CoaJournal.plan")(function* (planId: string) {
      const rows = yield* sql<{ readonly status: string; readonly finishedAt: string | null }>`
        SELECT status, to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "finishedAt"
        FROM coa_plans WHERE plan_id = ${planId}`.pipe(Effect.mapError(storeError("read")))
      return rows[0]
    })

    const runs = Effect.fn("CoaJournal.runs")(function* (planId: string) {
      return yield* sql<{
        readonly outcome: string
        readonly resumedAt: number
        readonly applied: number
        readonly error: string | null
      }>`
        SELECT outcome, resumed_at AS "resumedAt", applied, error FROM coa_apply_runs WHERE plan_id = ${planId} ORDER BY id`.pipe(
        Effect.mapError(storeError("read"))
      )
    })

    return { begin, recordAction, finish, markApplying, plan, actions, runs } as const
  })
}) {}
