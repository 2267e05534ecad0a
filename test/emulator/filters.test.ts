import { beforeAll, describe, expect, it } from "vitest"
import { allPages, login, useEmulator, v3get, type Login } from "./support.ts"

describe("emulator filters and sort", () => {
  const h = useEmulator({ seed: "filters", generate: { bills: 400, vendors: 30 } })
  let s: Login
  let bills: Array<any>
  beforeAll(async () => {
    s = await login(h)
    bills = (await allPages(h, s, "/v3/bills?max=100")).flatMap((p) => p.results)
  })
  const ids = async (query: string, path = "/v3/bills") =>
    (await allPages(h, s, `${path}?max=100&${query}`)).flatMap((p) => p.results.map((r: any) => r.id)).sort()
  const expectIds = (rows: Array<any>) => rows.map((r) => r.id).sort()

  it("eq / ne on ids, enums and booleans", async () => {
    const one = bills[17]
    expect(await ids(`filters=id:eq:${one.id}`)).toEqual([one.id])
    expect((await ids(`filters=id:ne:${one.id}`)).length).toBe(bills.length - 1)
    expect(await ids("filters=paymentStatus:eq:PAID")).toEqual(
      expectIds(bills.filter((b) => b.paymentStatus === "PAID"))
    )
    expect(await ids("filters=archived:eq:true")).toEqual(expectIds(bills.filter((b) => b.archived)))
    expect(await ids("filters=archived:ne:true")).toEqual(expectIds(bills.filter((b) => !b.archived)))
  })

  it("in / nin with a quoted comma list; AND by comma", async () => {
    expect(await ids('filters=paymentStatus:in:"PAID,SCHEDULED"')).toEqual(
      expectIds(bills.filter((b) => ["PAID", "SCHEDULED"].includes(b.paymentStatus)))
    )
    expect(await ids('filters=approvalStatus:nin:"APPROVED,DENIED"')).toEqual(
      expectIds(bills.filter((b) => !["APPROVED", "DENIED"].includes(b.approvalStatus)))
    )
    // Bill.com documents eq/ne/in for a bill's paymentStatus: nin is refused.
    expect((await v3get(h, s, '/v3/bills?filters=paymentStatus:nin:"PAID"')).status).toBe(400)
    const vendorId = bills[0].vendorId
    expect(await ids(`filters=vendorId:eq:${vendorId},archived:eq:false,paymentStatus:in:"PAID,UNPAID"`)).toEqual(
      expectIds(
        bills.filter((b) => b.vendorId === vendorId && !b.archived && ["PAID", "UNPAID"].includes(b.paymentStatus))
      )
    )
  })

  it("date-time comparisons accept all five formats, quoted or not", async () => {
    const cut = "2024-06-01T00:00:00.000Z"
    const expected = expectIds(bills.filter((b) => Date.parse(b.updatedTime) >= Date.parse(cut)))
    expect(expected.length).toBeGreaterThan(10)
    for (const v of [
      '"2024-06-01T00:00:00.000Z"',
      "2024-06-01T00:00:00.000Z",
      '"2024-06-01T00:00:00.000+00:00"',
      '"2024-06-01T00:00:00.000"',
      '"2024-06-01T00:00:00"',
      '"2024-06-01T00:00"',
      '"2024-06-01"',
      "2024-06-01"
    ]) {
      expect(await ids(`filters=updatedTime:gte:${encodeURIComponent(v)}`)).toEqual(expected)
    }
    expect(await ids(`filters=${encodeURIComponent('createdTime:lt:"2023-01-01"')}`)).toEqual(
      expectIds(bills.filter((b) => Date.parse(b.createdTime) < Date.parse("2023-01-01T00:00:00Z")))
    )
    expect(await ids('filters=createdTime:gt:"2023-01-01",createdTime:lte:"2023-12-31T23:59:59.999Z"')).toEqual(
      expectIds(
        bills.filter(
          (b) => b.createdTime > "2023-01-01" && Date.parse(b.createdTime) <= Date.parse("2023-12-31T23:59:59.999Z")
        )
      )
    )
    // A zone offset moves the instant.
    expect(await ids(`filters=${encodeURIComponent('updatedTime:gte:"2024-06-01T02:00:00.000+02:00"')}`)).toEqual(
      expected
    )
  })

  it("business-date fields compare by date", async () => {
    expect(await ids('filters=dueDate:lt:"2023-01-01"')).toEqual(
      expectIds(bills.filter((b) => b.dueDate < "2023-01-01"))
    )
  })

  it("classification filters match bill-level or any line", async () => {
    const coa = bills[3].billLineItems[0].classifications.chartOfAccountId
    expect(await ids(`filters=classifications.chartOfAccountId:eq:${coa}`)).toEqual(
      expectIds(
        bills.filter(
          (b) =>
            b.classifications?.chartOfAccountId === coa ||
            b.billLineItems.some((l: any) => l.classifications?.chartOfAccountId === coa)
        )
      )
    )
  })

  it("sw on names is a case-insensitive prefix match", async () => {
    const vendors = (await allPages(h, s, "/v3/vendors?max=100")).flatMap((p) => p.results)
    const prefix = vendors[0].name.slice(0, 3)
    expect(await ids(`filters=name:sw:"${prefix.toLowerCase()}"`, "/v3/vendors")).toEqual(
      expectIds(vendors.filter((v) => v.name.toLowerCase().startsWith(prefix.toLowerCase())))
    )
  })

  it("rejects unknown fields, operators and malformed values with 400", async () => {
    for (const f of [
      "nope:eq:1",
      "id:like:x",
      "archived:eq:maybe",
      'updatedTime:gte:"yesterday"',
      "amount:gt:lots",
      "vendorId:sw:009",
      "updatedTime:eq:2024-01-01",
      "archived:gt:true",
      "justtext",
      'name:eq:"unterminated'
    ]) {
      const r = await v3get(h, s, `/v3/bills?filters=${encodeURIComponent(f)}`)
      expect(r.status, f).toBe(400)
      expect(r.body[0].category).toBe("REQUEST")
    }
    expect((await v3get(h, s, "/v3/bills?sort=nope:asc")).status).toBe(400)
    expect((await v3get(h, s, "/v3/bills?sort=dueDate:up")).status).toBe(400)
  })

  it("sorts by one or several fields, stably across pages", async () => {
    const rows = (await allPages(h, s, "/v3/bills?max=33&sort=dueDate:asc,createdTime:desc")).flatMap((p) => p.results)
    expect(rows.length).toBe(bills.length)
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]]
      expect(a.dueDate <= b.dueDate).toBe(true)
      if (a.dueDate === b.dueDate) expect(a.createdTime >= b.createdTime).toBe(true)
    }
    const desc = (await allPages(h, s, "/v3/bills?max=100&sort=updatedTime:desc")).flatMap((p) => p.results)
    expect(desc.map((r: any) => r.updatedTime)).toEqual([...desc.map((r: any) => r.updatedTime)].sort().reverse())
  })

  it("filters payments, vendor credits, chart of accounts and banks", async () => {
    const payments = (await allPages(h, s, "/v3/payments?max=100")).flatMap((p) => p.results)
    expect(await ids("filters=status:eq:SCHEDULED", "/v3/payments")).toEqual(
      expectIds(payments.filter((p) => p.status === "SCHEDULED"))
    )
    expect(await ids('filters=processDate:gte:"2025-01-01"', "/v3/payments")).toEqual(
      expectIds(payments.filter((p) => p.processDate >= "2025-01-01"))
    )
    const credits = (await allPages(h, s, "/v3/vendor-credits?max=100")).flatMap((p) => p.results)
    expect(await ids('filters=creditDate:lt:"2024-01-01"', "/v3/vendor-credits")).toEqual(
      expectIds(credits.filter((c) => c.creditDate < "2024-01-01"))
    )
    const coa = (await allPages(h, s, "/v3/classifications/chart-of-accounts?max=100")).flatMap((p) => p.results)
    const parent = coa.find((a: any) => a.account?.number === "6000")
    expect(await ids(`filters=parentId:eq:${parent.id}`, "/v3/classifications/chart-of-accounts")).toEqual(
      expectIds(coa.filter((a) => a.parentId === parent.id))
    )
    const banks = (await allPages(h, s, "/v3/funding-accounts/banks")).flatMap((p) => p.results)
    expect(await ids(`filters=bankAccountId:eq:${banks[1].id}`, "/v3/funding-accounts/banks")).toEqual([banks[1].id])
  })
})
