import { it as effectIt } from "@effect/vitest"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { allPages, control, login, request, useEmulator, v3get, type Login } from "./support.ts"

describe("emulator control API", () => {
  const h = useEmulator({ seed: "control", generate: { bills: 80 } })
  let s: Login
  beforeAll(async () => {
    s = await login(h)
  })
  const mutate = async (body: unknown) => {
    const r = await control(h, "POST", "/mutate", body)
    expect(r.status, r.text).toBe(200)
    return r.body
  }

  it("counts calls per route template, logins and errors, and resets", async () => {
    await control(h, "POST", "/counters/reset")
    await login(h)
    const bill = h.running().core.state.org.bills[0]!
    await v3get(h, s, "/v3/bills?max=2")
    await v3get(h, s, `/v3/bills/${bill.id}`)
    await v3get(h, s, `/v3/bills/${bill.id}`)
    await v3get(h, s, "/v3/bills?max=0")
    const c = (await control(h, "GET", "/counters")).body
    expect(c.byRoute["GET /v3/bills/{billId}"]).toBe(2)
    expect(c.byRoute["GET /v3/bills"]).toBe(2)
    expect(c.byRoute["POST /v3/login"]).toBe(1)
    expect(c.logins).toBe(1)
    expect(c.errorsByCode).toEqual({ BDC_1001: 1 })
    expect(c.total).toBe(5)
    const reset = (await control(h, "POST", "/counters/reset")).body
    expect(reset.total).toBe(0)
  })

  it("creates, edits and pays a bill; each change bumps updatedTime and shows in an incremental pull", async () => {
    const vendor = h.running().core.state.org.vendors.find((v) => !v.archived)!
    const before = (await control(h, "GET", "/info")).body.now
    const [created] = await mutate({
      op: "createBill",
      vendorId: vendor.id,
      lines: [{ amount: 100.1 }, { amount: 50 }],
      invoiceDate: "2026-09-01"
    })
    const billId = created.ids[0]
    let bill = (await v3get(h, s, `/v3/bills/${billId}`)).body
    expect(bill).toMatchObject({
      amount: 150.1,
      dueAmount: 150.1,
      paymentStatus: "UNPAID",
      vendorId: vendor.id,
      invoice: { invoiceDate: "2026-09-01" }
    })

    await mutate({ op: "editBill", id: billId, amount: 200 })
    bill = (await v3get(h, s, `/v3/bills/${billId}`)).body
    expect(bill.amount).toBe(200)
    expect(bill.billLineItems.reduce((t: number, l: any) => t + l.amount, 0)).toBeCloseTo(200, 2)

    const [paid] = await mutate({ op: "payBill", billId, amount: 80 })
    const payment = (await v3get(h, s, `/v3/payments/${paid.ids[0]}`)).body
    expect(payment).toMatchObject({ status: "PAID", amount: 80, billId, vendorId: vendor.id })
    bill = (await v3get(h, s, `/v3/bills/${billId}`)).body
    expect(bill).toMatchObject({ paidAmount: 80, dueAmount: 120, paymentStatus: "PARTIALLY_PAID" })

    await mutate({ op: "payBill", billId, status: "SCHEDULED" })
    bill = (await v3get(h, s, `/v3/bills/${billId}`)).body
    expect(bill).toMatchObject({ scheduledAmount: 120, dueAmount: 0, paymentStatus: "SCHEDULED" })

    const changed = (
      await allPages(h, s, `/v3/bills?max=100&filters=updatedTime:gte:${encodeURIComponent(`"${before}"`)}`)
    ).flatMap((p) => p.results)
    expect(changed.map((b: any) => b.id)).toEqual([billId])
    const payments = (
      await allPages(h, s, `/v3/payments?max=100&filters=updatedTime:gte:${encodeURIComponent(`"${before}"`)}`)
    ).flatMap((p) => p.results)
    expect(payments).toHaveLength(2)
  })

  it("applies vendor credits, archives and restores records", async () => {
    const core = h.running().core
    const vendor = core.state.org.vendors.find((v) => !v.archived)!
    const [bill] = await mutate({ op: "createBill", vendorId: vendor.id, amount: 300 })
    const [credit] = await mutate({ op: "createVendorCredit", vendorId: vendor.id, amount: 40 })
    await mutate({ op: "applyCredit", vendorCreditId: credit.ids[0], billId: bill.ids[0], amount: 25 })
    const b = (await v3get(h, s, `/v3/bills/${bill.ids[0]}`)).body
    expect(b).toMatchObject({ creditAmount: 25, paidAmount: 25, dueAmount: 275, paymentStatus: "PARTIALLY_PAID" })
    const vc = (await v3get(h, s, `/v3/vendor-credits/${credit.ids[0]}`)).body
    expect(vc).toMatchObject({
      appliedAmount: 25,
      status: "PARTIALLY_APPLIED",
      usage: [{ billId: bill.ids[0], amount: 25 }]
    })

    await mutate({ op: "archive", collection: "vendors", id: vendor.id })
    expect((await v3get(h, s, `/v3/vendors/${vendor.id}`)).body.archived).toBe(true)
    await mutate({ op: "restore", collection: "vendors", id: vendor.id })
    expect((await v3get(h, s, `/v3/vendors/${vendor.id}`)).body.archived).toBe(false)
    const refused = await control(h, "POST", "/mutate", {
      op: "restore",
      collection: "vendor-credits",
      id: credit.ids[0]
    })
    expect(refused.status).toBe(400)
    const unknown = await control(h, "POST", "/mutate", { op: "payBill", billId: "00n02AAAAAAAAAAAAAAA" })
    expect(unknown.status).toBe(404)
  })

  it("sets faults, expires sessions and snapshots the organisation", async () => {
    expect((await control(h, "PUT", "/faults", { serverErrorRate: 1, seed: "x" })).body).toEqual({
      serverErrorRate: 1,
      seed: "x"
    })
    expect((await v3get(h, s, "/v3/vendors")).status).toBe(503)
    await control(h, "PUT", "/faults", {})
    expect((await v3get(h, s, "/v3/vendors")).status).toBe(200)
    expect((await control(h, "POST", "/sessions/expire")).body.expired).toBeGreaterThan(0)
    expect((await v3get(h, s, "/v3/vendors")).status).toBe(401)
    s = await login(h)
    const snap = (await control(h, "GET", "/snapshot")).body
    const core = h.running().core
    expect(snap.organizationId).toBe(core.credentials.organizationId)
    expect(snap.bills).toHaveLength(core.state.org.bills.length)
    expect(snap.vendors[0].id).toBe(core.state.org.vendors[0]!.id)
  })
})

describe("emulator strict mode", () => {
  const h = useEmulator({ seed: "strict", strict: true, generate: { bills: 5 } })
  it("has no control API", async () => {
    const r = await request(`${h.origin}/__emulator/counters`)
    expect(r.status).toBe(404)
    expect(r.body[0].code).toBe("BDC_1121")
    const s = await login(h)
    expect((await v3get(h, s, "/v3/vendors")).status).toBe(200)
  })
})

effectIt.layer(Emulator.layer({ seed: "layer", generate: { bills: 30 } }))("Emulator.layer", (it) => {
  it.effect("starts on an ephemeral port and exposes URLs, credentials and control methods", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      expect(emulator.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(emulator.v3BaseUrl).toBe(`${emulator.origin}/connect`)
      expect(emulator.v2BaseUrl).toBe(`${emulator.origin}/api/v2`)
      const res = yield* Effect.promise(() =>
        fetch(`${emulator.v3BaseUrl}/v3/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(emulator.credentials)
        })
      )
      expect(res.status).toBe(200)
      const counters = yield* emulator.counters()
      expect(counters.logins).toBe(1)
      yield* emulator.resetCounters()
      expect((yield* emulator.counters()).total).toBe(0)
      const result = yield* emulator.mutate({ op: "createVendor", name: "Layer Vendor LLC" })
      expect(result.ids[0]).toMatch(/^00902/)
      const failure = yield* emulator.mutate({ op: "editBill", id: "nope" }).pipe(Effect.flip)
      expect(failure).toMatchObject({ _tag: "EmulatorError", reason: "Mutation", code: "BDC_1002" })
      const snapshot = yield* emulator.snapshot()
      expect((snapshot["vendors"] as Array<{ name: string }>).some((v) => v.name === "Layer Vendor LLC")).toBe(true)
    })
  )
})
