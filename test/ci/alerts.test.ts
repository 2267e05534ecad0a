import { describe, expect, it } from "vitest"
import { alertAction, alertTitle, type KnownIssue } from "../../src/ci/alerts.ts"
import { freshness, renderFreshness } from "../../src/sync/freshness.ts"

describe("alerts: notify on a change of state, not on every run", () => {
  const open = (number: number): KnownIssue => ({ number, state: "OPEN" })
  const closed = (number: number): KnownIssue => ({ number, state: "CLOSED" })

  it("a sequence of runs opens one issue, stays quiet while broken, closes on recovery and reopens the same issue", () => {
    let issues: Array<KnownIssue> = []
    const notified: Array<string> = []
    for (const outcome of [
      "success",
      "failure",
      "failure",
      "failure",
      "success",
      "success",
      "failure",
      "success"
    ] as const) {
      const action = alertAction(outcome, issues)
      if (action._tag !== "none") notified.push(`${outcome}:${action._tag}`)
      if (action._tag === "open") issues = [open(7)]
      if (action._tag === "close") issues = issues.map((i) => (i.number === action.number ? closed(i.number) : i))
      if (action._tag === "reopen") issues = issues.map((i) => (i.number === action.number ? open(i.number) : i))
    }
    expect(notified).toEqual(["failure:open", "success:close", "failure:reopen", "success:close"])
    expect(issues).toEqual([closed(7)])
  })

  it("still broken: the open issue is refreshed (its body edited, nobody notified); healthy without an issue: nothing", () => {
    expect(alertAction("failure", [open(3)])).toEqual({ _tag: "none", refresh: 3 })
    expect(alertAction("success", [])).toEqual({ _tag: "none" })
    expect(alertAction("success", [closed(3)])).toEqual({ _tag: "none" })
    // Of several closed issues (newest first), the newest is reopened.
    expect(alertAction("failure", [closed(9), closed(4)])).toEqual({ _tag: "reopen", number: 9 })
    expect(alertTitle("scheduled sync of acme-us")).toBe("billsync alert: scheduled sync of acme-us")
  })
})

describe("freshness: stale when the last good sync is older than twice the schedule", () => {
  const now = new Date("2026-03-10T12:00:00Z")
  it("every 4 hours: 7h59m ago is fresh, 8h01m ago is stale, never synced is reported", () => {
    expect(freshness({ pipeline: "a", schedule: "15 */4 * * *", lastGood: "2026-03-10T04:01:00Z" }, now)).toMatchObject(
      { state: "fresh", intervalMinutes: 240, ageMinutes: 479 }
    )
    expect(freshness({ pipeline: "a", schedule: "15 */4 * * *", lastGood: "2026-03-10T03:59:00Z" }, now)).toMatchObject(
      { state: "stale", ageMinutes: 481 }
    )
    expect(freshness({ pipeline: "a", schedule: "15 */4 * * *", lastGood: undefined }, now).state).toBe("never synced")
  })

  it("uses the longest gap of an irregular schedule (weekdays only: Friday to Monday is 3 days)", () => {
    const row = freshness({ pipeline: "b", schedule: "30 6 * * 1-5", lastGood: "2026-03-06T06:31:00Z" }, now) // a Friday; now is Tuesday noon
    expect(row.intervalMinutes).toBe(3 * 24 * 60)
    expect(row.state).toBe("fresh")
    expect(
      renderFreshness([row, freshness({ pipeline: "c", schedule: "15 */4 * * *", lastGood: undefined }, now)])
    ).toContain("1 of 2 scheduled pipeline(s) have not synced within twice their schedule")
  })
})
