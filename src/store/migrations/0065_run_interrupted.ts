import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** A run stopped by SIGINT/SIGTERM is recorded as 'interrupted' (run and stage), not as failed nor left running. */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  for (const table of ["sync_runs", "sync_run_stages"]) {
    yield* sql.unsafe(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_status_check`)
    yield* sql.unsafe(
      `ALTER TABLE ${table} ADD CONSTRAINT ${table}_status_check CHECK (status IN ('running', 'succeeded', 'succeeded_with_errors', 'failed', 'interrupted'))`
    )
  }
})
