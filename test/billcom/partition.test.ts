import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Fiber, Stream, TestClock } from "effect"
import { BillcomError } from "../../src/billcom/errors.ts"
import { makeLists, timeOf } from "../../src/billcom/lists.ts"
import { MAX_HELD_PAGES, Watermark } from "../../src/billcom/partition.ts"
import { makeSettings } from "../../src/billcom/settings.ts"
import type { Call, Transport } from "../../src/billcom/transport.ts"

/**
 * The partitioned reader against an in-memory Bill.com list (filters, sort, cursors, max 100, a
 * fixed latency on the TestClock), so the scheduling is measured exactly: lane utilisation, calls
 * against the minimum, order, exactly-once, and what is held while the consumer does not pull.
 */
const LATENCY_MS = 100
const DAY = 86_400_000
const T0 = Date.parse("2022-01-01T00:00:00.000Z")

interface Row {
  readonly id: string
  readonly updatedTime: string
  readonly createdTime: string
}

/** Records updated at `times`, created one second apart (a bulk edit at one instant still has distinct createdTimes). */
const rowsFrom = (times: ReadonlyArray<number>): Array<Row> =>
  times
    .map((t, i) => ({ id: `00n${String(i).padStart(17, "0")}`, t, c: T0 - 400 * DAY + i * 1000 }))
    .sort((a, b) => a.t - b.t || a.c - b.c)
    .map((r) => ({ id: r.id, updatedTime: new Date(r.t).toISOString(), createdTime: new Date(r.c).toISOString() }))

/** Deterministic pseudo-random in [0, 1). */
const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed / 2147483648
}

const DISTRIBUTIONS: Record<string, (n: number) => Array<number>> = {
  uniform: (n) => Array.from({ length: n }, (_, i) => T0 + Math.floor((i * 1000 * DAY) / n)),
  // Dense in the middle, sparse at both ends: the two end pages underestimate the middle 4×.
  bell: (n) => {
    const r = rng(7)
    return Array.from({ length: n }, () => T0 + Math.floor(((r() + r() + r()) / 3) * 1500 * DAY))
  },
  // Almost everything in the last 2 % of the range (a recent migration).
  recent: (n) => {
    const r = rng(11)
    return Array.from({ length: n }, (_, i) => T0 + Math.floor((i % 50 === 0 ? r() : 0.98 + 0.02 * r()) * 900 * DAY))
  },
  // Blocks of 250 records sharing one updatedTime (bulk edits): ties across pages and window cuts.
  ties: (n) => Array.from({ length: n }, (_, i) => T0 + Math.floor(i / 250) * 3_600_000)
}

/** A fake Bill.com list endpoint: enforces ≤ concurrency in flight, records calls and in-flight time. */
const fakeList = (rows: ReadonlyArray<Row>, concurrency: number) => {
  const times = rows.map((r) => Date.parse(r.updatedTime))
  const created = rows.map((r) => Date.parse(r.createdTime))
  const stats = {
    calls: 0,
    served: 0,
    inFlight: 0,
    maxInFlight: 0,
    firstMs: Infinity,
    lastMs: 0,
    lastChange: 0,
    weighted: 0
  }
  const account = (now: number, delta: number) => {
    stats.weighted += stats.inFlight * (now - stats.lastChange)
    stats.lastChange = now
    stats.inFlight += delta
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
  }
  const execute = (call: Call): Effect.Effect<unknown, BillcomError> =>
    Effect.gen(function* () {
      const q = call.query ?? {}
      const filters = [...(q["filters"] ?? "").matchAll(/(updatedTime|createdTime):(gte|gt|lt|lte):"([^"]+)"/g)].map(
        (m) => ({ field: m[1]!, op: m[2]!, t: Date.parse(m[3]!) })
      )
      const ids = /id:in:"([^"]*)"/.exec(q["filters"] ?? "")?.[1]?.split(",")
      const selected = rows.filter((row, i) => {
        if (ids !== undefined && !ids.includes(row.id)) return false
        return filters.every((f) => {
          const t = f.field === "updatedTime" ? times[i]! : created[i]!
          return f.op === "gte" ? t >= f.t : f.op === "gt" ? t > f.t : f.op === "lt" ? t < f.t : t <= f.t
        })
      })
      const sorted = q["sort"]?.includes("desc") ? [...selected].reverse() : selected
      const key = `${q["sort"]}|${q["filters"] ?? ""}`
      const offset = q["page"] === undefined ? 0 : Number(q["page"].split("@")[1])
      const max = Number(q["max"])
      const now = yield* Clock.currentTimeMillis
      stats.calls++
      stats.firstMs = Math.min(stats.firstMs, now)
      account(now, +1)
      if (stats.inFlight > concurrency)
        return yield* new BillcomError({ reason: "RateLimited", code: "BDC_1322", message: "too many in flight" })
      yield* Effect.sleep(LATENCY_MS)
      const end = yield* Clock.currentTimeMillis
      account(end, -1)
      stats.lastMs = end
      const results = sorted.slice(offset, offset + max)
      stats.served += results.length
      return offset + max < sorted.length ? { results, nextPage: `${key}@${offset + max}` } : { results }
    })
  return { execute, stats }
}

const transportFor = (execute: Transport["execute"], concurrency = 3) =>
  ({
    settings: makeSettings({
      v3BaseUrl: "http://fake/connect",
      v2BaseUrl: "http://fake/api/v2",
      organizationId: "00802AAAAAAAAAAAAAAA",
      credentials: { devKey: "k", username: "u", password: "p" },
      concurrency
    }),
    execute
  }) as unknown as Transport

const idOf = (raw: unknown) => (raw as Row).id

describe("partitioned list reads (fake list, TestClock latency)", () => {
  for (const [name, make] of Object.entries(DISTRIBUTIONS)) {
    for (const n of [1_000, 10_000, 30_000]) {
      it.effect(
        `${name}, ${n} records: exactly once, ascending, ≤ 5% over the minimum calls, 3 lanes busy (≥ 0.85 of ideal)`,
        () =>
          Effect.gen(function* () {
            const rows = rowsFrom(make(n))
            const fake = fakeList(rows, 3)
            const fiber = yield* Effect.fork(Stream.runCollect(makeLists(transportFor(fake.execute)).list("/v3/bills")))
            yield* TestClock.adjust("10 hours")
            const out = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
            const unordered = out.findIndex((r, i) => i > 0 && timeOf(out[i - 1]) > timeOf(r))
            expect(unordered, `out of order at ${unordered}`).toBe(-1)
            expect(out.length).toBe(rows.length)
            expect(new Set(out.map(idOf))).toEqual(new Set(rows.map((r) => r.id)))
            const minimum = Math.ceil(n / 100)
            // Each window costs at most one partial page: small lists may spend a few calls to be read 3 at a time.
            // Keyset pages (keyset.ts) cost one more partial page per instant holding more than a page
            // of records (read by createdTime, then past the instant): 40 % for blocks of 250 at one instant.
            const slack = name === "ties" ? 1.6 : 1.05
            expect(fake.stats.calls).toBeLessThanOrEqual(
              Math.max(Math.ceil(minimum * slack), minimum + (name === "ties" ? 10 : 3))
            )
            if (n >= 10_000) expect(fake.stats.maxInFlight).toBe(3)
            // Lane utilisation: page 1 and the descending probe are serial, then ideally 3 pages per latency.
            const ideal = 2 + (minimum - 2) / 3
            const elapsed = (fake.stats.lastMs - fake.stats.firstMs) / LATENCY_MS
            // Ties: an instant of 250 is read page after page (each page's query starts where the last ended).
            if (n >= 10_000)
              expect(ideal / elapsed, `${elapsed} latencies for an ideal ${ideal.toFixed(1)}`).toBeGreaterThanOrEqual(
                name === "ties" ? 0.6 : 0.85
              )
          })
      )
    }
  }

  it.effect("a consumer that stops pulling holds at most MAX_HELD_PAGES pages (plus what is in flight)", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const rows = rowsFrom(DISTRIBUTIONS["uniform"]!(30_000))
        const fake = fakeList(rows, 3)
        const pull = yield* Stream.toPull(makeLists(transportFor(fake.execute)).list("/v3/bills"))
        const fiber = yield* Effect.fork(pull)
        yield* TestClock.adjust("1 second")
        const first = yield* Fiber.join(fiber)
        yield* TestClock.adjust("10 hours")
        // Fetched but not taken: bounded, nowhere near the 30 000 records of the list.
        const held = fake.stats.served - first.length
        expect(held).toBeLessThanOrEqual((MAX_HELD_PAGES + 3) * 100)
        expect(fake.stats.served).toBeLessThan(rows.length / 2)
      })
    )
  )

  for (const [name, make] of Object.entries(DISTRIBUTIONS)) {
    it.effect(
      `${name}, 10000 records, unordered: exactly once, every watermark bounds what came before it, the last is the read's start`,
      () =>
        Effect.gen(function* () {
          const rows = rowsFrom(make(10_000))
          const fake = fakeList(rows, 3)
          const fiber = yield* Effect.fork(
            Stream.runCollect(makeLists(transportFor(fake.execute)).list("/v3/bills", { ordered: false }))
          )
          yield* TestClock.adjust("10 hours")
          const out = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
          const records = out.filter((r) => !(r instanceof Watermark))
          const marks = out.flatMap((r, i) => (r instanceof Watermark ? [{ i, time: r.time }] : []))
          expect(records.length).toBe(rows.length)
          expect(new Set(records.map(idOf))).toEqual(new Set(rows.map((r) => r.id)))
          expect(marks.length).toBeGreaterThan(2)
          // The last watermark: the newest updatedTime when the read began (never past it: what changes during a read is the next run's to confirm).
          expect(marks.at(-1)?.time).toBe(Math.max(...rows.map((r) => Date.parse(r.updatedTime))))
          expect(marks.every((m, k) => k === 0 || m.time > marks[k - 1]!.time)).toBe(true)
          // Nothing updated before a watermark comes after it.
          for (const m of marks) {
            const late = out.slice(m.i + 1).findIndex((r) => !(r instanceof Watermark) && timeOf(r) < m.time)
            expect(late, `record before watermark ${m.time} at ${m.i + 1 + late}`).toBe(-1)
          }
          expect(fake.stats.calls).toBeLessThanOrEqual(Math.ceil(100 * (name === "ties" ? 1.6 : 1.05)))
        })
    )
  }

  it.effect("a consumer as fast as the lanes keeps them busy when unordered; ordered it waits on the head window", () =>
    Effect.gen(function* () {
      const rows = rowsFrom(DISTRIBUTIONS["uniform"]!(10_000))
      // 500 records per 5/3 latencies: what 3 lanes of 100-record pages deliver.
      const consume = (ordered: boolean) =>
        Effect.gen(function* () {
          const fake = fakeList(rows, 3)
          const start = yield* Clock.currentTimeMillis
          const fiber = yield* Effect.fork(
            makeLists(transportFor(fake.execute))
              .list("/v3/bills", { ordered })
              .pipe(
                Stream.grouped(500),
                Stream.buffer({ capacity: 1 }),
                Stream.runForEach(() => Effect.sleep((5 * LATENCY_MS) / 3)),
                Effect.zipRight(Clock.currentTimeMillis)
              )
          )
          yield* TestClock.adjust("10 hours")
          const end = yield* Fiber.join(fiber)
          return { consumed: end - start, fetched: fake.stats.lastMs - fake.stats.firstMs }
        })
      const unordered = yield* consume(false)
      const ordered = yield* consume(true)
      // Ideal: the pages' time plus one batch of consumption at the end.
      const ideal = unordered.fetched + (5 * LATENCY_MS) / 3
      console.log(
        `consumer at the lanes' pace, 10k records: unordered ${unordered.consumed} ms, ordered ${ordered.consumed} ms (pages alone ${unordered.fetched} ms)`
      )
      expect(
        unordered.consumed / ideal,
        `unordered ${unordered.consumed} ms for an ideal ${ideal} ms`
      ).toBeLessThanOrEqual(1.15)
      expect(ordered.consumed, `ordered ${ordered.consumed} ms vs unordered ${unordered.consumed} ms`).toBeGreaterThan(
        unordered.consumed * 1.2
      )
    })
  )

  it.effect("a failed page fails the stream with Bill.com's error", () =>
    Effect.gen(function* () {
      const rows = rowsFrom(DISTRIBUTIONS["uniform"]!(5_000))
      const fake = fakeList(rows, 3)
      const failing = (call: Call) =>
        fake.stats.calls === 12
          ? Effect.fail(new BillcomError({ reason: "Server", message: "HTTP 500 after retries" }))
          : fake.execute(call)
      const fiber = yield* Effect.fork(Effect.flip(Stream.runDrain(makeLists(transportFor(failing)).list("/v3/bills"))))
      yield* TestClock.adjust("10 hours")
      const error = yield* Fiber.join(fiber)
      expect(error.reason).toBe("Server")
    })
  )
})
