import { describe, expect, it } from "vitest"
import { demoCredentials } from "../../src/emulator/index.ts"
import { login, postJson, request, useEmulator, v3get } from "./support.ts"

describe("emulator login and sessions", () => {
  const h = useEmulator({ seed: "demo", sessionIdleMs: 1500 })

  it("logs in with the demo credentials and returns the documented fields", async () => {
    const r = await postJson(`${h.v3}/v3/login`, demoCredentials)
    expect(r.status).toBe(200)
    expect(Object.keys(r.body).sort()).toEqual(["organizationId", "sessionId", "trusted", "userId"])
    expect(r.body.organizationId).toBe(demoCredentials.organizationId)
    expect(r.body.userId).toMatch(/^00602[A-Za-z0-9]{15}$/)
    expect(r.body.trusted).toBe(false)
  })

  it("rejects a wrong password with BDC_1101 and a wrong devKey with BDC_1102", async () => {
    const bad = await postJson(`${h.v3}/v3/login`, { ...demoCredentials, password: "nope" })
    expect(bad.status).toBe(401)
    expect(bad.body[0].code).toBe("BDC_1101")
    const badKey = await postJson(`${h.v3}/v3/login`, { ...demoCredentials, devKey: "nope" })
    expect(badKey.status).toBe(401)
    expect(badKey.body[0].code).toBe("BDC_1102")
    const badOrg = await postJson(`${h.v3}/v3/login`, { ...demoCredentials, organizationId: "00802XXXXXXXXXXXXXXX" })
    expect(badOrg.body[0].code).toBe("BDC_1101")
  })

  it("reports every missing login field at once", async () => {
    // [OAS] LoginRequestDto requires devKey, organizationId and username (a console token may stand in for the password).
    const r = await postJson(`${h.v3}/v3/login`, { username: demoCredentials.username })
    expect(r.status).toBe(400)
    expect(r.body.map((e: any) => e.message).sort()).toEqual([
      "devKey: must not be null",
      "organizationId: must not be null"
    ])
    const noPassword = await postJson(`${h.v3}/v3/login`, {
      username: demoCredentials.username,
      devKey: demoCredentials.devKey,
      organizationId: demoCredentials.organizationId
    })
    expect(noPassword.status).toBe(400)
    expect(noPassword.body.map((e: any) => e.message)).toEqual(["password: must not be blank"])
  })

  it("requires both headers on every call (BDC_1109)", async () => {
    const s = await login(h)
    for (const headers of [
      {},
      { sessionId: s.sessionId },
      { devKey: demoCredentials.devKey },
      { sessionId: "forged", devKey: demoCredentials.devKey },
      { sessionId: s.sessionId, devKey: "other" }
    ]) {
      const r = await request(`${h.v3}/v3/vendors`, { headers })
      expect(r.status).toBe(401)
      expect(r.body).toHaveLength(1)
      expect(r.body[0]).toMatchObject({ code: "BDC_1109", severity: "ERROR", category: "DOWNSTREAM" })
    }
  })

  it("answers the session probe and invalidates on logout", async () => {
    const s = await login(h)
    const probe = await v3get(h, s, "/v3/login/session")
    expect(probe.status).toBe(200)
    expect(probe.body.organizationId).toBe(demoCredentials.organizationId)
    const out = await request(`${h.v3}/v3/logout`, { method: "POST", headers: s.headers })
    expect(out.status).toBe(200)
    expect(out.text).toBe("")
    const after = await v3get(h, s, "/v3/login/session")
    expect(after.status).toBe(401)
    expect(after.body[0].code).toBe("BDC_1109")
  })

  it("expires a session after the idle period, and each call slides the window", async () => {
    const s = await login(h)
    // Five calls 400 ms apart span more than the 1.5 s idle period: sliding keeps the session alive.
    for (let i = 0; i < 5; i++) {
      expect((await v3get(h, s, "/v3/login/session")).status).toBe(200)
      await new Promise((r) => setTimeout(r, 400))
    }
    await new Promise((r) => setTimeout(r, 2000))
    const expired = await v3get(h, s, "/v3/vendors")
    expect(expired.status).toBe(401)
    expect(expired.body[0].code).toBe("BDC_1109")
    // A new login works again.
    expect((await v3get(h, await login(h), "/v3/vendors")).status).toBe(200)
  })

  it("answers unknown routes with 404 BDC_1121, even before authentication", async () => {
    const s = await login(h)
    for (const path of ["/v3/Vendors", "/v3/nothing-here", "/v2/vendors"]) {
      const r = await v3get(h, s, path)
      expect(r.status).toBe(404)
      expect(r.body[0].code).toBe("BDC_1121")
    }
    expect((await request(`${h.origin}/elsewhere`)).status).toBe(404)
  })

  it("answers an unknown id with 404", async () => {
    const s = await login(h)
    const r = await v3get(h, s, "/v3/bills/00n02AAAAAAAAAAAAAAA")
    expect(r.status).toBe(404)
    expect(r.body[0].code).toBe("BDC_1002")
  })
})
