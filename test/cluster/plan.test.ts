import { describe, expect, it } from "vitest"
import { describeKeyPlan, firingsPerHour, planKeys, type PlannedPipeline } from "../../src/cluster/plan.ts"

const pipelines = (
  n: number,
  schedule: string,
  key = "BILLCOM_DEV_KEY (production)",
  requestsPerSync = 100
): Array<PlannedPipeline> =>
  Array.from({ length: n }, (_, i) => ({ name: `client-${i}`, key, schedule, requestsPerSync, measured: false }))

describe("cluster plan: schedules against the developer keys' hourly budgets", () => {
  it("counts a schedule's firings per clock hour of a week", () => {
    const hourly = firingsPerHour("17 * * * *")
    expect(hourly).toHaveLength(168)
    expect(new Set(hourly)).toEqual(new Set([1]))
    const every4 = firingsPerHour("5 */4 * * *")
    expect(every4.reduce((a, b) => a + b, 0)).toBe(42)
    expect(firingsPerHour("*/15 * * * *")[0]).toBe(4)
  })

  it("500 pipelines hourly on one key need 500 logins/h > 200: a 3-hour schedule fits, or per-organisation keys", () => {
    const [plan] = planKeys(pipelines(500, "7 * * * *"))
    expect(plan!.fits).toBe(false)
    expect(plan!.peakLogins).toBe(500)
    expect(plan!.peakRequests).toBe(50_000)
    const line = describeKeyPlan(plan!)
    expect(line).toContain("500 logins/h > 200")
    expect(line).toContain("50000 requests/h > 20000")
    expect(line).toContain("a 3-hour schedule fits")
    expect(line).toContain("at least 3 developer keys")
  })

  it("the same 500 pipelines every 3 hours, spread over the hours, fit", () => {
    const spread = [0, 1, 2].flatMap((offset) => pipelines(167, `7 ${offset}/3 * * *`))
    const [plan] = planKeys(spread)
    expect(plan!.peakLogins).toBe(167)
    expect(plan!.fits).toBe(true)
    expect(describeKeyPlan(plan!)).toContain("fits")
  })

  it("schedules that fire together are over budget even when the average fits, and it says to spread them", () => {
    const [plan] = planKeys(pipelines(300, "7 0 * * *", "K (production)", 10))
    expect(plan!.fits).toBe(false)
    expect(plan!.averageLogins).toBe(12.5)
    expect(describeKeyPlan(plan!)).toContain("the schedules fire together (300 syncs in Mon 00:00 UTC)")
  })

  it("requests can bind before logins: large organisations on one key", () => {
    const [plan] = planKeys(pipelines(50, "7 * * * *", "K (production)", 1_000))
    expect(plan!.peakLogins).toBe(50)
    expect(plan!.fits).toBe(false)
    expect(describeKeyPlan(plan!)).toContain("50000 requests/h > 20000")
    expect(describeKeyPlan(plan!)).toContain("a 3-hour schedule fits")
  })

  it("keys are planned separately", () => {
    const plans = planKeys([
      ...pipelines(150, "7 * * * *", "A (production)"),
      ...pipelines(150, "7 * * * *", "B (production)")
    ])
    expect(plans.map((p) => [p.key, p.fits])).toEqual([
      ["A (production)", true],
      ["B (production)", true]
    ])
  })
})
