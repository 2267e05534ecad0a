import { beforeAll, describe, expect, it } from "vitest"
import { login, postJson, request, useEmulator, v3get, type Login } from "./support.ts"

const BASE = "/v3/classifications/chart-of-accounts"

describe("emulator chart-of-accounts writes", () => {
  const h = useEmulator({ seed: "coa", generate: { bills: 20 } })
  let s: Login
  beforeAll(async () => {
    s = await login(h)
  })
  const send = (method: string, path: string, body?: unknown) =>
    request(`${h.v3}${path}`, {
      method,
      headers: { ...s.headers, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    })

  it("creates (201), reads back, patches, archives and restores idempotently", async () => {
    const parent = (await v3get(h, s, `${BASE}?filters=name:eq:"Operating Expenses"`)).body.results[0]
    const created = await postJson(
      `${h.v3}${BASE}`,
      { name: "Cloud Hosting", description: "AWS", parentId: parent.id, account: { type: "EXPENSE", number: "6025" } },
      s.headers
    )
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: "Cloud Hosting",
      description: "AWS",
      parentId: parent.id,
      account: { type: "EXPENSE", number: "6025" },
      archived: false
    })
    expect(created.body.id).toMatch(/^0ca02[A-Za-z0-9]{15}$/)
    const id = created.body.id
    expect((await v3get(h, s, `${BASE}/${id}`)).body).toEqual(created.body)

    const patched = await send("PATCH", `${BASE}/${id}`, { name: "Cloud Infrastructure", account: { number: "6026" } })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ name: "Cloud Infrastructure", account: { type: "EXPENSE", number: "6026" } })
    expect(patched.body.updatedTime > created.body.updatedTime).toBe(true)

    const archived = await send("POST", `${BASE}/${id}/archive`)
    expect(archived.status).toBe(200)
    expect(archived.body.archived).toBe(true)
    const again = await send("POST", `${BASE}/${id}/archive`)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(archived.body)
    const restored = await send("POST", `${BASE}/${id}/restore`)
    expect(restored.body.archived).toBe(false)

    // The change is visible to an incremental pull.
    const since = (
      await v3get(h, s, `${BASE}?filters=updatedTime:gte:${encodeURIComponent(`"${created.body.createdTime}"`)}`)
    ).body.results
    expect(since.map((r: any) => r.id)).toContain(id)
  })

  it("validates with one error per field", async () => {
    // The published schema first (every field off it at once), then what only the organisation knows.
    const r = await postJson(
      `${h.v3}${BASE}`,
      { description: 5, parentId: "0ca02NOTTHEREAAAAAAA", account: { type: "SOMETHING" } },
      s.headers
    )
    expect(r.status).toBe(400)
    expect(r.body.map((e: any) => e.message.split(":")[0]).sort()).toEqual(["account.type", "description", "name"])
    const orphan = await postJson(`${h.v3}${BASE}`, { name: "Orphan", parentId: "0ca02NOTTHEREAAAAAAA" }, s.headers)
    expect(orphan.body.map((e: any) => e.message)).toEqual(["parentId: parent chart of account not found"])
    const noType = await postJson(`${h.v3}${BASE}`, { name: "X", account: { number: "1" } }, s.headers)
    expect(noType.body.map((e: any) => e.message)).toEqual(["account.type: must not be null"])
    expect((await send("PATCH", `${BASE}/0ca02AAAAAAAAAAAAAAA`, { name: "x" })).status).toBe(404)
    expect((await send("POST", `${BASE}/0ca02AAAAAAAAAAAAAAA/archive`)).status).toBe(404)
  })

  it("supports bulk create, update, archive and restore", async () => {
    const created = await postJson(
      `${h.v3}${BASE}/bulk`,
      [
        { name: "Bulk A", account: { type: "EXPENSE", number: "6501" } },
        { name: "Bulk B", account: { type: "INCOME", number: "4501" } }
      ],
      s.headers
    )
    expect(created.status).toBe(201)
    const ids = created.body.chartOfAccounts.map((a: any) => a.id)
    expect(ids).toHaveLength(2)
    const updated = await send("PATCH", `${BASE}/bulk`, [
      { id: ids[0], name: "Bulk A2" },
      { id: ids[1], description: "b" }
    ])
    expect(updated.body.chartOfAccounts.map((a: any) => a.name)).toEqual(["Bulk A2", "Bulk B"])
    const archived = await send("POST", `${BASE}/bulk/archive?ids=${ids.join(",")}`)
    expect(archived.body.chartOfAccounts.every((a: any) => a.archived)).toBe(true)
    const restored = await send("POST", `${BASE}/bulk/restore?ids=${ids.join(",")}`)
    expect(restored.body.chartOfAccounts.every((a: any) => !a.archived)).toBe(true)
    const invalid = await postJson(
      `${h.v3}${BASE}/bulk`,
      [{ name: "ok", account: { type: "EXPENSE" } }, { account: { type: "EXPENSE" } }],
      s.headers
    )
    expect(invalid.status).toBe(400)
    expect(invalid.body[0].message).toMatch(/^\[1\]\.name/)
  })
})
