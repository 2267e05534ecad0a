import { describe, expect, it } from "vitest"
import { cutoffState } from "../../src/cli/tables.ts"

describe("status: the cutoff in force", () => {
  it("applied and unchanged", () => {
    expect(cutoffState("2024-01-01", "2024-01-01")).toEqual({
      inForce: "2024-01-01",
      pipeline: "2024-01-01",
      pending: false,
      summary: "2024-01-01 (Bill.com bills, vendor credits and payments dated before 2024-01-01 are not imported)"
    })
    expect(cutoffState(null, undefined)).toMatchObject({
      inForce: null,
      pipeline: null,
      pending: false,
      summary: "none: every Bill.com record is imported"
    })
  })

  it("not applied yet: the pipeline's applies from the next full sync", () => {
    expect(cutoffState(null, "2024-01-01")).toMatchObject({
      pending: true,
      summary:
        "none applied yet; the pipeline's 2024-01-01 applies from the next full sync (Bill.com bills, vendor credits and payments dated before 2024-01-01 are not imported)"
    })
  })

  it("moved earlier or removed: backfill; moved later: no longer imported", () => {
    expect(cutoffState("2024-01-01", "2023-01-01").summary).toBe(
      "2024-01-01 (applied by the last full sync); the pipeline now says 2023-01-01: the next full sync backfills the records dated in between from stored source records"
    )
    expect(cutoffState("2024-01-01", undefined).summary).toContain(
      "the pipeline now says none: the next full sync backfills"
    )
    expect(cutoffState("2024-01-01", "2024-06-01").summary).toContain(
      "from the next full sync records dated before it are no longer imported"
    )
  })
})
