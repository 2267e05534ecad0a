import { describe, expect, it } from "vitest"
import { startEmulator, type FaultConfig } from "../../src/emulator/index.ts"

/** Drive one emulator sequentially, re-logging in on 401, and record what each call saw. */
const outcomes = async (faults: FaultConfig, calls: number): Promise<Array<string>> => {
  const emu = await startEmulator({ seed: "faults", generate: { bills: 60 }, faults })
  try {
    const c = emu.core.credentials
    const base = `${emu.core.origin}/connect`
    const loginOnce = async () => {
      const r = await fetch(`${base}/v3/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(c)
      })
      return ((await r.json()) as { sessionId: string }).sessionId
    }
    let session = await loginOnce()
    const seen: Array<string> = []
    for (let i = 0; i < calls; i++) {
      try {
        const r = await fetch(`${base}/v3/bills?max=5`, { headers: { sessionId: session, devKey: c.devKey } })
        const text = await r.text()
        let body: any
        try {
          body = JSON.parse(text)
        } catch {
          seen.push(`${r.status}:unparseable`)
          continue
        }
        if (r.status !== 200) {
          seen.push(`${r.status}:${body[0].code}`)
          if (r.status === 401) session = await loginOnce()
        } else seen.push(body.results.some((b: any) => typeof b.amount !== "number") ? "200:malformed" : "200")
      } catch {
        seen.push("network")
      }
    }
    return seen
  } finally {
    await emu.stop()
  }
}

const MIXED: FaultConfig = {
  seed: "drill-1",
  serverErrorRate: 0.1,
  rateLimitBurst: { rate: 0.05, length: 3 },
  resetRate: 0.05,
  invalidateSessionEvery: 17,
  truncateRate: 0.05,
  malformedRate: 0.05
}

describe("emulator faults", () => {
  it("replays the same fault sequence from the same seed, and a different one from another seed", async () => {
    const a = await outcomes(MIXED, 120)
    const b = await outcomes(MIXED, 120)
    expect(a).toEqual(b)
    const kinds = new Set(a)
    for (const k of ["200", "503:BDC_1001", "422:BDC_1322", "401:BDC_1109", "network", "200:malformed"])
      expect(kinds, k).toContain(k)
    const other = await outcomes({ ...MIXED, seed: "drill-2" }, 120)
    expect(other).not.toEqual(a)
  })

  it("truncates bodies so they cannot be parsed", async () => {
    const seen = await outcomes({ truncateRate: 1 }, 3)
    expect(seen.every((s) => s === "network" || s.endsWith("unparseable"))).toBe(true)
  })

  it("serves slow bodies intact", async () => {
    expect(await outcomes({ slowBody: { rate: 1, chunkDelayMs: 5 } }, 3)).toEqual(["200", "200", "200"])
  })

  it("invalidates the session every K calls", async () => {
    const seen = await outcomes({ invalidateSessionEvery: 3 }, 9)
    expect(seen).toEqual(["200", "200", "401:BDC_1109", "200", "200", "401:BDC_1109", "200", "200", "401:BDC_1109"])
  })

  it("can be changed at runtime and counts what it injected", async () => {
    const emu = await startEmulator({ seed: "faults", generate: { bills: 10 } })
    try {
      emu.core.setFaults({ serverErrorRate: 1 })
      const c = emu.core.credentials
      const base = `${emu.core.origin}/connect`
      const login = await fetch(`${base}/v3/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(c)
      })
      expect(login.status).toBe(200) // logins only get latency
      const { sessionId } = (await login.json()) as { sessionId: string }
      const r = await fetch(`${base}/v3/vendors`, { headers: { sessionId, devKey: c.devKey } })
      expect(r.status).toBe(503)
      expect(emu.core.counterSnapshot().faults["serverError"]).toBe(1)
      emu.core.setFaults({})
      expect((await fetch(`${base}/v3/vendors`, { headers: { sessionId, devKey: c.devKey } })).status).toBe(200)
    } finally {
      await emu.stop()
    }
  })
})
