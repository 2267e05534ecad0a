import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Integration state: companies, integrations, sync runs with per-stage counts, incremental cursors. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE companies (
    id bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,
    name text NOT NULL,
    currency char(3) NOT NULL DEFAULT 'USD',
    created_at timestamptz NOT NULL DEFAULT now()
  )`
  yield* sql`CREATE TABLE integrations (
    id bigserial PRIMARY KEY,
    pipeline text NOT NULL UNIQUE,
    company_id bigint REFERENCES companies(id),
    organization_id text NOT NULL,
    environment text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'connected', 'error')),
    last_error text,
    last_error_advice text,
    billcom_user_id text,
    connected_at timestamptz,
    seeded_at timestamptz,
    cutoff date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`
  yield* sql`CREATE TABLE sync_runs (
    id bigserial PRIMARY KEY,
    integration_id bigint NOT NULL REFERENCES integrations(id),
    kind text NOT NULL CHECK (kind IN ('seed', 'full')),
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'succeeded_with_errors', 'failed')),
    full_refresh boolean NOT NULL DEFAULT false,
    stages text[] NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    api_calls integer NOT NULL DEFAULT 0,
    error text,
    notes text[] NOT NULL DEFAULT '{}'
  )`
  yield* sql`CREATE INDEX sync_runs_integration ON sync_runs (integration_id, started_at DESC)`
  yield* sql`CREATE TABLE sync_run_stages (
    run_id bigint NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    stage text NOT NULL,
    position integer NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'succeeded_with_errors', 'failed')),
    pulled integer NOT NULL DEFAULT 0,
    inserted integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    unchanged integer NOT NULL DEFAULT 0,
    skipped integer NOT NULL DEFAULT 0,
    errors integer NOT NULL DEFAULT 0,
    reevaluated integer NOT NULL DEFAULT 0,
    api_calls integer NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    duration_ms integer,
    error text,
    PRIMARY KEY (run_id, stage)
  )`
  // One cursor per pulled list (a stage may read several lists, e.g. classifications).
  yield* sql`CREATE TABLE sync_cursors (
    integration_id bigint NOT NULL REFERENCES integrations(id),
    stream text NOT NULL,
    updated_since timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, stream)
  )`
  // What the mappings looked like when a stage last ran: a change (a mapping PR) re-evaluates the stage's stored records.
  yield* sql`CREATE TABLE mapping_fingerprints (
    integration_id bigint NOT NULL REFERENCES integrations(id),
    stage text NOT NULL,
    fingerprint text NOT NULL,
    PRIMARY KEY (integration_id, stage)
  )`
})
