import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { ChartRow, CoaPolicy, LedgerAccount } from "../../src/coa/model.ts"
import { makePlan, readPlanFile, writePlanFile, type CoaPlan } from "../../src/coa/plan-file.ts"
import { planCoa } from "../../src/coa/planner.ts"
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from "../../src/coa/render-markdown.ts"
import { renderText } from "../../src/coa/render-text.ts"

const pipeline = {
  name: "big",
  file: "pipelines/big.yaml",
  company: "big-co",
  organizationId: "00802BIG000000000001",
  environment: "emulator"
}
const mappings = { dir: "mappings/big-co", files: [], fingerprint: "f".repeat(64) }

const planFor = (ledger: ReadonlyArray<LedgerAccount>, chart: ReadonlyArray<ChartRow>, policy: CoaPolicy): CoaPlan =>
  makePlan({
    pipeline,
    policy,
    mappings,
    chart,
    body: planCoa({ ledger, chart, policy }),
    now: new Date("2026-01-01T00:00:00Z")
  })

/** 2,000 ledger accounts against a Bill.com chart that differs everywhere: every kind of action. */
const bigDiff = () => {
  const ledger: Array<LedgerAccount> = []
  const chart: Array<ChartRow> = []
  for (let i = 0; i < 2000; i++) {
    const number = String(10000 + i)
    const name = `Expense account number ${i} with a reasonably long descriptive name | pipes & <tags>`
    ledger.push({
      number,
      name,
      type: "expense",
      active: i % 10 !== 0,
      ...(i % 5 === 1 ? { parent: String(10000 + i - 1) } : {})
    })
    if (i % 4 === 0)
      chart.push({ id: `0ca02ROW${i}`, number, name: `Old name ${i}`, type: "EXPENSE", archived: i % 8 === 0 })
    if (i % 7 === 0)
      chart.push({ id: `0ca02STRAY${i}`, number: String(90000 + i), name, type: "OTHER_EXPENSE", archived: false })
  }
  return { ledger, chart }
}

describe("markdown PR comment", () => {
  it("stays under GitHub's 65,535-character limit for a 2,000-account diff and says what it left out", () => {
    const { ledger, chart } = bigDiff()
    const plan = planFor(ledger, chart, { sourceOfTruth: "ledger", allowArchive: true, createParents: true })
    expect(plan.actions.length).toBeGreaterThan(2000)
    const md = renderMarkdown(plan, { fullPlanHint: "the `coa-plan-big` artifact" })
    expect(md.length).toBeLessThanOrEqual(60_000)
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT)
    expect(md).toContain(`**${plan.summary.create} to create**`)
    expect(md).toContain(`**${plan.summary.archive} to archive**`)
    expect(md).toContain("Destructive")
    expect(md).toContain("no number-and-type match found")
    expect(md).toMatch(/… and \d+ more actions — see the `coa-plan-big` artifact/)
    // Names with table syntax are escaped, never break the table.
    expect(md).not.toContain("| pipes & <tags>")
    expect(md).toContain("\\| pipes & &lt;tags&gt;")
  })

  it("fits an even tighter budget when several pipelines share one comment", () => {
    const { ledger, chart } = bigDiff()
    const plan = planFor(ledger, chart, { sourceOfTruth: "ledger", allowArchive: false, createParents: true })
    expect(renderMarkdown(plan, { maxChars: 15_000 }).length).toBeLessThanOrEqual(15_000)
  })

  it("renders a small plan completely, with held archives and no truncation note", () => {
    const plan = planFor(
      [{ number: "6000", name: "Opex", type: "expense", active: true }],
      [{ id: "0ca1", number: "7000", name: "Other", type: "OTHER_EXPENSE", archived: false }],
      { sourceOfTruth: "ledger", allowArchive: false, createParents: true }
    )
    const md = renderMarkdown(plan)
    expect(md).toContain("| 1 | ➕ create | 6000 Opex | — | type EXPENSE |")
    expect(md).toContain("Would archive (1)")
    expect(md).not.toContain("more actions")
    expect(renderText(plan)).toContain("Plan: 1 to create, 0 to update, 0 to restore, 0 to archive; 1 would archive")
  })

  it("with Bill.com as the source of truth, lists ledger-side differences and writes nothing", () => {
    const plan = planFor(
      [{ number: "6000", name: "Opex", type: "expense", active: true }],
      [{ id: "0ca1", number: "6000", name: "Operating", type: "EXPENSE", archived: false }],
      { sourceOfTruth: "billcom", allowArchive: true, createParents: true }
    )
    expect(plan.actions).toEqual([])
    const md = renderMarkdown(plan)
    expect(md).toContain("nothing will be written to Bill.com")
    expect(md).toContain('name: "Operating"')
  })
})

describe("plan file", () => {
  const dir = mkdtempSync(join(tmpdir(), "billsync-coa-"))
  const plan = planFor(
    [{ number: "6000", name: "Opex", type: "expense", active: true }],
    [{ id: "0ca1", number: "6000", name: "Old", type: "EXPENSE", archived: false }],
    { sourceOfTruth: "ledger", allowArchive: true, createParents: true }
  )

  it.effect("round-trips through JSON", () =>
    Effect.gen(function* () {
      const path = join(dir, "plan.json")
      yield* writePlanFile(path, plan)
      expect(yield* readPlanFile(path)).toEqual(plan)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("refuses a plan whose actions were edited after planning", () =>
    Effect.gen(function* () {
      const path = join(dir, "edited.json")
      yield* writePlanFile(path, plan)
      writeFileSync(path, readFileSync(path, "utf8").replace('"name": "Opex"', '"name": "Hacked"'))
      const result = yield* Effect.either(readPlanFile(path))
      expect(Either.isLeft(result) && result.left.reason).toBe("plan-file")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("has a stable id: the same inputs give the same plan id at another time", () => {
    const again = makePlan({
      pipeline,
      policy: plan.policy,
      mappings,
      chart: [...plan.billcom.chart].reverse(),
      body: planCoa({
        ledger: [{ number: "6000", name: "Opex", type: "expense", active: true }],
        chart: plan.billcom.chart,
        policy: plan.policy
      }),
      now: new Date()
    })
    expect(again.planId).toBe(plan.planId)
  })
})
