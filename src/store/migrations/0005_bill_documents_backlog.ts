import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Bill documents metadata is read in a budgeted step after the bills are written, not per bill in
 * the bills batch. A bill is in the documents backlog while `documents_version` (the source-record
 * hash its documents were read for) differs from `source_version` (the hash it was last written
 * from). `documents_failed_at` moves a bill whose read failed behind the rest of the backlog.
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE bills
    ADD COLUMN source_version text,
    ADD COLUMN documents_version text,
    ADD COLUMN documents_failed_at timestamptz`
  yield* sql`CREATE INDEX bills_documents_backlog ON bills (company_id, billcom_updated_time, id)
    WHERE NOT archived AND source_version IS NOT NULL AND documents_version IS DISTINCT FROM source_version`
})
