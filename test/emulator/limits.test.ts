import { describe, expect, it } from "vitest"
import { control, login, postJson, request, useEmulator, v3get } from "./support.ts"

describe("emulator concurrency limit (BDC_1322)", () => {
  // Latency holds each request open, so four concurrent calls overlap.
  const h = useEmulator({ seed: "limits", generate: { bills: 50 }, faults: { latency: { fixedMs: 1000 } } })

  it("rejects the fourth simultaneous request immediately, then accepts again", async () => {
    const s = await login(h)
    const replies = await Promise.all([0, 1, 2, 3].map(() => v3get(h, s, "/v3/vendors?max=1")))
    const limited = replies.filter((r) => r.status !== 200)
    expect(limited).toHaveLength(1)
    expect(limited[0]!.status).toBe(422)
    expect(limited[0]!.body[0]).toMatchObject({
      code: "BDC_1322",
      message: "Max number of concurrent requests per organization reached."
    })
    expect(replies.filter((r) => r.status === 200)).toHaveLength(3)
    expect((await v3get(h, s, "/v3/vendors?max=1")).status).toBe(200)
    const counters = (await control(h, "GET", "/counters")).body
    expect(counters.maxInFlight).toBeGreaterThanOrEqual(4)
    expect(counters.errorsByCode.BDC_1322).toBe(1)
  })
})

describe("emulator hourly budgets (BDC_1144)", () => {
  const h = useEmulator({
    seed: "budget",
    generate: { bills: 10 },
    limits: { requestsPerHour: 5, loginsPerHour: 100, rateLimitStatus: 429 }
  })

  it("refuses requests beyond the hourly budget with the configured status", async () => {
    const s = await login(h) // 1 of 5: logins count too
    for (let i = 0; i < 4; i++) expect((await v3get(h, s, "/v3/vendors?max=1")).status).toBe(200)
    const over = await v3get(h, s, "/v3/vendors?max=1")
    expect(over.status).toBe(429)
    expect(over.body[0].code).toBe("BDC_1144")
    expect(over.body[0].message).toContain("5")
    const relogin = await postJson(`${h.v3}/v3/login`, h.running().core.credentials)
    expect(relogin.body[0].code).toBe("BDC_1144")
  })
})

describe("emulator login budget", () => {
  const h = useEmulator({ seed: "logins", generate: { bills: 10 }, limits: { loginsPerHour: 2 } })

  it("refuses logins beyond the hourly login budget", async () => {
    await login(h)
    await login(h)
    const third = await postJson(`${h.v3}/v3/login`, h.running().core.credentials)
    expect(third.status).toBe(422)
    expect(third.body[0].code).toBe("BDC_1144")
    // A wrong devKey is not counted against anyone's budget and still says BDC_1102.
    const wrong = await request(`${h.v3}/v3/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...h.running().core.credentials, devKey: "x" })
    })
    expect(wrong.body[0].code).toBe("BDC_1102")
  })
})
