import { Context, Effect, Option } from "effect"
import type { SqlError } from "@effect/sql/SqlError"
import type { StoreError } from "./errors.ts"

/**
 * The integration lock's fencing check (see sync/lock.ts). A sync holds its integration's lock for
 * the whole run; every write transaction of the run calls `checkFence` first, inside the
 * transaction, so a batch commits only while its run still holds the lock: a run whose lock was
 * lost (its Postgres connection killed, the embedded database's lock file removed or taken) fails
 * with StoreError "lock-lost" before its next commit, and never writes beside the run that took
 * the lock over.
 */
export class IntegrationFence extends Context.Tag("billsync/IntegrationFence")<
  IntegrationFence,
  { readonly check: Effect.Effect<void, StoreError | SqlError> }
>() {}

/** The fencing check of the run in progress (nothing outside a run: tools, tests of single stores). */
export const checkFence: Effect.Effect<void, StoreError | SqlError> = Effect.flatMap(
  Effect.serviceOption(IntegrationFence),
  Option.match({ onNone: () => Effect.void, onSome: (fence) => fence.check })
)
