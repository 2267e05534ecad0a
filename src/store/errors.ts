import { Data } from "effect"

/** The one error of the store boundary: the database could not be opened, migrated or locked. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: "open" | "locked" | "migration" | "query"
  readonly message: string
  readonly cause?: unknown
}> {}
