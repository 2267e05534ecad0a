import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { BillcomClient } from "../../src/billcom/client.ts"
import type { ResourceName } from "../../src/billcom/resources.ts"
import type { SettingsInput } from "../../src/billcom/settings.ts"
import { Emulator, type EmulatorOptions } from "../../src/emulator/index.ts"
import { clientLayer, snapshotOf } from "./support.ts"

const ORG = {
  seed: "client-faults",
  generate: { bills: 640, vendors: 120, customers: 10, items: 10, classifications: 3, banks: 2, cards: 2 }
}

const withClient = (emulator: EmulatorOptions, settings: Partial<SettingsInput> = {}) =>
  Effect.provide(clientLayer(settings).pipe(Layer.provideMerge(Emulator.layer(emulator))))

const LISTS: ReadonlyArray<readonly [ResourceName, string]> = [
  ["vendors", "vendors"],
  ["bills", "bills"],
  ["payments", "payments"],
  ["vendor-credits", "vendor-credits"],
  ["chart-of-accounts", "chart-of-accounts"],
  ["bank-accounts", "banks"],
  ["card-accounts", "cards"]
]

/** Pull the lists concurrently and compare each with the emulator's snapshot. */
const pullAndCompare = Effect.gen(function* () {
  const client = yield* BillcomClient
  const emulator = yield* Emulator
  const pulled = yield* Effect.all(
    LISTS.map(([name]) => Stream.runCollect(client.list(name)).pipe(Effect.map(Chunk.toReadonlyArray))),
    { concurrency: "unbounded" }
  )
  for (let i = 0; i < LISTS.length; i++) {
    const [name, collection] = LISTS[i]!
    const ids = pulled[i]!.map((p) => (p.raw as { id: string }).id)
    expect(ids.length, `${name}: duplicates`).toBe(new Set(ids).size)
    expect(new Set(ids), name).toEqual(new Set((yield* snapshotOf(emulator, collection)).keys()))
  }
  return pulled
})

describe("faults", () => {
  it.live("5xx, BDC_1322 bursts, dropped connections and truncated bodies are retried to the exact result", () =>
    Effect.gen(function* () {
      yield* pullAndCompare
      const emulator = yield* Emulator
      const client = yield* BillcomClient
      const counters = yield* emulator.counters()
      const stats = yield* client.stats()
      expect(counters.faults["serverError"] ?? 0).toBeGreaterThan(0)
      expect(counters.faults["reset"] ?? 0).toBeGreaterThan(0)
      expect(counters.faults["rateLimited"] ?? 0).toBeGreaterThan(0)
      expect(counters.faults["truncate"] ?? 0).toBeGreaterThan(0)
      const injected = Object.values(counters.faults).reduce((a, b) => a + b, 0)
      expect(stats.retries).toBe(injected)
      expect(stats.requests).toBe(counters.total)
    }).pipe(
      withClient({
        ...ORG,
        faults: {
          seed: "f1",
          serverErrorRate: 0.12,
          resetRate: 0.1,
          rateLimitBurst: { rate: 0.05, length: 3 },
          truncateRate: 0.06
        }
      })
    )
  )

  it.live("HTTP 429 rate limiting (configurable status) is retried too", () =>
    Effect.gen(function* () {
      yield* pullAndCompare
      const counters = yield* (yield* Emulator).counters()
      expect(counters.byStatus["429"] ?? 0).toBeGreaterThan(0)
    }).pipe(
      withClient({
        ...ORG,
        limits: { rateLimitStatus: 429 },
        faults: { seed: "f2", rateLimitBurst: { rate: 0.1, length: 4 } }
      })
    )
  )

  it.live("a request that keeps failing surfaces Bill.com's answer after the configured retries", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const error = yield* Effect.flip(Stream.runDrain(client.list("vendors")))
      expect(error.reason).toBe("Server")
      expect(error.status).toBe(503)
      expect(error.code).toBe("BDC_1001")
      const stats = yield* client.stats()
      expect(stats.retries).toBe(2)
    }).pipe(
      withClient(
        { ...ORG, faults: { serverErrorRate: 1 } },
        { retry: { retries: 2, baseDelay: "1 millis", maxDelay: "2 millis" } }
      )
    )
  )

  it.live("a slow server hits the request timeout and is retried", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const error = yield* Effect.flip(client.session())
      expect(error.reason).toBe("Transport")
      expect(error.message).toContain("timeout")
      expect((yield* client.stats()).timeouts).toBe(2)
    }).pipe(
      withClient(
        { ...ORG, faults: { latency: { fixedMs: 400 } } },
        { requestTimeout: "60 millis", retry: { retries: 1, baseDelay: "1 millis", maxDelay: "1 millis" } }
      )
    )
  )

  it.live("non-retryable 4xx surface at once with Bill.com's code and message", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const error = yield* Effect.flip(Stream.runDrain(client.list("bills", { filters: ["nosuchfield:eq:1"] })))
      expect(error.reason).toBe("Request")
      expect(error.status).toBe(400)
      expect(error.code).toBe("BDC_1001")
      expect(error.message).toContain("nosuchfield")
      expect((yield* client.stats()).retries).toBe(0)
    }).pipe(withClient(ORG))
  )

  it.live("malformed records become Invalid elements; the stream goes on", () =>
    Effect.gen(function* () {
      const pulled = yield* pullAndCompare
      const invalid = pulled.flat().filter((p) => p._tag === "Invalid")
      expect(invalid.length).toBeGreaterThan(0)
      for (const p of invalid) {
        if (p._tag !== "Invalid") continue
        expect(p.id).toBe((p.raw as { id: string }).id)
        expect(p.error).toMatch(/amount|archived/)
      }
    }).pipe(withClient({ ...ORG, faults: { seed: "m", malformedRate: 0.01 } }))
  )
})

describe("limits", () => {
  it.live("with Bill.com's limits (3 in flight), a fault-free run at concurrency 3 gets zero rate-limit errors", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      yield* pullAndCompare
      const snapshot = yield* snapshotOf(emulator, "bills")
      // v2 calls share the same limiter as the v3 lists.
      yield* Effect.all(
        [...snapshot.keys()].slice(0, 60).map((id) => client.billApproval(id)),
        { concurrency: "unbounded" }
      )
      const counters = yield* emulator.counters()
      expect(counters.errorsByCode["BDC_1322"]).toBeUndefined()
      expect(counters.errorsByCode["BDC_1144"]).toBeUndefined()
      expect(counters.maxInFlight).toBe(3)
      expect((yield* client.stats()).rateLimitErrors).toBe(0)
    }).pipe(withClient({ ...ORG, faults: { latency: { minMs: 2, maxMs: 15 } } }, { concurrency: 3 }))
  )

  it.live("the hourly budget is enforced client-side: past it, a clear error instead of BDC_1144", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      yield* client.session()
      const error = yield* Effect.flip(Stream.runDrain(client.list("bills")))
      expect(error.reason).toBe("RateLimited")
      expect(error.message).toMatch(/hourly request budget of Bill\.com exhausted; resumes at \d\d:00 UTC/)
      expect((yield* emulator.counters()).errorsByCode["BDC_1144"]).toBeUndefined()
    }).pipe(withClient(ORG, { requestsPerHour: 3, hourlyLimitMaxWait: "0 millis" }))
  )

  it.live("Bill.com's own BDC_1144 (budget shared with other clients) fails with the same clear error", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const error = yield* Effect.flip(Stream.runDrain(client.list("bills")))
      expect(error.reason).toBe("RateLimited")
      expect(error.message).toContain("resumes at")
      expect((yield* client.stats()).rateLimitErrors).toBe(1)
    }).pipe(withClient({ ...ORG, limits: { requestsPerHour: 2 } }, { hourlyLimitMaxWait: "0 millis" }))
  )
})

describe("legacy v2", () => {
  it.live("billApproval reads Crud/Read/Bill.json under the v3 session and maps to the v3 spelling", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      const bills = [...(yield* snapshotOf(emulator, "bills")).values()] as unknown as ReadonlyArray<{
        id: string
        approvalStatus: string
        archived: boolean
      }>
      for (const bill of bills.slice(0, 40)) {
        const approval = yield* client.billApproval(bill.id)
        expect(approval).toEqual({ billId: bill.id, approvalStatus: bill.approvalStatus, archived: bill.archived })
      }
      const counters = yield* emulator.counters()
      expect(counters.logins).toBe(1)
      expect(counters.byRoute["POST /v2/Crud/Read/Bill.json"]).toBe(40)
    }).pipe(withClient(ORG))
  )

  it.live("chartOfAccount reads v2 with the v3 account type; an unknown id is none", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      const rows = [...(yield* snapshotOf(emulator, "chart-of-accounts")).values()] as unknown as ReadonlyArray<{
        id: string
        archived: boolean
        account?: { type?: string; number?: string }
        parentId?: string
      }>
      for (const row of rows.slice(0, 15)) {
        const coa = Option.getOrThrow(yield* client.chartOfAccount(row.id))
        expect(coa.accountType).toBe(row.account?.type)
        expect(coa.accountNumber ?? "").toBe(row.account?.number ?? "")
        expect(coa.archived).toBe(row.archived)
        expect(coa.parentId).toBe(row.parentId)
      }
      expect(Option.isNone(yield* client.chartOfAccount("0ca02ZZZZZZZZZZZZZZZ"))).toBe(true)
    }).pipe(withClient(ORG))
  )

  it.live("v2 session expiry (BDC_1109 inside HTTP 200) re-authenticates like v3", () =>
    Effect.gen(function* () {
      const client = yield* BillcomClient
      const emulator = yield* Emulator
      const bills = [...(yield* snapshotOf(emulator, "bills")).keys()].slice(0, 12)
      for (const id of bills) yield* client.billApproval(id)
      const stats = yield* client.stats()
      expect(stats.reauths).toBe((yield* emulator.counters()).faults["invalidateSession"])
      expect(stats.reauths).toBeGreaterThan(1)
    }).pipe(withClient({ ...ORG, faults: { invalidateSessionEvery: 4 } }, { reauthMaxPerRun: 10 }))
  )
})
