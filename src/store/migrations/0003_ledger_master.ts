import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Ledger master data: chart of accounts (from mappings/accounts.yaml), vendors, customers, items, dimensions, bank/card accounts. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE ledger_accounts (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    number text NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    parent_number text,
    description text,
    billcom_id text,
    active boolean NOT NULL DEFAULT true,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, number)
  )`
  for (const table of ["vendors", "customers", "items"] as const) {
    yield* sql`CREATE TABLE ${sql(table)} (
      id bigserial PRIMARY KEY,
      company_id bigint NOT NULL REFERENCES companies(id),
      key text NOT NULL,
      name text NOT NULL,
      billcom_id text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}',
      archived boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (company_id, key)
    )`
  }
  // Departments, jobs, locations, accounting classes, employees: line-level tagging values.
  yield* sql`CREATE TABLE dimensions (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    kind text NOT NULL CHECK (kind IN ('department', 'job', 'location', 'accounting-class', 'employee')),
    key text NOT NULL,
    name text NOT NULL,
    billcom_id text NOT NULL,
    archived boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, kind, key)
  )`
  yield* sql`CREATE TABLE bank_accounts (
    id bigserial PRIMARY KEY,
    company_id bigint NOT NULL REFERENCES companies(id),
    billcom_id text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('bank', 'card')),
    name text NOT NULL,
    institution text,
    last4 text,
    billcom_chart_of_account_id text,
    ledger_account_id bigint NOT NULL REFERENCES ledger_accounts(id),
    archived boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (company_id, billcom_id)
  )`
})
