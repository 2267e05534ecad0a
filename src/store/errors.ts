import { Data } from "effect"

/** The one error of the store boundary: the database could not be opened, migrated or locked, or is missing / unmigrated for a read, or refused in CI. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason: "open" | "locked" | "migration" | "query" | "missing" | "not-migrated" | "ci-embedded"
  readonly message: string
  readonly cause?: unknown
}> {}
