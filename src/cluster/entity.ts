import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { Schema } from "effect"

/**
 * One entity per pipeline (entity id = pipeline name). The cluster runs an entity on exactly one
 * runner at a time (its shard's lock) and an entity handles one message at a time, so at most one
 * sync of a pipeline runs anywhere by construction; the integration's advisory lock stays as a
 * second line. `Sync` messages are persisted in the ledger's Postgres (SqlMessageStorage): a run
 * requested by the schedule or by `billsync enqueue` survives the death of the worker that had it
 * — the shard moves to a survivor, which replays the unfinished message; the sync resumes from its
 * committed cursors (a sync is idempotent: what was committed is not written twice).
 */
export const SyncRequest = Schema.Struct({
  reason: Schema.Literal("schedule", "enqueue"),
  /** The scheduled time, or when enqueue asked: with the reason, the message's identity (a repeat is one run). */
  requestedAt: Schema.String
})

export const SyncOutcome = Schema.Struct({
  status: Schema.String,
  runs: Schema.Array(Schema.Struct({ runId: Schema.Number, status: Schema.String })),
  error: Schema.optional(Schema.String)
})

export const PipelineSync = Entity.make("billsync/PipelineSync", [
  Rpc.make("Sync", {
    payload: SyncRequest.fields,
    success: SyncOutcome,
    primaryKey: (p) => `${p.reason}:${p.requestedAt}`
  }).annotate(ClusterSchema.Persisted, true)
])
