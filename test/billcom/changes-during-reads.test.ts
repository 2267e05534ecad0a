import { NodeHttpClient } from "@effect/platform-node"
import fc from "fast-check"
import { Chunk, Effect, Layer, ManagedRuntime, Stream } from "effect"
import { afterAll, beforeAll, describe, it } from "vitest"
import { BillcomClient } from "../../src/billcom/client.ts"
import { timeOf, Watermark } from "../../src/billcom/lists.ts"
import { BillcomTransport } from "../../src/billcom/transport.ts"
import { startEmulator, type CursorMode, type RunningEmulator } from "../../src/emulator/index.ts"
import type { Bill } from "../../src/emulator/model.ts"
import { settingsFor } from "./support.ts"

/**
 * Data that changes during reads (issue 12): a property over random organisations (uniform,
 * bursty, many ties at one instant, bulk-created at one instant), random changes timed inside the
 * read (edits, archives, restores, creates, bulk edits at one instant; picked before, inside, after
 * or at the edges of the range the current request reads), both cursor modes, page sizes 1–100,
 * concurrency 1–3, ordered or not, partitioned or not — through the real client over HTTP against
 * the emulator. For every read:
 * - every record that existed when the read started is delivered, in a version no older than then;
 * - the list's cursor (newest delivered, bounded by the last watermark when unordered) never moves
 *   past a record not yet delivered;
 * - an incremental read from that cursor then delivers the latest version of every record.
 * The seed of a failing case is printed (fast-check's report, and the line before it).
 */
const DAY = 86_400_000
const KINDS = ["edit", "archive", "restore", "create", "bulk"] as const
const WHERE = ["before", "inside", "after", "lo", "hi", "any"] as const
const SHAPES = ["uniform", "bursty", "ties", "bulk"] as const

interface Change {
  readonly at: number
  readonly kind: (typeof KINDS)[number]
  readonly where: (typeof WHERE)[number]
  readonly pick: number
  readonly size: number
}

interface Case {
  readonly mode: CursorMode
  readonly pageSize: number
  readonly concurrency: number
  readonly ordered: boolean
  readonly partition: boolean
  readonly shape: (typeof SHAPES)[number]
  readonly n: number
  readonly shapeSeed: number
  readonly changes: ReadonlyArray<Change>
}

const arbCase: fc.Arbitrary<Case> = fc
  .record({
    mode: fc.constantFrom<CursorMode>("live", "snapshot"),
    pageSize: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 })),
    concurrency: fc.integer({ min: 1, max: 3 }),
    ordered: fc.boolean(),
    partition: fc.constantFrom(true, true, false),
    shape: fc.constantFrom(...SHAPES),
    fill: fc.double({ min: 0, max: 1, noNaN: true }),
    shapeSeed: fc.integer({ min: 1, max: 1_000_000 }),
    changes: fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: 24 }),
        kind: fc.constantFrom(...KINDS),
        where: fc.constantFrom(...WHERE),
        pick: fc.double({ min: 0, max: 0.999, noNaN: true }),
        size: fc.integer({ min: 2, max: 40 })
      }),
      { maxLength: 8 }
    )
  })
  // Enough records for a few pages (partitioned reads need more than two), few enough to stay quick.
  .map(({ fill, ...c }) => ({ ...c, n: 1 + Math.floor(fill * Math.min(200, 4 * c.pageSize + 20)) }))

/** Deterministic PRNG for the organisation's times. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** [createdTime, updatedTime] of n records in the shape. */
const timesOf = (shape: Case["shape"], n: number, seed: number, base: number): Array<[number, number]> => {
  const r = prng(seed)
  return Array.from({ length: n }, (_, i): [number, number] => {
    const created = base + Math.floor(r() * 50 * DAY)
    switch (shape) {
      case "uniform":
        return [created, created + Math.floor(r() * 40 * DAY)]
      case "bursty": {
        // A few bursts of records a few ms apart.
        const burst = Math.floor(r() * 4)
        return [created, base + 60 * DAY + burst * DAY + Math.floor(r() * 5)]
      }
      case "ties":
        // Most records at one of two instants (bulk edits), created at different times.
        return [created, r() < 0.8 ? base + 70 * DAY : i % 2 === 0 ? base + 71 * DAY : created + DAY]
      case "bulk":
        // A bulk import: created and last updated at one instant, plus a few edited later.
        return r() < 0.75
          ? [base + 55 * DAY, base + 55 * DAY]
          : [base + 55 * DAY, base + 56 * DAY + Math.floor(r() * DAY)]
    }
  })
}

describe("changes during reads (property, client over HTTP against the emulator)", () => {
  const emulators = new Map<CursorMode, RunningEmulator>()
  const runtimes = new Map<string, ManagedRuntime.ManagedRuntime<BillcomClient, unknown>>()
  let template: Bill

  beforeAll(async () => {
    for (const mode of ["live", "snapshot"] as const)
      emulators.set(
        mode,
        await startEmulator({
          seed: "changes-during-reads",
          cursorMode: mode,
          generate: { bills: 5, vendors: 3 },
          // Many reads in a row: the hourly budgets are not what this test is about.
          limits: { requestsPerHour: 10_000_000, loginsPerHour: 100_000 }
        })
      )
    template = structuredClone(emulators.get("live")!.core.state.org.bills[0]!)
  })
  afterAll(async () => {
    for (const rt of runtimes.values()) await rt.dispose()
    for (const e of emulators.values()) await e.stop()
  })

  const runtimeFor = (mode: CursorMode, pageSize: number, concurrency: number) => {
    const key = `${mode}/${pageSize}/${concurrency}`
    let rt = runtimes.get(key)
    if (rt === undefined) {
      const core = emulators.get(mode)!.core
      const api = {
        v3BaseUrl: `${core.origin}/connect`,
        v2BaseUrl: `${core.origin}/api/v2`,
        credentials: core.credentials
      }
      const settings = settingsFor(api as never, { pageSize, concurrency, requestsPerHour: 10_000_000 })
      rt = ManagedRuntime.make(
        BillcomClient.layer.pipe(
          Layer.provide(BillcomTransport.layer(settings)),
          Layer.provide(NodeHttpClient.layerUndici)
        )
      )
      runtimes.set(key, rt)
    }
    return rt
  }

  const check = async (c: Case): Promise<void> => {
    const core = emulators.get(c.mode)!.core
    const state = core.state
    const bills = state.org.bills
    const base = state.org.asOf - 200 * DAY
    let seq = 1_000_000
    let made = 0
    const bill = (created: number, updated: number): Bill => ({
      ...structuredClone(template),
      id: `00n02PROP${String(made++).padStart(11, "0")}`,
      seq: seq++,
      archived: false,
      createdTime: created,
      updatedTime: updated
    })
    bills.length = 0
    for (const [created, updated] of timesOf(c.shape, c.n, c.shapeSeed, base)) bills.push(bill(created, updated))
    const atStart = new Map(bills.map((b) => [b.id, b.updatedTime]))

    // Changes timed by the read's list requests, picked relative to the range the request reads.
    let request = 0
    core.beforeList = (collection, query) => {
      if (collection !== "bills") return
      const filters = query.get("filters") ?? ""
      const lo = /updatedTime:gte?:"([^"]+)"/.exec(filters)?.[1]
      const hi = /updatedTime:lte?:"([^"]+)"/.exec(filters)?.[1]
      const loT = lo === undefined ? Number.NEGATIVE_INFINITY : Date.parse(lo)
      const hiT = hi === undefined ? Number.POSITIVE_INFINITY : Date.parse(hi)
      for (const change of c.changes.filter((x) => x.at === request)) {
        const live = bills.filter((b) =>
          change.kind === "restore" ? b.archived : !b.archived || change.kind !== "archive"
        )
        const inClass = live.filter((b) => {
          const t = b.updatedTime
          switch (change.where) {
            case "before":
              return t < loT
            case "inside":
              return t >= loT && t <= hiT
            case "after":
              return t > hiT
            case "lo":
              return t === loT
            case "hi":
              return t === hiT
            case "any":
              return true
          }
        })
        const pool = inClass.length > 0 ? inClass : live
        const now = state.now()
        if (change.kind === "create") {
          bills.push(bill(now, now))
          continue
        }
        if (pool.length === 0) continue
        const first = Math.floor(change.pick * pool.length)
        const targets = change.kind === "bulk" ? pool.slice(first, first + change.size) : [pool[first]!]
        for (const b of targets) {
          if (change.kind === "archive") b.archived = true
          if (change.kind === "restore") b.archived = false
          b.description = `changed at request ${request}`
          b.updatedTime = now
        }
      }
      request++
    }

    const rt = runtimeFor(c.mode, c.pageSize, c.concurrency)
    const read = (since: number | undefined, ordered: boolean) =>
      rt
        .runPromise(
          Effect.flatMap(BillcomClient, (client) =>
            Stream.runCollect(
              client.read("bills", {
                ordered,
                partition: c.partition,
                ...(since === undefined ? {} : { updatedSince: new Date(since) })
              })
            ).pipe(
              Effect.map(Chunk.map((r) => (r instanceof Watermark ? r : r.raw))),
              // A read of ≤ 200 records takes well under a second: one that goes on is a loop.
              Effect.timeoutFail({
                duration: "20 seconds",
                onTimeout: () => new Error(`read did not end (${request} list requests)`)
              })
            )
          )
        )
        .then((chunk) => Chunk.toReadonlyArray(chunk))

    let out: ReadonlyArray<unknown>
    try {
      out = await read(undefined, c.ordered)
    } finally {
      core.beforeList = undefined
    }
    const final = new Map(bills.map((b) => [b.id, b.updatedTime]))

    // Walk the output as the sync does: cursor = newest delivered, bounded by the last watermark when unordered.
    const delivered = new Map<string, number>()
    let newest: number | undefined
    let mark: number | undefined
    const cursor = () => (newest === undefined ? undefined : mark === undefined ? newest : Math.min(newest, mark))
    for (const item of out) {
      if (item instanceof Watermark) mark = item.time
      else {
        const id = (item as { id: string }).id
        const t = timeOf(item)
        delivered.set(id, Math.max(delivered.get(id) ?? Number.NEGATIVE_INFINITY, t))
        if (newest === undefined || t > newest) newest = t
      }
      const at = cursor()
      if (at === undefined) continue
      for (const [id, t] of final) {
        if (!delivered.has(id) && t < at)
          throw new Error(
            `cursor ${new Date(at).toISOString()} moved past ${id} (updated ${new Date(t).toISOString()}), not yet delivered`
          )
      }
    }
    for (const [id, t] of atStart) {
      const got = delivered.get(id)
      if (got === undefined)
        throw new Error(
          `${id} (updated ${new Date(t).toISOString()}) existed when the read started and was never delivered (${out.length} delivered)`
        )
      if (got < t) throw new Error(`${id} delivered in a version older than at the read's start`)
    }
    // The next incremental read, from the cursor, delivers the latest of everything.
    const since = cursor()
    const next = await read(since, false)
    for (const item of next)
      if (!(item instanceof Watermark))
        delivered.set(
          (item as { id: string }).id,
          Math.max(delivered.get((item as { id: string }).id) ?? 0, timeOf(item))
        )
    for (const [id, t] of final) {
      if (delivered.get(id) !== t)
        throw new Error(
          `${id}: latest version (updated ${new Date(t).toISOString()}) not delivered by this read nor the next incremental one`
        )
    }
  }

  it("every record that existed is delivered, the cursor never passes an undelivered one, the next run has the latest", async () => {
    const seed = Number(process.env["PROPERTY_SEED"] ?? Date.now() % 2_147_483_647)
    const numRuns = Number(process.env["PROPERTY_RUNS"] ?? 120)
    try {
      await fc.assert(fc.asyncProperty(arbCase, check), { seed, numRuns, endOnFailure: true })
    } catch (error) {
      console.error(`changes-during-reads property failed: seed ${seed} (rerun with PROPERTY_SEED=${seed})`)
      throw error
    }
  }, 120_000)
})
