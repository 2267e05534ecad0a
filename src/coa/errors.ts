import { Data } from "effect"

/**
 * The one error of COA alignment. `stale`: Bill.com changed since the plan was made; `plan-file`:
 * the plan file is unreadable, malformed or tampered with; `problems`: the charts cannot be
 * aligned as configured; `apply`: a Bill.com write failed; `not-approved`: the user declined or no
 * approval was possible; `config`/`billcom`/`store`: a dependency failed.
 */
export class CoaError extends Data.TaggedError("CoaError")<{
  readonly reason: "stale" | "plan-file" | "problems" | "apply" | "not-approved" | "config" | "billcom" | "store"
  readonly message: string
  readonly cause?: unknown
}> {}
