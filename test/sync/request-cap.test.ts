import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { describe, expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { FIRST_RUN_REQUEST_CAP, requestCapFor, runSync } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

const plain = { fullRefresh: false, dryRun: false, wait: false } as const

describe("a run's request cap (sync.maxRequestsPerRun)", () => {
  it("defaults to 3× the last full run's requests (at least 1000), else the first run's cap", () => {
    expect(requestCapFor(500, 40_000).limit).toBe(500)
    expect(requestCapFor(undefined, 2_000)).toMatchObject({ limit: 6_000 })
    expect(requestCapFor(undefined, 2_000).why).toContain("3× the last full run's 2000 requests")
    expect(requestCapFor(undefined, 40).limit).toBe(1_000)
    expect(requestCapFor(undefined, undefined).limit).toBe(FIRST_RUN_REQUEST_CAP)
  })
})

it.layer(StoreTest, { timeout: "300 seconds" })("a run's request cap over HTTP", (it) => {
  it.effect(
    "a run that reaches its cap stops with an error naming the setting, having sent no request past it; the next run completes",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator
        const base = settingsFor("capped", yield* emu.snapshot())
        const cap = 20
        // The seed stages fit in 20 requests; the full run (bills, credits, payments, documents) does not.
        const capped = yield* runSync({ ...base, maxRequestsPerRun: cap }, plain)
        const full = capped.runs.find((r) => r.kind === "full")!
        expect(full.status).toBe("failed")
        expect(full.error).toContain("request cap")
        expect(full.error).toContain(`sync.maxRequestsPerRun is ${cap}`)
        expect(full.apiCalls).toBeLessThanOrEqual(cap)
        // Without the setting the default cap (no full run completed yet: 10,000) lets the next run finish.
        const next = yield* runSync(base, plain)
        expect(next.runs.map((r) => r.status)).not.toContain("failed")
        const sql = yield* SqlClient.SqlClient
        const [bills] = yield* sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM bills b JOIN companies c ON c.id = b.company_id WHERE c.key = 'capped-co'`
        expect(bills!.n).toBeGreaterThan(100)
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
