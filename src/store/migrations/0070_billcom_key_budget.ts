import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/**
 * Bill.com's limits shared by every process that uses a developer key (src/store/key-budget.ts).
 * Keys are stored only as an HMAC-SHA-256 under a random salt of this database, never as the key.
 * `billcom_key_hours`: requests and logins counted per key and clock hour (hours since the epoch).
 * `billcom_key_slots`: the 3 in-flight slots per key + organisation, each leased to one request
 * until `held_until` (so a process killed mid-request frees its slot when the lease runs out).
 */
export default Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE billcom_key_salt (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    salt text NOT NULL
  )`
  yield* sql`CREATE TABLE billcom_key_hours (
    key_hash text NOT NULL,
    hour bigint NOT NULL,
    requests integer NOT NULL DEFAULT 0,
    logins integer NOT NULL DEFAULT 0,
    PRIMARY KEY (key_hash, hour)
  )`
  yield* sql`CREATE TABLE billcom_key_slots (
    key_hash text NOT NULL,
    organization_id text NOT NULL,
    slot smallint NOT NULL,
    holder text,
    held_until timestamptz,
    PRIMARY KEY (key_hash, organization_id, slot)
  )`
})
