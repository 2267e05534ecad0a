import { describe, expect, test } from "vitest"
import { countsOf, planOutcomes } from "../../src/sync/batch.ts"
import { failed, imported, skipped, type Candidate, type Evaluated } from "../../src/sync/handler.ts"
import { settings } from "./stages/support.ts"

/** A batch's writes and counts from its records' outcomes (pure): the one place a stage's counts come from. */
const ctx = { integrationId: 1, runId: 7, stage: "bills" as const, settings: settings() }
const meta = { updatedTime: "2025-01-01T00:00:00Z", archived: false, businessDate: "2025-01-01" }
const c = (id: string, previous?: Candidate<unknown>["previous"]): Candidate<unknown> => ({
  id,
  raw: { id },
  hash: `h${id}`,
  value: {},
  meta,
  previous
})
const prev = (outcome: "imported" | "skipped" | "error", reason: string | null = null) => ({
  hash: "old",
  outcome,
  reason,
  enrichment: null
})

const plan = (
  candidates: ReadonlyArray<Candidate<unknown>>,
  outcomes: ReadonlyArray<Evaluated<unknown>>,
  live = true,
  extra: { unchanged?: number; invalid?: number } = {}
) =>
  planOutcomes(
    "bill",
    ctx,
    {
      invalid: Array.from({ length: extra.invalid ?? 0 }, (_, i) => ({
        id: `bad${i}`,
        raw: {},
        hash: "x",
        message: "unreadable",
        stored: undefined
      })),
      candidates,
      outcomes,
      duplicates: new Map(),
      unchanged: extra.unchanged ?? 0,
      cursor: undefined
    },
    live
  )

describe("a batch's plan and counts", () => {
  test("new imports count inserted, re-imports updated; plain skips skipped; failures and skips with an error count errors", () => {
    const p = plan(
      [c("a"), c("b", prev("imported")), c("c"), c("d"), c("e")],
      [
        imported({}),
        imported({}),
        skipped("unmapped"),
        skipped("not-approved", { code: "bill-not-approved", message: "ASSIGNED" }),
        failed({ code: "bill-unmapped", message: "x" })
      ],
      true,
      { unchanged: 3, invalid: 1 }
    )
    expect(countsOf(p, [])).toEqual({ inserted: 1, updated: 1, unchanged: 3, skipped: 1, errors: 3, reevaluated: 0 })
    expect(p.imports.map((i) => i.candidate.id)).toEqual(["a", "b"])
    expect(p.resolved).toEqual(["a", "b", "c"])
    expect(p.errorRows.map((e) => [e.billcomId, e.code])).toEqual([
      ["bad0", "invalid-record"],
      ["d", "bill-not-approved"],
      ["e", "bill-unmapped"]
    ])
  })

  test("a record the database refused moves from its counter to errors", () => {
    const p = plan([c("a"), c("b")], [imported({}), skipped("unmapped")])
    expect(countsOf(p, ["a"])).toMatchObject({ inserted: 0, skipped: 1, errors: 1 })
  })

  test("re-evaluation counts every record re-evaluated, and rewrites an unchanged skip only when its reason changed", () => {
    const p = plan(
      [c("a", prev("skipped", "unmapped")), c("b", prev("skipped", "unmapped"))],
      [skipped("unmapped"), skipped("before-cutoff")],
      false
    )
    expect(countsOf(p, [])).toMatchObject({ skipped: 2, reevaluated: 2 })
    expect(p.sourceRows.map((r) => [r.billcom_id, r.reason])).toEqual([["b", "before-cutoff"]])
  })

  test("master data whose mapping was removed is unlinked", () => {
    const p = plan([c("v", prev("imported"))], [skipped("unmapped")])
    expect(p.unlinked).toEqual(["v"])
  })
})
