import { SqlError } from "@effect/sql/SqlError"
import { describe, expect, it } from "@effect/vitest"
import { StoreError } from "../../src/store/errors.ts"
import { describeStageFailure } from "../../src/sync/runner.ts"
import { SourceError } from "../../src/sync/source.ts"

/** The text a failed stage stores in sync_run_stages.error and prints: rendered by tag, not read off `unknown`. */
describe("describeStageFailure", () => {
  it("a source error with advice: what happened — what to do", () => {
    expect(
      describeStageFailure(
        new SourceError({ message: "this run reached its request cap", advice: "raise sync.maxRequestsPerRun" })
      )
    ).toBe("this run reached its request cap — raise sync.maxRequestsPerRun")
    expect(describeStageFailure(new SourceError({ message: "Bill.com GET /v3/bills failed (HTTP 400)" }))).toBe(
      "Bill.com GET /v3/bills failed (HTTP 400)"
    )
  })

  it("store and database errors: their message", () => {
    expect(
      describeStageFailure(new StoreError({ reason: "lock-lost", message: "this run lost the lock of demo" }))
    ).toBe("this run lost the lock of demo")
    expect(describeStageFailure(new SqlError({ message: "connection terminated", cause: new Error("x") }))).toBe(
      "connection terminated"
    )
  })
})
