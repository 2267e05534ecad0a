import { Data } from "effect"

export interface UnmetCondition {
  readonly condition: string
  readonly problem: string
  readonly fix: string
}

/** The sync boundary's one error. */
export class SyncError extends Data.TaggedError("SyncError")<{
  readonly reason:
    | "setup-not-completed"
    | "locked"
    | "connect-failed"
    | "stage-failed"
    | "not-connected"
    | "interrupted"
  readonly message: string
  readonly unmet?: ReadonlyArray<UnmetCondition> | undefined
  readonly advice?: string | undefined
  readonly cause?: unknown
}> {}
