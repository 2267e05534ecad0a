import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * COA alignment audit trail: every plan that `billsync apply coa` was run with, every attempt to
 * apply it, and every action with its result. (plan_id, action_index) is the resume key: a re-run
 * after a partial failure sees what was done.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE coa_plans (
    plan_id text PRIMARY KEY,
    pipeline text NOT NULL,
    organization_id text NOT NULL,
    source_of_truth text NOT NULL,
    chart_fingerprint text NOT NULL,
    mappings_fingerprint text NOT NULL,
    git_commit text,
    action_count integer NOT NULL,
    planned_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'applying', 'applied', 'failed', 'stale')),
    plan jsonb NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
  )`
  yield* sql`CREATE TABLE coa_apply_runs (
    id bigserial PRIMARY KEY,
    plan_id text NOT NULL REFERENCES coa_plans(plan_id),
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'applied', 'failed', 'stale', 'declined')),
    resumed_at integer NOT NULL DEFAULT 0,
    applied integer NOT NULL DEFAULT 0,
    error text
  )`
  yield* sql`CREATE INDEX coa_apply_runs_plan ON coa_apply_runs (plan_id, started_at DESC)`
  yield* sql`CREATE TABLE coa_plan_actions (
    plan_id text NOT NULL REFERENCES coa_plans(plan_id),
    action_index integer NOT NULL,
    kind text NOT NULL CHECK (kind IN ('create', 'update', 'restore', 'archive')),
    account text,
    billcom_id text,
    planned jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('succeeded', 'already-applied', 'failed')),
    result jsonb,
    error text,
    attempts integer NOT NULL DEFAULT 1,
    run_id bigint REFERENCES coa_apply_runs(id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, action_index)
  )`
})
