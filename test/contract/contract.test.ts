import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { readFileSync } from "node:fs"
import { BillcomClient } from "../../src/billcom/client.ts"
import { RESOURCES, type ResourceName } from "../../src/billcom/resources.ts"
import { BillcomWriter } from "../../src/billcom/writer.ts"
import { Contract } from "../../src/emulator/contract.ts"
import type { ChartOfAccount as ChartOfAccountRecord } from "../../src/emulator/model.ts"
import { Emulator, type EmulatorApi, type EmulatorOptions } from "../../src/emulator/index.ts"
import { buildContract, OPERATIONS } from "../../scripts/extract-contract.ts"
import { clientLayer } from "../billcom/support.ts"

/**
 * Bill.com's published OpenAPI as a contract (test/contract/billcom.contract.json):
 * (a) every request billsync sends is checked against its operation — the strict emulator refuses
 *     what Bill.com refuses and records it;
 * (b) every emulator response is checked against the documented schema.
 */
const read = (file: string) => JSON.parse(readFileSync(new URL(file, import.meta.url), "utf8"))

const withClient = (emulator: EmulatorOptions) => Effect.provide(clientLayer().pipe(Layer.provideMerge(Emulator.layer(emulator))))

const contractOf = (emu: EmulatorApi) => Effect.map(emu.counters(), (c) => c.contract!)

/** HTTP against the emulator with a fresh v3 session; returns status + parsed body. */
const http = (emu: EmulatorApi) =>
  Effect.promise(async () => {
    const login = (await (await fetch(`${emu.v3BaseUrl}/v3/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(emu.credentials) })).json()) as { sessionId: string }
    const headers = { sessionId: login.sessionId, devKey: emu.credentials.devKey }
    const call = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${emu.v3BaseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await r.text()
      return { status: r.status, body: text === "" ? undefined : (JSON.parse(text) as any) }
    }
    return { call, get: (path: string) => call("GET", path) }
  })

describe("the contract: Bill.com's published OpenAPI, as data", () => {
  it("is what scripts/extract-contract.ts makes of the committed facts-only subsets", () => {
    const committed = read("./billcom.contract.json")
    const rebuilt = JSON.parse(JSON.stringify(buildContract([read("./openapi/bill-v3.subset.json")], [read("./openapi/bill-v2.subset.json")])))
    expect(rebuilt).toEqual(committed)
    expect(committed.operations.map((o: any) => `${o.api} ${o.method} ${o.path}`)).toEqual(OPERATIONS.map(([api, m, p]) => `${api} ${m} ${p}`))
  })

  it("records parameters, ranges, enums and closed response schemas", () => {
    const contract = Contract.load()
    const cards = contract.find("v3", "GET", "/v3/funding-accounts/cards")!
    expect(cards.parameters.filter((p) => p.in === "query")).toEqual([
      { name: "cardUserStatus", in: "query", required: true, schema: { allOf: [{ $ref: "#/definitions/CardUserStatus" }] } }
    ])
    expect(contract.document.definitions["CardUserStatus"]).toEqual({ type: "string", enum: ["VERIFIED", "NOMINATED"] })
    const bills = contract.find("v3", "GET", "/v3/bills")!
    expect(bills.parameters.find((p) => p.name === "max")).toEqual({ name: "max", in: "query", required: false, schema: { maximum: 100, minimum: 1, type: ["integer", "null"] } })
    expect(contract.find("v3", "GET", "/v3/bills/00n02ABCDEFGHIJKLMNO")?.id).toBe("GET /v3/bills/{billId}")
    // Literal segments win: /bulk is the bulk operation, not /{id}.
    expect(contract.find("v3", "PATCH", "/v3/classifications/chart-of-accounts/bulk")?.id).toBe("PATCH /v3/classifications/chart-of-accounts/bulk")
    expect(contract.find("v3", "GET", "/v3/bilz")).toBeUndefined()
    // Every $ref resolves inside the contract.
    const refs = JSON.stringify(contract.document).match(/#\/definitions\/[A-Za-z0-9_.]+/g) ?? []
    for (const ref of new Set(refs)) expect(contract.document.definitions[ref.replace("#/definitions/", "")], ref).toBeDefined()
  })
})

describe("(a) every request billsync sends is checked against its operation", () => {
  it.live("the client's reads and writes of the demo organisation are all on the contract", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const client = yield* BillcomClient
      const writer = yield* BillcomWriter
      yield* client.session()
      for (const name of Object.keys(RESOURCES) as Array<ResourceName>) {
        yield* Stream.runDrain(client.listRaw(name))
        // Incremental and unordered reads carry filters and partition windows.
        yield* Stream.runDrain(client.listRaw(name, { updatedSince: "2025-01-01T00:00:00.000Z", ordered: false }))
      }
      const org = emu.core.state.org
      for (const bill of org.bills.slice(0, 30)) {
        yield* client.bill(bill.id)
        yield* client.billDocuments(bill.id)
        yield* client.billApproval(bill.id)
      }
      yield* client.chartOfAccount(org.chartOfAccounts[0]!.id)
      const parent = org.chartOfAccounts.find((a) => a.parentId === undefined)!
      const created = yield* writer.createChartOfAccount({ name: "Contract probe", parentId: parent.id, account: { type: "EXPENSE", number: "6999" } })
      yield* writer.updateChartOfAccount(created.id, { name: "Contract probe 2", parentId: null })
      yield* writer.archiveChartOfAccount(created.id)
      yield* writer.restoreChartOfAccount(created.id)
      expect(emu.core.state.get<ChartOfAccountRecord>("chart-of-accounts", created.id)?.parentId).toBeUndefined()

      const counters = yield* emu.counters()
      const c = counters.contract!
      expect(c.summary).toEqual({})
      expect([c.requestViolations, c.responseViolations]).toEqual([0, 0])
      expect(c.requestsChecked).toBeGreaterThan(100)
      // Every request the client sent addressed an operation of the contract (checked = sent).
      expect(c.requestsChecked).toBe(counters.total)
    }).pipe(withClient({ seed: "demo" }))
  )

  it.live("the strict emulator refuses what Bill.com refuses, in Bill.com's error shape, and records it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const { get, call } = yield* http(emu)
      const refused = [
        // The request the lenient emulator answered with 200 (issue 12): no cardUserStatus.
        [yield* Effect.promise(() => get("/v3/funding-accounts/cards")), "cardUserStatus: must not be null"],
        [yield* Effect.promise(() => get("/v3/funding-accounts/cards?cardUserStatus=ALL")), "cardUserStatus: must be one of VERIFIED, NOMINATED"],
        [yield* Effect.promise(() => get("/v3/bills?max=0")), "max: must be >= 1"],
        [yield* Effect.promise(() => get("/v3/bills?max=101")), "max: must be <= 100"],
        [yield* Effect.promise(() => get("/v3/bills?max=ten")), "max: must be integer"],
        [yield* Effect.promise(() => get("/v3/bills?limit=5")), "limit: is not a parameter of GET /v3/bills"],
        [yield* Effect.promise(() => get("/v3/funding-accounts/ap-cards?max=5")), "max: is not a parameter of GET /v3/funding-accounts/ap-cards"],
        [yield* Effect.promise(() => get("/v3/bills/not-a-bill-id")), "billId: must match pattern \"^00n[a-zA-Z0-9]{17}$\""],
        [yield* Effect.promise(() => call("POST", "/v3/classifications/chart-of-accounts", { name: "x", parentId: null })), "parentId: must be string"],
        [yield* Effect.promise(() => call("POST", "/v3/classifications/chart-of-accounts/bulk/archive")), "ids: must not be null"]
      ] as const
      for (const [reply, message] of refused) {
        expect(reply.status, message).toBe(400)
        expect(reply.body, message).toEqual([{ timestamp: expect.stringMatching(/\+00:00$/), code: "BDC_1001", severity: "ERROR", category: "REQUEST", message }])
      }
      const unknown = yield* Effect.promise(() => get("/v3/bilz"))
      expect([unknown.status, unknown.body[0].code]).toEqual([404, "BDC_1121"])
      const c = yield* contractOf(emu)
      expect(c.requestViolations).toBe(refused.length + 1)
      expect(c.violations.map((v) => `${v.operation} ${v.where}`)).toContain("GET /v3/funding-accounts/cards query.cardUserStatus")
      expect(c.violations.at(-1)).toEqual({ kind: "request", operation: "GET /v3/bilz", where: "route", problem: "no such Bill.com operation" })
      // The refusals themselves are Bill.com's documented 4XX shape.
      expect(c.responseViolations).toBe(0)
    }).pipe(withClient({ seed: "contract-refusals", generate: { bills: 5, vendors: 3 } }))
  )

  it.live("record mode serves an off-contract request but still records it", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const { get } = yield* http(emu)
      const reply = yield* Effect.promise(() => get("/v3/bills?max=5&limit=5"))
      expect(reply.status).toBe(200)
      expect((yield* contractOf(emu)).summary).toEqual({ "request GET /v3/bills query.limit: is not a parameter of GET /v3/bills": 1 })
    }).pipe(withClient({ seed: "contract-record", generate: { bills: 5, vendors: 3 }, contract: { requests: "record" } }))
  )
})

describe("(b) every emulator response validates against the documented schema", () => {
  it.live("every contracted read of the demo organisation, every record, and the error replies", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator
      const { get } = yield* http(emu)
      const crawl = (path: string) =>
        Effect.promise(async () => {
          const ids: Array<string> = []
          let page: string | undefined
          do {
            const r = await get(`${path}?max=100${page !== undefined ? `&page=${encodeURIComponent(page)}` : ""}`)
            expect(r.status, path).toBe(200)
            ids.push(...r.body.results.map((x: { id: string }) => x.id))
            page = r.body.nextPage
          } while (page !== undefined)
          for (const id of ids) expect((await get(`${path}/${id}`)).status, `${path}/${id}`).toBe(200)
          return ids
        })
      const lists = ["vendors", "bills", "vendor-credits", "payments", "customers", "users", "funding-accounts/banks", ...["chart-of-accounts", "items", "departments", "jobs", "locations", "accounting-classes", "employees"].map((k) => `classifications/${k}`)]
      for (const list of lists) {
        const ids = yield* crawl(`/v3/${list}`)
        if (list === "bills")
          for (const id of ids) {
            const docs = yield* Effect.promise(() => get(`/v3/documents/bills/${id}`))
            for (const d of docs.body.results) yield* Effect.promise(() => get(`/v3/documents/${d.id}`))
          }
      }
      for (const status of ["VERIFIED", "NOMINATED"]) {
        const cards = yield* Effect.promise(() => get(`/v3/funding-accounts/cards?cardUserStatus=${status}`))
        for (const card of cards.body.cards) yield* Effect.promise(() => get(`/v3/funding-accounts/cards/${card.id}`))
      }
      yield* Effect.promise(() => get("/v3/funding-accounts/ap-cards"))
      yield* Effect.promise(() => get("/v3/login/session"))
      // Error replies are checked too (4XX: an array of BdcError).
      expect((yield* Effect.promise(() => get("/v3/vendors/00902NOSUCHVENDORXXX"))).status).toBe(404)
      const c = yield* contractOf(emu)
      expect(c.summary).toEqual({})
      expect(c.responsesChecked).toBeGreaterThan(1000)
      // The demo's documented decode-error anomaly (a bill with a string amount) is off-contract on purpose: not counted.
      expect(c.injectedSkipped).toBeGreaterThan(0)
    }).pipe(withClient({ seed: "demo" }))
  )

  it("catches a response off the documented schema", () => {
    const contract = Contract.load()
    const payment = contract.find("v3", "GET", "/v3/payments/{paymentId}")!
    expect(contract.checkResponse(payment, 200, { amount: 10, status: "PAID", fundingAccount: { type: "BANK_ACCOUNT", id: "bac02AAAAAAAAAAAAAAA" } })).toEqual([])
    expect(contract.checkResponse(payment, 200, { amount: 10, status: "CANCELED" })).toEqual([
      { where: "response.status", problem: "must be one of APPROVING, SCHEDULED, PAID, CANCELLED, VOID, ESCHEATED, UNDEFINED" }
    ])
    expect(contract.checkResponse(payment, 200, { status: "PAID" })).toEqual([{ where: "response.amount", problem: "must not be null" }])
    const cards = contract.find("v3", "GET", "/v3/funding-accounts/cards")!
    expect(contract.checkResponse(cards, 200, { cards: [{ id: "cat02AAAAAAAAAAAAAAA", archived: false, expiration: { year: 2027, month: 4 } }] })).toEqual([
      { where: "response.cards[0].expiration.year", problem: "must be string" },
      { where: "response.cards[0].expiration.month", problem: "must be string" }
    ])
    expect(contract.checkResponse(cards, 201, { cards: [] })[0]?.problem).toMatch(/201 is not a documented status/)
    const logout = contract.find("v3", "POST", "/v3/logout")!
    expect(contract.checkResponse(logout, 200, undefined)).toEqual([])
    expect(contract.checkResponse(logout, 200, {})).toEqual([{ where: "response", problem: "must be empty" }])
    // Undocumented extra properties are allowed: Bill.com adds fields without notice.
    expect(contract.checkResponse(payment, 200, { amount: 1, somethingNew: { nested: true } })).toEqual([])
  })
})
