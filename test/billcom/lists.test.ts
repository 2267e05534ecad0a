import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { BillcomClient } from "../../src/billcom/client.ts"
import { MAX_IDLE_PAGES } from "../../src/billcom/keyset.ts"
import { timeOf, Watermark } from "../../src/billcom/lists.ts"
import type { ListOptions } from "../../src/billcom/lists.ts"
import type { SettingsInput } from "../../src/billcom/settings.ts"
import { Emulator, type EmulatorOptions } from "../../src/emulator/index.ts"
import { clientLayer, snapshotOf } from "./support.ts"

const withClient = (emulator: EmulatorOptions, settings: Partial<SettingsInput> = {}) =>
  Effect.provide(clientLayer(settings).pipe(Layer.provideMerge(Emulator.layer(emulator))))

const pullBills = (options: ListOptions = {}) =>
  Effect.flatMap(BillcomClient, (c) => Stream.runCollect(c.list("bills", options))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

const isAscending = (rows: ReadonlyArray<{ raw: unknown }>) =>
  rows.every((r, i) => i === 0 || timeOf(rows[i - 1]!.raw) <= timeOf(r.raw))

/** The emulator's bills by id, a logged-in client, and the emulator's counters reset. */
const loggedInWithBills = Effect.gen(function* () {
  const emulator = yield* Emulator
  const client = yield* BillcomClient
  const expected = yield* snapshotOf(emulator, "bills")
  yield* client.session()
  yield* emulator.resetCounters()
  return { emulator, client, expected }
})

const BIG = {
  seed: "client-10k",
  generate: { bills: 10_000, vendors: 300, customers: 5, items: 5, classifications: 2, banks: 2, cards: 1 }
}

describe("paging", () => {
  it.live(
    "10k bills: exact records, ascending updatedTime, partitioned across 3 in flight, calls within 5% of the minimum",
    () =>
      Effect.gen(function* () {
        const { emulator, expected } = yield* loggedInWithBills
        const rows = yield* pullBills()
        const ids = rows.map((r) => (r.raw as { id: string }).id)
        expect(ids.length).toBe(new Set(ids).size)
        expect(new Set(ids)).toEqual(new Set(expected.keys()))
        expect(isAscending(rows)).toBe(true)
        const counters = yield* emulator.counters()
        const minimum = Math.ceil(expected.size / 100)
        const calls = counters.byRoute["GET /v3/bills"] ?? 0
        console.log(`10k bills: ${calls} list calls (minimum ${minimum}), max in flight ${counters.maxInFlight}`)
        expect(calls).toBeLessThanOrEqual(Math.ceil(minimum * 1.05))
        expect(counters.maxInFlight).toBe(3)
      }).pipe(withClient({ ...BIG, faults: { latency: { minMs: 1, maxMs: 4 } } }))
  )

  it.live(
    "10k bills unordered (what the sync reads): every record once, watermarks bound what came before them, same calls",
    () =>
      Effect.gen(function* () {
        const { emulator, client, expected } = yield* loggedInWithBills
        const read = Chunk.toReadonlyArray(yield* Stream.runCollect(client.read("bills", { ordered: false })))
        const out = read.map((r) => (r instanceof Watermark ? r : r.raw))
        const records = out.filter((r) => !(r instanceof Watermark))
        const ids = records.map((r) => (r as { id: string }).id)
        expect(ids.length).toBe(new Set(ids).size)
        expect(new Set(ids)).toEqual(new Set(expected.keys()))
        // The last watermark is the read's start (the newest updatedTime then), never past it.
        expect(out.at(-1)).toEqual(new Watermark(Math.max(...records.map(timeOf))))
        // Nothing updated before a watermark comes after it (watermarks only rise).
        let mark = Number.NEGATIVE_INFINITY
        const late = out.findIndex((r) => {
          if (!(r instanceof Watermark)) return timeOf(r) < mark
          expect(r.time).toBeGreaterThan(mark)
          mark = r.time
          return false
        })
        expect(late).toBe(-1)
        expect(out.filter((r) => r instanceof Watermark).length).toBeGreaterThan(2)
        const calls = (yield* emulator.counters()).byRoute["GET /v3/bills"] ?? 0
        expect(calls).toBeLessThanOrEqual(Math.ceil((expected.size / 100) * 1.05))
      }).pipe(withClient({ ...BIG, faults: { latency: { minMs: 1, maxMs: 4 } } }))
  )

  it.live("without partitioning a list costs exactly ceil(n / 100) calls, always at max page size", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const client = yield* BillcomClient
      yield* client.session()
      yield* emulator.resetCounters()
      const rows = yield* pullBills({ partition: false })
      expect(isAscending(rows)).toBe(true)
      expect((yield* emulator.counters()).byRoute["GET /v3/bills"]).toBe(Math.ceil(rows.length / 100))
    }).pipe(withClient({ seed: "client-small", generate: { bills: 777, vendors: 40 } }))
  )

  it.live("lists of 101–200 records cost 2 calls with partitioning too (page 1 + the descending page)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const client = yield* BillcomClient
      yield* client.session()
      yield* emulator.resetCounters()
      const rows = yield* Stream.runCollect(client.list("vendors")).pipe(Effect.map(Chunk.toReadonlyArray))
      expect(rows.length).toBe(160)
      expect(new Set(rows.map((r) => (r.raw as { id: string }).id))).toEqual(
        new Set((yield* snapshotOf(emulator, "vendors")).keys())
      )
      expect(isAscending(rows)).toBe(true)
      expect((yield* emulator.counters()).byRoute["GET /v3/vendors"]).toBe(2)
    }).pipe(withClient({ seed: "client-160", generate: { bills: 50, vendors: 160 } }))
  )

  it.live(
    "updatedSince reads only what changed, with an explicit-UTC updatedTime:gte filter; archived records included",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator
        const bills = [...(yield* snapshotOf(emulator, "bills")).keys()]
        const first = yield* pullBills()
        const since = new Date(Math.max(...first.map((r) => timeOf(r.raw))) + 1)
        yield* emulator.advanceClock(60_000)
        yield* emulator.mutate({ op: "editBill", id: bills[3]!, description: "changed" })
        yield* emulator.mutate({ op: "archive", collection: "bills", id: bills[7]! })
        yield* emulator.mutate({ op: "setApproval", billId: bills[11]!, status: "APPROVED" })
        const changed = yield* pullBills({ updatedSince: since })
        expect(changed.map((r) => (r.raw as { id: string }).id).sort()).toEqual(
          [bills[3]!, bills[7]!, bills[11]!].sort()
        )
        expect(changed.some((r) => (r.raw as { archived: boolean }).archived)).toBe(true)
        const active = yield* pullBills({ updatedSince: since, archived: false })
        expect(active.length).toBe(2)
      }).pipe(withClient({ seed: "client-incr", generate: { bills: 300, vendors: 20 } }))
  )
})

/** A fake Bill.com that answers every list page with the same cursor (a server bug): the stream must stop, not loop. */
const loopingServer = Effect.acquireRelease(
  Effect.async<Server>((resume) => {
    const server = createServer((req, res) => {
      res.setHeader("content-type", "application/json")
      if (req.url?.startsWith("/connect/v3/login"))
        return res.end(JSON.stringify({ sessionId: "s", organizationId: "o", userId: "u", trusted: false }))
      res.end(JSON.stringify({ nextPage: "SAME", results: [{ id: "00902AAAAAAAAAAAAAAA", archived: false }] }))
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("paging safety", () => {
  it.live("a repeated cursor fails the stream with a Pagination error instead of looping", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* loopingServer
        const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
        const error = yield* Effect.gen(function* () {
          const client = yield* BillcomClient
          return yield* Effect.flip(Stream.runDrain(client.list("vendors", { partition: false })))
        }).pipe(
          Effect.provide(
            clientLayer({ v3BaseUrl: `${origin}/connect`, v2BaseUrl: `${origin}/api/v2`, organizationId: "o" }).pipe(
              Layer.provide(Emulator.layer({ seed: "unused" }))
            )
          )
        )
        expect(error.reason).toBe("Pagination")
      })
    )
  )

  it.live(
    "runaway paging (empty pages with a fresh cursor forever) stops after MAX_IDLE_PAGES pages with a Pagination error naming the endpoint",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator
        const client = yield* BillcomClient
        yield* client.session()
        yield* emulator.resetCounters()
        for (const options of [{}, { partition: false }, { ordered: false }] satisfies Array<ListOptions>) {
          const before = (yield* emulator.counters()).byRoute["GET /v3/bills"] ?? 0
          const error = yield* Effect.flip(Stream.runDrain(client.list("bills", options)))
          expect(error.reason).toBe("Pagination")
          expect(error.message).toContain("GET /v3/bills")
          expect(error.message).toContain("nothing new")
          const calls = ((yield* emulator.counters()).byRoute["GET /v3/bills"] ?? 0) - before
          expect(calls).toBeLessThanOrEqual(MAX_IDLE_PAGES + 1)
        }
      }).pipe(
        withClient({
          seed: "client-runaway",
          generate: { bills: 50, vendors: 5 },
          faults: { runawayPaging: "bills" },
          limits: { requestsPerHour: 1_000 }
        })
      )
  )
})
