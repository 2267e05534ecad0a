import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Raw Bill.com objects (every pulled one, skipped too), links to ledger records, integration errors. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE source_records (
    integration_id bigint NOT NULL REFERENCES integrations(id),
    kind text NOT NULL,
    billcom_id text NOT NULL,
    raw jsonb NOT NULL,
    content_hash text NOT NULL,
    updated_time timestamptz,
    archived boolean NOT NULL DEFAULT false,
    business_date date,
    outcome text NOT NULL CHECK (outcome IN ('imported', 'skipped', 'error')),
    reason text,
    enrichment jsonb,
    first_pulled_at timestamptz NOT NULL DEFAULT now(),
    last_pulled_at timestamptz NOT NULL DEFAULT now(),
    processed_at timestamptz NOT NULL DEFAULT now(),
    processed_run_id bigint,
    PRIMARY KEY (integration_id, kind, billcom_id)
  )`
  // Records re-evaluated from stored raw on every run (open errors, unmapped, newly inside the cutoff).
  yield* sql`CREATE INDEX source_records_pending ON source_records (integration_id, kind, outcome, reason) WHERE outcome <> 'imported'`
  yield* sql`CREATE TABLE links (
    integration_id bigint NOT NULL REFERENCES integrations(id),
    kind text NOT NULL,
    billcom_id text NOT NULL,
    ledger_table text NOT NULL,
    ledger_id bigint NOT NULL,
    ledger_key text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (integration_id, kind, billcom_id)
  )`
  yield* sql`CREATE TABLE integration_errors (
    id bigserial PRIMARY KEY,
    integration_id bigint NOT NULL REFERENCES integrations(id),
    stage text NOT NULL,
    kind text NOT NULL,
    billcom_id text NOT NULL,
    code text NOT NULL,
    symptom text NOT NULL,
    cause text NOT NULL,
    resolution text NOT NULL,
    message text NOT NULL,
    detail jsonb,
    occurrences integer NOT NULL DEFAULT 1,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    last_run_id bigint,
    resolved_at timestamptz,
    resolved_run_id bigint
  )`
  yield* sql`CREATE UNIQUE INDEX integration_errors_open ON integration_errors (integration_id, stage, billcom_id) WHERE resolved_at IS NULL`
})
