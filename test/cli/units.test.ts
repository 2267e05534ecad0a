import { it } from "@effect/vitest"
import { Cause, Effect, Either, Fiber, HashMap, Logger, LogLevel, Redacted, Schema, TestClock } from "effect"
import { describe, expect } from "vitest"
import { formatIssues } from "../../src/billcom/pulled.ts"
import { makeSecretRegistry } from "../../src/billcom/secrets.ts"
import { formatLogLine } from "../../src/cli/log.ts"
import {
  estimateRemainingMs,
  formatDuration,
  LINE_INTERVAL,
  makeProgress,
  progressLine,
  type Snapshot
} from "../../src/cli/progress.ts"
import { closest } from "../../src/cli/suggest.ts"
import { describeInvariants } from "../../src/ledger/invariants.ts"
import { refuseEmbeddedInCi } from "../../src/store/database.ts"
import { emptyCounts } from "../../src/store/runs.ts"
import { emptyReadProgress } from "../../src/sync/handler.ts"
import type { ProgressEvent } from "../../src/sync/runner.ts"

const issuesOf = <A, I>(schema: Schema.Schema<A, I>, raw: unknown) => {
  const r = Schema.decodeUnknownEither(schema, { errors: "all" })(raw)
  if (Either.isRight(r)) throw new Error("expected a decoding failure")
  return formatIssues(r.left)
}

describe("one-line decoding problems", () => {
  const Bill = Schema.Struct({
    id: Schema.String.pipe(Schema.minLength(1)),
    amount: Schema.optional(Schema.NullOr(Schema.Number)),
    lines: Schema.Array(Schema.Struct({ qty: Schema.Number, kind: Schema.Literal("a", "b") }))
  })

  it("names the field path, the value and the problem; never the schema's type", () => {
    expect(issuesOf(Bill, { id: "x", amount: "n/a", lines: [] })).toBe('amount = "n/a": expected number or null')
    expect(issuesOf(Bill, { id: "", lines: [{ qty: "2", kind: "c" }] })).toBe(
      'id = "": expected a string at least 1 character(s) long; lines[0].qty = "2": expected number; lines[0].kind = "c": expected "a" or "b"'
    )
    expect(issuesOf(Bill, { id: "x" })).toBe("lines: missing")
    expect(issuesOf(Bill, "str")).toBe('(record) = "str": expected an object')
  })

  it("stays short however many fields are wrong", () => {
    const Wide = Schema.Struct(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, Schema.Number])))
    const line = issuesOf(Wide, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, "text value"])))
    expect(line.length).toBeLessThan(450)
    expect(line).toMatch(/… and \d+ more$/)
    expect(line).not.toContain("\n")
  })
})

describe("did you mean", () => {
  it("finds near misses, including swapped letters, and nothing for unrelated words", () => {
    expect(closest("snyc", ["validate", "sync", "status"])).toBe("sync")
    expect(closest("agin", ["aging", "trial-balance", "runs"])).toBe("aging")
    expect(closest("bils", ["bills", "items"])).toBe("bills")
    expect(closest("xyz", ["sync", "status"])).toBeUndefined()
  })
})

describe("log lines", () => {
  const event = (message: unknown, annotations: Record<string, unknown> = {}) => ({
    date: new Date(Date.UTC(2026, 11, 2, 17, 11, 12, 958)),
    logLevel: LogLevel.Info,
    message,
    annotations: HashMap.fromIterable(Object.entries(annotations)),
    cause: Cause.empty
  })

  it("text: UTC ISO timestamp with the date, the level, the message, annotations as key=value on one line", () => {
    expect(
      formatLogLine("text", event(["database migrated"], { stage: "bills", pipeline: "demo co" }), makeSecretRegistry())
    ).toBe('2026-12-02T17:11:12.958Z INFO  database migrated stage=bills pipeline="demo co"')
  })

  it("json: one object a line", () => {
    expect(JSON.parse(formatLogLine("json", event("connected", { stage: "bills" }), makeSecretRegistry()))).toEqual({
      time: "2026-12-02T17:11:12.958Z",
      level: "INFO",
      message: "connected",
      stage: "bills"
    })
  })
})

describe("progress", () => {
  const snapshot = (over: Partial<Snapshot>): Snapshot => ({
    kind: "full",
    stage: "bills",
    elapsedMs: 40_000,
    pulled: 12_345,
    written: 4_567,
    errors: 3,
    reevaluated: 0,
    requests: 127,
    budget: { used: 127, perHour: 20_000 },
    read: { sinceMs: undefined, firstMs: 0, newestMs: 0 },
    startedAtMs: 100_000,
    ...over
  })

  it("a line has records, rate, requests with the hourly budget, and an approximate ETA", () => {
    // Half-way through the updatedTime range after 40 s: about 40 s left.
    const line = progressLine(snapshot({ read: { sinceMs: undefined, firstMs: 0, newestMs: 50_000 } }))
    expect(line).toBe(
      "[full] bills: 12,345 pulled, 4,567 written, 3 errors · 309/s · 127 requests (0.6% of 20,000/h) · 40s · ETA ~40s"
    )
  })

  it("no ETA until it means something; none while stored records are re-evaluated", () => {
    expect(
      estimateRemainingMs(snapshot({ elapsedMs: 1000, read: { sinceMs: 0, firstMs: 0, newestMs: 50_000 } }))
    ).toBeUndefined()
    expect(estimateRemainingMs(snapshot({ read: emptyReadProgress() }))).toBeUndefined()
    expect(progressLine(snapshot({ read: emptyReadProgress() }))).toContain("ETA —")
    expect(progressLine(snapshot({ reevaluated: 10 }))).toContain("re-evaluating stored records")
    expect(formatDuration(3_725_000)).toBe("1h 02m")
  })

  it.scoped("without a terminal: a log line about every 10 s while a stage runs, and one when it ends", () =>
    Effect.gen(function* () {
      const logged: Array<string> = []
      const logger = Logger.make(({ message }) => logged.push(String(Array.isArray(message) ? message[0] : message)))
      const progress = yield* makeProgress("lines")
      const counts = emptyCounts()
      const read = emptyReadProgress()
      const base = {
        kind: "full",
        stage: "bills",
        counts,
        read,
        requests: Effect.succeed(0),
        hourlyBudget: Effect.succeed({ used: 0, perHour: 20_000 })
      } as const
      const run = Effect.gen(function* () {
        yield* progress.onProgress({ ...base, phase: "start" } as ProgressEvent)
        counts.pulled = 500
        yield* TestClock.adjust(LINE_INTERVAL)
        counts.pulled = 1000
        yield* TestClock.adjust(LINE_INTERVAL)
        yield* TestClock.adjust("5 seconds")
        yield* progress.onProgress({ ...base, phase: "end", status: "succeeded" } as ProgressEvent)
        yield* TestClock.adjust(LINE_INTERVAL)
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      const fiber = yield* Effect.fork(run)
      yield* Fiber.join(fiber)
      expect(logged).toHaveLength(3)
      expect(logged[0]).toMatch(
        /^\[full\] bills: 500 pulled, 0 written, 0 errors · 50\/s · 0 requests \(0\.0% of 20,000\/h\) · 10s/
      )
      expect(logged[1]).toMatch(/^\[full\] bills: 1,000 pulled/)
      expect(logged[2]).toBe(
        "[full] bills: succeeded — 1,000 pulled, 0 written, 0 errors · 0 requests (0.0% of 20,000/h) · 25s"
      )
    })
  )

  it.scoped("on a terminal: one line redrawn in place (no escape codes), ended with a newline", () =>
    Effect.gen(function* () {
      const written: Array<string> = []
      const progress = yield* makeProgress(
        "terminal",
        (t) => written.push(t),
        () => 60
      )
      const base = {
        kind: "seed",
        stage: "vendors",
        counts: emptyCounts(),
        read: emptyReadProgress(),
        requests: Effect.succeed(0),
        hourlyBudget: Effect.succeed(undefined)
      } as const
      yield* progress.onProgress({ ...base, phase: "start" } as ProgressEvent)
      yield* TestClock.adjust("1 second")
      yield* progress.onProgress({ ...base, phase: "end", status: "succeeded" } as ProgressEvent)
      expect(written.length).toBeGreaterThan(2)
      expect(written.every((t) => t.startsWith("\r[seed] vendors: "))).toBe(true)
      // No escape sequence, even on a terminal (NO_COLOR): a carriage return and spaces redraw the line.
      expect(written.join("")).not.toContain("\x1b")
      // Cut to the terminal's width while it runs (a wrapped line could not be redrawn); whole at the end.
      expect(written.slice(0, -1).every((t) => t.length <= 60)).toBe(true)
      expect(written.at(-1)!.length).toBeGreaterThan(60)
      expect(written.at(-1)).toMatch(/succeeded — 0 pulled.*\n$/)
      expect(written.slice(0, -1).every((t) => !t.endsWith("\n"))).toBe(true)
    })
  )
})

describe("deployment rules", () => {
  const embedded = { _tag: "Embedded", dataDir: ".billsync/db" } as const
  const server = { _tag: "Url", url: Redacted.make("postgres://x@h/db") } as const

  it.effect("in CI the embedded database is refused unless --ephemeral; a server never is", () =>
    Effect.gen(function* () {
      for (const [env, named] of [
        [{ CI: "true" }, "CI=true"],
        [{ CI: "1" }, "CI=1"],
        [{ CI: "TRUE" }, "CI=TRUE"],
        [{ GITHUB_ACTIONS: "true" }, "GITHUB_ACTIONS=true"]
      ] as const) {
        const refused = yield* Effect.either(refuseEmbeddedInCi(embedded, false, env))
        expect(Either.isLeft(refused) && refused.left.reason).toBe("ci-embedded")
        expect(Either.isLeft(refused) && refused.left.message).toContain(`in CI (${named})`)
        expect(Either.isRight(yield* Effect.either(refuseEmbeddedInCi(embedded, true, env)))).toBe(true)
        expect(Either.isRight(yield* Effect.either(refuseEmbeddedInCi(server, false, env)))).toBe(true)
      }
      expect(Either.isRight(yield* Effect.either(refuseEmbeddedInCi(embedded, false, { CI: "false" })))).toBe(true)
      expect(Either.isRight(yield* Effect.either(refuseEmbeddedInCi(embedded, false, { CI: "0" })))).toBe(true)
      expect(Either.isRight(yield* Effect.either(refuseEmbeddedInCi(embedded, false, {})))).toBe(true)
    })
  )

  it("an empty journal is 'no entries to check', never 'all hold'", () => {
    expect(describeInvariants({ entriesChecked: 0, violations: [] })).toBe("no entries to check")
    expect(describeInvariants({ entriesChecked: 1, violations: [] })).toBe("all hold (1 journal entry checked)")
    expect(describeInvariants({ entriesChecked: 9, violations: [{ check: "balanced", message: "x" }] })).toBe(
      "1 violated"
    )
  })
})
