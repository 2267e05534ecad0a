import { Data } from "effect"

/** The one error of the store boundary: the database could not be opened, migrated or locked, or is missing / unmigrated for a read, or refused in CI; a run lost its integration lock; an embedded ledger that existed is gone. */
export class StoreError extends Data.TaggedError("StoreError")<{
  readonly reason:
    | "open"
    | "locked"
    | "lock-lost"
    | "migration"
    | "query"
    | "missing"
    | "not-migrated"
    | "ci-embedded"
    | "ledger-missing"
    | "interrupted"
  readonly message: string
  readonly cause?: unknown
}> {}
