import { SqlClient } from "@effect/sql"
import { expect, layer } from "@effect/vitest"
import { Effect, Either, Layer, TestServices } from "effect"
import { CoaApplier } from "../../src/coa/applier.ts"
import type { CoaError } from "../../src/coa/errors.ts"
import type { CoaPolicy, LedgerAccount } from "../../src/coa/model.ts"
import { computePlan } from "../../src/coa/planning.ts"
import { ChartWriter } from "../../src/coa/ports.ts"
import { Emulator } from "../../src/emulator/index.ts"
import { TestDatabase } from "../support/database.ts"
import { coaStack, demoLedger, mutatingCalls, readChart } from "./support.ts"

const pipeline = {
  name: "demo",
  file: "pipelines/demo.yaml",
  company: "demo-co",
  organizationId: "00802DEMO00000000001",
  environment: "emulator"
}
const ledgerTruth: CoaPolicy = { sourceOfTruth: "ledger", allowArchive: true, createParents: true }
const approve = { approve: () => Effect.succeed(true) }
/** Real time: the client's retry backoff sleeps, which the TestClock would never let finish. */
const live = TestServices.provideLive

/**
 * The demo chart, diverged: a rename, a retired account restored, two new accounts under a new
 * parent, a new child of an existing account, a type change (so no number+type match: a create
 * plus a possible duplicate), an account retired in the ledger and one deleted from it.
 */
const divergedLedger = (): Array<LedgerAccount> => {
  const ledger = demoLedger()
    .filter((a) => a.number !== "9000")
    .map((a): LedgerAccount => {
      switch (a.number) {
        case "6020":
          return { ...a, name: "Software & SaaS" }
        case "6990":
          return { ...a, active: true }
        case "8000":
          return { ...a, active: false }
        case "1900":
          return { ...a, type: "fixed-asset" }
        default:
          return a
      }
    })
  ledger.push(
    { number: "6511", name: "Offsites", type: "expense", parent: "6510", active: true },
    { number: "6510", name: "Team Events", type: "expense", parent: "6500", active: true },
    { number: "6500", name: "People", type: "expense", active: true, description: "People costs" },
    { number: "6021", name: "Cloud Hosting", type: "expense", parent: "6020", active: true }
  )
  return ledger
}

const plan = (ledger: ReadonlyArray<LedgerAccount>, policy: CoaPolicy = ledgerTruth) =>
  computePlan({ pipeline, policy, ledger, root: process.cwd(), mappingsDir: "mappings/demo" })

const steps = (p: {
  readonly actions: ReadonlyArray<{ readonly _tag: string; readonly account?: string | undefined }>
}) => p.actions.map((a) => `${a._tag} ${a.account ?? "-"}`)

const EXPECTED = [
  "restore 6990",
  "create 1900",
  "create 6500",
  "create 6510",
  "create 6021",
  "create 6511",
  "update 6020",
  "archive -", // 1900 OTHER_ASSET: its ledger account is now a fixed asset
  "archive 8000",
  "archive -" // 9000: gone from the ledger
]

const countsByNumberAndType = (rows: ReadonlyArray<{ readonly number?: string; readonly type: string }>) => {
  const counts = new Map<string, number>()
  for (const r of rows) counts.set(`${r.number}/${r.type}`, (counts.get(`${r.number}/${r.type}`) ?? 0) + 1)
  return [...counts].filter(([, n]) => n > 1)
}

layer(TestDatabase, { timeout: 120_000 })("COA plan and apply against the emulator", (it) => {
  it.effect("a plan on a diverged chart lists exactly the expected actions, parents first", () =>
    Effect.gen(function* () {
      const p = yield* plan(divergedLedger())
      expect(steps(p)).toEqual(EXPECTED)
      expect(p.problems).toEqual([])
      const archived = p.actions.filter((a) => a._tag === "archive").map((a) => a._tag === "archive" && a.before.number)
      expect(archived).toEqual(["1900", "8000", "9000"])
      // 1900 changes type: no number-and-type match, and its name already exists — the reference's duplicate.
      expect(p.summary.possibleDuplicates).toBe(1)
      const create1900 = p.actions.find((a) => a._tag === "create" && a.account === "1900")
      expect(create1900?._tag === "create" && create1900.similar.map((r) => [r.number, r.type])).toEqual([
        ["1900", "OTHER_ASSET"]
      ])
      expect(p.billcom.accounts).toBe(49)
      // Reading is free of side effects.
      expect(yield* mutatingCalls).toEqual({})
    }).pipe(Effect.provide(coaStack()), live)
  )

  it.effect("apply makes Bill.com match the ledger, records every action, and a second plan is empty", () =>
    Effect.gen(function* () {
      const ledger = divergedLedger()
      const first = yield* plan(ledger)
      const result = yield* (yield* CoaApplier).apply(first, approve)
      expect(result).toEqual({
        planId: first.planId,
        total: EXPECTED.length,
        alreadyApplied: 0,
        applied: EXPECTED.length
      })

      const second = yield* plan(ledger)
      expect(steps(second)).toEqual([])
      const chart = yield* readChart
      const byNumber = (n: string) => chart.filter((r) => r.number === n && !r.archived)
      expect(byNumber("6511")[0]?.parentId).toBe(byNumber("6510")[0]?.id)
      expect(byNumber("6510")[0]?.parentId).toBe(byNumber("6500")[0]?.id)
      expect(byNumber("6500")[0]?.description).toBe("People costs")

      const sql = yield* SqlClient.SqlClient
      const rows = yield* sql<{ readonly status: string; readonly n: string }>`
        SELECT status, count(*)::text AS n FROM coa_plan_actions WHERE plan_id = ${first.planId} GROUP BY status`
      expect(rows.map((r) => [r.status, r.n])).toEqual([["succeeded", String(EXPECTED.length)]])
      const created = yield* sql<{ readonly billcomId: string }>`
        SELECT billcom_id AS "billcomId" FROM coa_plan_actions WHERE plan_id = ${first.planId} AND kind = 'create' ORDER BY action_index`
      expect(created.map((r) => r.billcomId)).toEqual(
        ["1900", "6500", "6510", "6021", "6511"].map(
          (n) => chart.find((r) => r.number === n && r.type !== "OTHER_ASSET")!.id
        )
      )

      // Re-applying the same plan is a no-op that says so, and reads nothing from Bill.com.
      const em = yield* Emulator
      yield* em.resetCounters()
      const again = yield* (yield* CoaApplier).apply(first, approve)
      expect(again.applied).toBe(0)
      expect(again.alreadyApplied).toBe(EXPECTED.length)
      expect(again.appliedBefore).toMatch(/^\d{4}-\d{2}-\d{2}T/)
      expect((yield* em.counters()).byRoute).toEqual({})
    }).pipe(Effect.provide(coaStack()), live)
  )

  it.effect("a plan made stale by a change in Bill.com is refused, and nothing is written", () =>
    Effect.gen(function* () {
      const p = yield* plan(divergedLedger().map((a) => (a.number === "4020" ? { ...a, name: "Services" } : a)))
      const em = yield* Emulator
      const rent = (yield* readChart).find((r) => r.number === "6030")!
      yield* em.mutate({ op: "archive", collection: "chart-of-accounts", id: rent.id })
      yield* em.resetCounters()
      const result = yield* Effect.either((yield* CoaApplier).apply(p, approve))
      expect(Either.isLeft(result) && (result.left as CoaError).reason).toBe("stale")
      expect(Either.isLeft(result) && result.left.message).toContain(`changed: 6030 Rent [${rent.id}]`)
      expect(Either.isLeft(result) && result.left.message).toContain("billsync plan coa demo")
      expect(yield* mutatingCalls).toEqual({})
      const sql = yield* SqlClient.SqlClient
      const runs = yield* sql<{
        readonly outcome: string
      }>`SELECT outcome FROM coa_apply_runs WHERE plan_id = ${p.planId}`
      expect(runs.map((r) => r.outcome)).toEqual(["stale"])
    }).pipe(Effect.provide(coaStack()), live)
  )

  it.effect("a partial apply (5xx from Bill.com after K writes) resumes without duplicates", () => {
    const K = 3
    // Lets K writes through, then turns on the emulator's 5xx fault for every later request.
    const faultAfterK = Layer.effect(
      ChartWriter,
      Effect.gen(function* () {
        const real = yield* ChartWriter
        const em = yield* Emulator
        let writes = 0
        const gate = <A, E>(write: Effect.Effect<A, E>) =>
          Effect.suspend(() => (writes++ === K ? em.setFaults({ serverErrorRate: 1 }) : Effect.void)).pipe(
            Effect.zipRight(write)
          )
        return {
          create: (row) => gate(real.create(row)),
          update: (id, patch) => gate(real.update(id, patch)),
          archive: (id) => gate(real.archive(id)),
          restore: (id) => gate(real.restore(id))
        }
      })
    )
    return Effect.gen(function* () {
      const ledger = divergedLedger().map((a) => (a.number === "4010" ? { ...a, name: "Products" } : a))
      const p = yield* plan(ledger)
      const applier = yield* CoaApplier
      const first = yield* Effect.either(applier.apply(p, approve))
      expect(Either.isLeft(first) && (first.left as CoaError).reason).toBe("apply")
      expect(Either.isLeft(first) && first.left.message).toContain(`${K} of ${p.actions.length} actions are applied`)

      const em = yield* Emulator
      yield* em.setFaults({})
      const resumed = yield* applier.apply(p, approve)
      expect(resumed.alreadyApplied).toBe(K)
      expect(resumed.applied).toBe(p.actions.length - K)

      const chart = yield* readChart
      expect(countsByNumberAndType(chart)).toEqual([])
      expect(chart.length).toBe(p.billcom.accounts + p.summary.create)
      // The faulted create was answered 503 and never re-sent automatically (creates are not idempotent).
      const counters = yield* em.counters()
      expect(counters.faults["serverError"]).toBeGreaterThanOrEqual(1)
      expect(steps(yield* plan(ledger))).toEqual([])

      const sql = yield* SqlClient.SqlClient
      const actions = yield* sql<{ readonly status: string; readonly attempts: number }>`
        SELECT status, attempts FROM coa_plan_actions WHERE plan_id = ${p.planId} ORDER BY action_index`
      expect(actions.map((a) => a.status)).toEqual(p.actions.map(() => "succeeded"))
      expect(actions[K]?.attempts).toBe(2)
      const runs = yield* sql<{ readonly outcome: string; readonly resumedAt: number }>`
        SELECT outcome, resumed_at AS "resumedAt" FROM coa_apply_runs WHERE plan_id = ${p.planId} ORDER BY id`
      expect(runs).toEqual([
        { outcome: "failed", resumedAt: 0 },
        { outcome: "applied", resumedAt: K }
      ])
    }).pipe(Effect.provide(coaStack({}, faultAfterK)), live)
  })

  it.effect("a create whose response was lost is recognised in Bill.com, not repeated", () => {
    const loseFirstCreateResponse = Layer.effect(
      ChartWriter,
      Effect.gen(function* () {
        const real = yield* ChartWriter
        let lost = false
        return {
          ...real,
          create: (row) =>
            real.create(row).pipe(
              Effect.flatMap((created) => {
                if (lost) return Effect.succeed(created)
                lost = true
                return Effect.fail({
                  _tag: "CoaError",
                  reason: "billcom",
                  message: "connection reset after the request was sent"
                } as unknown as CoaError)
              })
            )
        }
      })
    )
    return Effect.gen(function* () {
      const ledger = [...demoLedger(), { number: "6600", name: "Training", type: "expense" as const, active: true }]
      const p = yield* plan(ledger)
      expect(steps(p)).toEqual(["create 6600"])
      const result = yield* (yield* CoaApplier).apply(p, approve)
      expect(result.applied).toBe(1)
      expect((yield* readChart).filter((r) => r.number === "6600")).toHaveLength(1)
      expect((yield* mutatingCalls)["POST /v3/classifications/chart-of-accounts"]).toBe(1)
    }).pipe(Effect.provide(coaStack({}, loseFirstCreateResponse)), live)
  })

  it.effect("allowArchive: false never archives", () =>
    Effect.gen(function* () {
      const ledger = divergedLedger()
      const p = yield* plan(ledger, { ...ledgerTruth, allowArchive: false })
      expect(steps(p)).toEqual(EXPECTED.filter((s) => !s.startsWith("archive")))
      expect(p.held.map((h) => h.before.number)).toEqual(["1900", "8000", "9000"])
      yield* (yield* CoaApplier).apply(p, approve)
      const calls = yield* mutatingCalls
      expect(Object.keys(calls).filter((r) => r.includes("archive"))).toEqual([])
      const chart = yield* readChart
      expect(chart.filter((r) => ["8000", "9000"].includes(r.number ?? "")).map((r) => r.archived)).toEqual([
        false,
        false
      ])
    }).pipe(Effect.provide(coaStack()), live)
  )

  it.effect("sourceOfTruth: billcom never writes: zero mutating calls, ledger-side differences reported", () =>
    Effect.gen(function* () {
      const p = yield* plan(divergedLedger(), { ...ledgerTruth, sourceOfTruth: "billcom" })
      expect(p.actions).toEqual([])
      expect(p.ledgerDiffs.map((d) => `${d.kind} ${d.account ?? d.id}`)).toEqual(
        expect.arrayContaining([
          "update-ledger 6020",
          "retire-in-ledger 6990",
          "activate-in-ledger 8000",
          "ledger-only 6500"
        ])
      )
      const result = yield* (yield* CoaApplier).apply(p, approve)
      expect(result.applied).toBe(0)
      expect(yield* mutatingCalls).toEqual({})
    }).pipe(Effect.provide(coaStack()), live)
  )

  it.effect("a declined approval changes nothing", () =>
    Effect.gen(function* () {
      const p = yield* plan([...demoLedger(), { number: "6700", name: "Dues", type: "expense", active: true }])
      const result = yield* Effect.either((yield* CoaApplier).apply(p, { approve: () => Effect.succeed(false) }))
      expect(Either.isLeft(result) && (result.left as CoaError).reason).toBe("not-approved")
      expect(yield* mutatingCalls).toEqual({})
    }).pipe(Effect.provide(coaStack()), live)
  )
})
