import { beforeAll, describe, expect, it } from "vitest"
import type { Bill, ChartOfAccount } from "../../src/emulator/model.ts"
import { login, useEmulator, v2post, v3get, type Login } from "./support.ts"

describe("emulator legacy v2", () => {
  const h = useEmulator({ seed: "demo" })
  let s: Login
  beforeAll(async () => {
    s = await login(h)
  })
  const auth = () => ({ devKey: h.running().core.credentials.devKey, sessionId: s.sessionId })

  it("logs in with v2 field names and the session works on v3", async () => {
    const c = h.running().core.credentials
    const r = await v2post(h, "Login.json", {
      userName: c.username,
      password: c.password,
      orgId: c.organizationId,
      devKey: c.devKey
    })
    expect(r.status).toBe(200)
    expect(r.body.response_status).toBe(0)
    expect(r.body.response_message).toBe("Success")
    expect(Object.keys(r.body.response_data).sort()).toEqual(["apiEndPoint", "orgId", "sessionId", "usersId"])
    const v3 = await v3get(
      h,
      {
        sessionId: r.body.response_data.sessionId,
        headers: { sessionId: r.body.response_data.sessionId, devKey: c.devKey }
      },
      "/v3/login/session"
    )
    expect(v3.status).toBe(200)
    const info = await v2post(h, "GetSessionInfo.json", { devKey: c.devKey, sessionId: s.sessionId })
    expect(info.body.response_data.organizationId).toBe(c.organizationId)
  })

  it("reports errors inside an HTTP 200 envelope", async () => {
    const c = h.running().core.credentials
    const bad = await v2post(h, "Login.json", {
      userName: c.username,
      password: "wrong",
      orgId: c.organizationId,
      devKey: c.devKey
    })
    expect(bad.status).toBe(200)
    expect(bad.body).toEqual({
      response_status: 1,
      response_message: "Error",
      response_data: { error_code: "BDC_1101", error_message: "User name and/or password do not match our records." }
    })
    const noSession = await v2post(h, "Crud/Read/Bill.json", {
      devKey: c.devKey,
      sessionId: "nope",
      data: JSON.stringify({ id: "x" })
    })
    expect(noSession.status).toBe(200)
    expect(noSession.body.response_data.error_code).toBe("BDC_1109")
    const missing = await v2post(h, "Crud/Read/Bill.json", {
      ...auth(),
      data: JSON.stringify({ id: "00n02AAAAAAAAAAAAAAA" })
    })
    expect(missing.body.response_status).toBe(1)
  })

  it("reads a bill with numeric-string enums matching the v3 object", async () => {
    const core = h.running().core
    const map = { UNASSIGNED: "0", ASSIGNED: "1", APPROVED: "3", APPROVING: "4", DENIED: "5" }
    const pay = { PAID: "0", UNPAID: "1", PARTIALLY_PAID: "2", SCHEDULED: "4" }
    const bills = core.state.org.bills.filter((b: Bill) => b.malformed === undefined)
    const sample = [
      bills.find((b) => b.approvalStatus === "APPROVED")!,
      bills.find((b) => b.approvalStatus !== "APPROVED")!,
      bills.find((b) => b.archived)!
    ]
    for (const bill of sample) {
      const v2 = (await v2post(h, "Crud/Read/Bill.json", { ...auth(), data: JSON.stringify({ id: bill.id }) })).body
        .response_data
      const v3 = (await v3get(h, s, `/v3/bills/${bill.id}`)).body
      expect(v2.entity).toBe("Bill")
      expect(v2.id).toBe(v3.id)
      expect(v2.approvalStatus).toBe(map[v3.approvalStatus as keyof typeof map])
      expect(v2.paymentStatus).toBe(pay[v3.paymentStatus as keyof typeof pay])
      expect(v2.isActive).toBe(v3.archived ? "2" : "1")
      expect(v2.amount).toBe(v3.amount)
      expect(v2.dueAmount).toBe(v3.dueAmount)
      expect(v2.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)
      expect(v2.billLineItems).toHaveLength(v3.billLineItems.length)
      expect(v2.billLineItems[0].entity).toBe("BillLineItem")
    }
  })

  it("lists approvers in order with numeric statuses and lowercase billid", async () => {
    const core = h.running().core
    const bill = core.state.org.bills.find((b: Bill) => b.approvers.length >= 2)!
    const r = (
      await v2post(h, "ListApprovers.json", { ...auth(), data: JSON.stringify({ objectId: bill.id, entity: "Bill" }) })
    ).body
    expect(r.response_status).toBe(0)
    expect(r.response_data.map((a: any) => a.sortOrder)).toEqual(bill.approvers.map((_, i) => i))
    for (const a of r.response_data) {
      expect(a).toMatchObject({ entity: "BillApprover", billid: bill.id, isActive: "1", usersIdType: "user" })
      expect(["0", "1", "2", "3", "4", "5", "6"]).toContain(a.status)
      expect(a.id).toMatch(/^0ba02[A-Za-z0-9]{15}$/)
    }
    const none = core.state.org.bills.find((b: Bill) => b.approvalStatus === "UNASSIGNED")!
    expect(
      (
        await v2post(h, "ListApprovers.json", {
          ...auth(),
          data: JSON.stringify({ objectId: none.id, entity: "Bill" })
        })
      ).body.response_data
    ).toEqual([])
  })

  it("reads a chart-of-account row with v2 numeric account types", async () => {
    const core = h.running().core
    const ap = core.state.org.chartOfAccounts.find((a: ChartOfAccount) => a.number === "2000")!
    const child = core.state.org.chartOfAccounts.find((a: ChartOfAccount) => a.number === "6061")!
    const r = (await v2post(h, "Crud/Read/ChartOfAccount.json", { ...auth(), data: JSON.stringify({ id: ap.id }) }))
      .body.response_data
    expect(r).toMatchObject({
      entity: "ChartOfAccount",
      id: ap.id,
      accountNumber: "2000",
      accountType: "1",
      isActive: "1",
      parentChartOfAccountId: "00000000000000000000"
    })
    const c = (await v2post(h, "Crud/Read/ChartOfAccount.json", { ...auth(), data: JSON.stringify({ id: child.id }) }))
      .body.response_data
    expect(c.accountType).toBe("7")
    expect(c.parentChartOfAccountId).toBe(child.parentId)
  })
})
