import { beforeAll, describe, expect, it } from "vitest"
import { COLLECTIONS, type Collection } from "../../src/emulator/organization.ts"
import { allPages, login, useEmulator, v3get, type Login } from "./support.ts"

// Cards and AP cards are not paged lists (§4.5): see their own tests.
const PATHS: Record<Exclude<Collection, "cards" | "ap-cards">, string> = {
  vendors: "/v3/vendors",
  customers: "/v3/customers",
  bills: "/v3/bills",
  payments: "/v3/payments",
  "vendor-credits": "/v3/vendor-credits",
  "chart-of-accounts": "/v3/classifications/chart-of-accounts",
  items: "/v3/classifications/items",
  banks: "/v3/funding-accounts/banks",
  users: "/v3/users",
  departments: "/v3/classifications/departments",
  jobs: "/v3/classifications/jobs",
  locations: "/v3/classifications/locations",
  "accounting-classes": "/v3/classifications/accounting-classes",
  employees: "/v3/classifications/employees"
}

describe("emulator lists and paging", () => {
  const h = useEmulator({ seed: "demo" })
  let s: Login
  beforeAll(async () => {
    s = await login(h)
  })

  for (const [collection, path] of Object.entries(PATHS) as Array<[Collection, string]>) {
    it(`${collection}: pages of 7 return every record exactly once, in order, then stop`, async () => {
      const expected = h
        .running()
        .core.state.collection(collection)
        .map((r) => r.id)
      expect(expected.length).toBeGreaterThan(0)
      const pages = await allPages(h, s, `${path}?max=7`)
      const ids = pages.flatMap((p) => p.results.map((r: any) => r.id))
      expect(ids).toEqual(expected)
      expect(new Set(ids).size).toBe(ids.length)
      expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / 7)))
      expect(pages.at(-1).nextPage).toBeUndefined()
      expect(pages[0].prevPage).toBeUndefined()
      for (const p of pages.slice(1)) expect(typeof p.prevPage).toBe("string")
      for (const p of pages.slice(0, -1)) expect(p.results).toHaveLength(7)
    })
  }

  it("covers every collection the emulator serves", () => {
    expect([...COLLECTIONS].filter((c) => c !== "cards" && c !== "ap-cards").sort()).toEqual(Object.keys(PATHS).sort())
  })

  it("defaults to 20 rows and accepts 1 and 100", async () => {
    expect((await v3get(h, s, "/v3/bills")).body.results).toHaveLength(20)
    expect((await v3get(h, s, "/v3/bills?max=1")).body.results).toHaveLength(1)
    expect((await v3get(h, s, "/v3/bills?max=100")).body.results).toHaveLength(100)
  })

  it("rejects max outside 1–100 with 400", async () => {
    for (const max of ["0", "101", "-5", "abc", "2.5"]) {
      const r = await v3get(h, s, `/v3/bills?max=${max}`)
      expect(r.status).toBe(400)
      expect(r.body[0].message).toContain("max")
    }
  })

  it("prevPage leads back to the previous page", async () => {
    const p1 = (await v3get(h, s, "/v3/vendors?max=5")).body
    const p2 = (await v3get(h, s, `/v3/vendors?max=5&page=${p1.nextPage}`)).body
    const back = (await v3get(h, s, `/v3/vendors?max=5&page=${p2.prevPage}`)).body
    expect(back.results.map((r: any) => r.id)).toEqual(p1.results.map((r: any) => r.id))
  })

  it("rejects a garbage page token with 400", async () => {
    const r = await v3get(h, s, "/v3/bills?page=not-a-token")
    expect(r.status).toBe(400)
  })

  it("lists bills without approvers and gets a bill with approvers", async () => {
    const rows = (await allPages(h, s, "/v3/bills?max=100")).flatMap((p) => p.results)
    expect(rows.some((r: any) => "approvers" in r)).toBe(false)
    const approved = rows.find((r: any) => r.approvalStatus === "APPROVED")
    const one = (await v3get(h, s, `/v3/bills/${approved.id}`)).body
    expect(one.approvers.length).toBeGreaterThan(0)
    expect(one.approvers.every((a: any) => a.status === "APPROVED")).toBe(true)
    expect(one.approvers.map((a: any) => a.approverOrder)).toEqual(one.approvers.map((_: any, i: number) => i))
  })

  it("returns archived rows unless filtered", async () => {
    const all = (await allPages(h, s, "/v3/vendors?max=100")).flatMap((p) => p.results)
    expect(all.some((v: any) => v.archived)).toBe(true)
    const active = (await allPages(h, s, "/v3/vendors?max=100&filters=archived:eq:false")).flatMap((p) => p.results)
    expect(active.length).toBe(all.filter((v: any) => !v.archived).length)
  })

  it("serves cards as {rates, cards} per cardUserStatus (required) and get by id", async () => {
    const missing = await v3get(h, s, "/v3/funding-accounts/cards")
    expect(missing.status).toBe(400)
    expect(missing.body).toEqual([
      expect.objectContaining({
        code: "BDC_1001",
        message: "cardUserStatus: must not be null",
        severity: "ERROR",
        category: "REQUEST"
      })
    ])
    expect((await v3get(h, s, "/v3/funding-accounts/cards?cardUserStatus=ACTIVE")).body[0].message).toBe(
      "cardUserStatus: must be one of VERIFIED, NOMINATED"
    )
    const verified = (await v3get(h, s, "/v3/funding-accounts/cards?cardUserStatus=VERIFIED")).body
    const nominated = (await v3get(h, s, "/v3/funding-accounts/cards?cardUserStatus=NOMINATED")).body
    expect(Object.keys(verified).sort()).toEqual(["cards", "rates"])
    // The demo's two cards: the API user is verified on the first, only nominated on the second.
    expect([verified.cards.length, nominated.cards.length]).toEqual([1, 1])
    expect(verified.rates.defaultCardAccountId).toBe(verified.cards[0].id)
    const one = await v3get(h, s, `/v3/funding-accounts/cards/${nominated.cards[0].id}`)
    expect(one.body.id).toBe(nominated.cards[0].id)
  })

  it("pages a bill's documents and gets a document", async () => {
    const core = h.running().core
    let found = 0
    for (const b of core.state.org.bills.slice(0, 40)) {
      const pages = await allPages(h, s, `/v3/documents/bills/${b.id}?max=1`)
      const docs = pages.flatMap((p) => p.results)
      found += docs.length
      for (const d of docs) {
        expect(d.id).toMatch(/^00h02[A-Za-z0-9]{15}$/)
        expect((await v3get(h, s, `/v3/documents/${d.id}`)).body).toEqual(d)
      }
    }
    expect(found).toBeGreaterThan(0)
    expect((await v3get(h, s, `/v3/documents/bills/00n02AAAAAAAAAAAAAAA`)).status).toBe(404)
  })
})

/** What a `page` cursor pages while records change (Bill.com does not document it: both modes exist). */
describe("cursor modes", () => {
  const snapshot = useEmulator({ seed: "demo", cursorMode: "snapshot" })
  const live = useEmulator({ seed: "demo" })

  it("snapshot: a paging run stays stable while records change underneath", async () => {
    const h = snapshot
    const s = await login(h)
    const core = h.running().core
    const first = (await v3get(h, s, "/v3/bills?max=50&sort=updatedTime:asc")).body
    // A bill on a later page changes (its updatedTime jumps to "now") and a new bill appears.
    const later = core.state.org.bills.find((b) => !first.results.some((r: any) => r.id === b.id))!
    core.mutate({ op: "editBill", id: later.id, description: "edited mid-run" })
    core.mutate({ op: "createBill", amount: 10 })
    const rest = await allPages(h, s, "/v3/bills?max=50&sort=updatedTime:asc", first.nextPage)
    const ids = [...first.results, ...rest.flatMap((p) => p.results)].map((r: any) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(core.state.org.bills.length - 1)
    const edited = rest.flatMap((p) => p.results).find((r: any) => r.id === later.id)
    expect(edited.description).toBe("edited mid-run")
  })

  it("live (the default): a record edited on an earlier page jumps to the end and the rest shift by one, so the record after the page boundary is skipped", async () => {
    const h = live
    const s = await login(h)
    const core = h.running().core
    const sorted = (await allPages(h, s, "/v3/bills?max=100&sort=updatedTime:asc,createdTime:asc")).flatMap((p) =>
      p.results.map((r: any) => r.id)
    )
    const first = (await v3get(h, s, "/v3/bills?max=50&sort=updatedTime:asc,createdTime:asc")).body
    core.mutate({ op: "editBill", id: first.results[3].id, description: "edited mid-run" })
    const rest = await allPages(h, s, "/v3/bills?max=50&sort=updatedTime:asc,createdTime:asc", first.nextPage)
    const ids = [...first.results, ...rest.flatMap((p) => p.results)].map((r: any) => r.id)
    // The edited bill comes again at the end (its new version); the 51st bill was never served.
    expect(ids.at(-1)).toBe(first.results[3].id)
    expect(ids).not.toContain(sorted[50])
    expect(new Set(ids).size).toBe(sorted.length - 1)
  })
})
