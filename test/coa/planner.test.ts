import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import { appliedPrefix, chartFingerprint, prefixFingerprints, readCurrent } from "../../src/coa/chart-state.ts"
import type { ChartRow, CoaAction, CoaPolicy, LedgerAccount } from "../../src/coa/model.ts"
import { planCoa } from "../../src/coa/planner.ts"

const ledgerTruth: CoaPolicy = { sourceOfTruth: "ledger", allowArchive: true, createParents: true }
const acc = (
  number: string,
  name: string,
  type: LedgerAccount["type"],
  extra: Partial<LedgerAccount> = {}
): LedgerAccount => ({
  number,
  name,
  type,
  active: true,
  ...extra
})
const row = (
  id: string,
  number: string | undefined,
  name: string,
  type: ChartRow["type"],
  extra: Partial<ChartRow> = {}
): ChartRow => ({
  id,
  name,
  ...(number !== undefined ? { number } : {}),
  type,
  archived: false,
  ...extra
})
const summary = (actions: ReadonlyArray<CoaAction>) =>
  actions.map((a) => `${a._tag} ${a._tag === "create" ? a.account : `${a.account ?? "-"}@${a.id}`}`)

describe("planCoa (ledger is the source of truth)", () => {
  it("plans nothing for aligned charts", () => {
    const body = planCoa({
      ledger: [acc("6000", "Opex", "expense"), acc("6010", "Ads", "expense", { parent: "6000" })],
      chart: [row("0ca1", "6000", "Opex", "EXPENSE"), row("0ca2", "6010", "Ads", "EXPENSE", { parentId: "0ca1" })],
      policy: ledgerTruth
    })
    expect(body.actions).toEqual([])
    expect(body.held).toEqual([])
    expect(body.problems).toEqual([])
  })

  it("lists creates (parents first), updates, restores and archives on a diverged chart", () => {
    const body = planCoa({
      ledger: [
        acc("6011", "Search Ads", "expense", { parent: "6010" }),
        acc("6010", "Advertising", "expense", { parent: "6000" }),
        acc("6000", "Operating Expenses", "expense"),
        acc("1000", "Checking", "bank", { description: "Main" }),
        acc("4000", "Revenue", "income"),
        acc("2000", "AP", "accounts-payable", { active: false })
      ],
      chart: [
        row("0caA", "1000", "Operating Checking", "BANK"),
        row("0caB", "4000", "Revenue", "INCOME", { archived: true }),
        row("0caC", "2000", "AP", "ACCOUNTS_PAYABLE"),
        row("0caD", "9999", "Stray", "EXPENSE"),
        row("0caE", "6000", "Operating Expenses", "EXPENSE")
      ],
      policy: ledgerTruth
    })
    expect(summary(body.actions)).toEqual([
      "restore 4000@0caB",
      "create 6010",
      "create 6011",
      "update 1000@0caA",
      "archive 2000@0caC",
      "archive -@0caD"
    ])
    const create6010 = body.actions[1]
    expect(create6010?._tag === "create" && create6010.after.parent).toEqual({ number: "6000", id: "0caE" })
    const create6011 = body.actions[2]
    expect(create6011?._tag === "create" && create6011.after.parent).toEqual({ number: "6010" })
    const update = body.actions[3]
    expect(update?._tag === "update" && update.patch).toEqual({ name: "Checking", description: "Main" })
    const archive = body.actions[4]
    expect(archive?._tag === "archive" && archive.why).toBe("inactive-in-ledger")
  })

  it("matches an explicit billcomId before number+type and updates number and type", () => {
    const body = planCoa({
      ledger: [acc("6100", "Software", "expense", { billcomId: "0caX" }), acc("6200", "Rent", "expense")],
      chart: [row("0caX", "7100", "Software", "OTHER_EXPENSE"), row("0caY", "6200", "Rent", "EXPENSE")],
      policy: ledgerTruth
    })
    expect(summary(body.actions)).toEqual(["update 6100@0caX"])
    const update = body.actions[0]
    expect(update?._tag === "update" && update.patch).toEqual({ number: "6100", type: "EXPENSE" })
  })

  it("reports a billcomId that Bill.com does not have as a problem", () => {
    const body = planCoa({
      ledger: [acc("6100", "Software", "expense", { billcomId: "0caNOPE" })],
      chart: [],
      policy: ledgerTruth
    })
    expect(body.problems).toHaveLength(1)
    expect(body.problems[0]).toContain("0caNOPE")
  })

  it("does not match on number alone when the type differs, and flags the duplicate name", () => {
    const body = planCoa({
      ledger: [acc("6020", "Software", "expense")],
      chart: [row("0ca1", "6020", "Software", "OTHER_EXPENSE")],
      policy: { ...ledgerTruth, allowArchive: false }
    })
    expect(summary(body.actions)).toEqual(["create 6020"])
    const create = body.actions[0]
    expect(create?._tag === "create" && create.similar.map((s) => s.id)).toEqual(["0ca1"])
    expect(body.warnings.map((w) => w.code)).toContain("possible-duplicate")
    expect(body.warnings.find((w) => w.code === "possible-duplicate")?.message).toContain(
      "no number-and-type match found"
    )
    expect(body.held.map((h) => h.id)).toEqual(["0ca1"])
  })

  it("never archives when allowArchive is false: archives are held as 'would archive'", () => {
    const body = planCoa({
      ledger: [acc("1000", "Checking", "bank", { active: false })],
      chart: [row("0ca1", "1000", "Checking", "BANK"), row("0ca2", "5000", "COGS", "COST_OF_GOODS_SOLD")],
      policy: { ...ledgerTruth, allowArchive: false }
    })
    expect(body.actions).toEqual([])
    expect(body.held.map((h) => [h.id, h.why])).toEqual([
      ["0ca1", "inactive-in-ledger"],
      ["0ca2", "absent-from-ledger"]
    ])
  })

  it("archives children before their parents", () => {
    const body = planCoa({
      ledger: [],
      chart: [row("0caP", "6000", "P", "EXPENSE"), row("0caC", "6010", "C", "EXPENSE", { parentId: "0caP" })],
      policy: ledgerTruth
    })
    expect(summary(body.actions)).toEqual(["archive -@0caC", "archive -@0caP"])
  })

  it("creates an inactive parent of an active account only with createParents", () => {
    const ledger = [
      acc("6000", "Opex", "expense", { active: false }),
      acc("6010", "Ads", "expense", { parent: "6000" })
    ]
    const withParents = planCoa({ ledger, chart: [], policy: ledgerTruth })
    expect(summary(withParents.actions)).toEqual(["create 6000", "create 6010"])
    expect(withParents.actions[0]?._tag === "create" && withParents.actions[0].asParent).toBe(true)

    const without = planCoa({ ledger, chart: [], policy: { ...ledgerTruth, createParents: false } })
    expect(summary(without.actions)).toEqual(["create 6010"])
    expect(without.actions[0]?._tag === "create" && without.actions[0].after.parent).toBeUndefined()
    expect(without.warnings.map((w) => w.code)).toEqual(["parent-not-in-billcom"])
  })

  it("keeps an inactive parent that is still in Bill.com rather than archiving it under an active child", () => {
    const body = planCoa({
      ledger: [acc("6000", "Opex", "expense", { active: false }), acc("6010", "Ads", "expense", { parent: "6000" })],
      chart: [row("0caP", "6000", "Opex", "EXPENSE"), row("0caC", "6010", "Ads", "EXPENSE", { parentId: "0caP" })],
      policy: { ...ledgerTruth, createParents: false }
    })
    expect(body.actions).toEqual([])
    expect(body.warnings.map((w) => w.code)).toEqual(["kept-as-parent"])
  })

  it("detaches a row from a parent the ledger does not give it", () => {
    const body = planCoa({
      ledger: [acc("6000", "Opex", "expense"), acc("6010", "Ads", "expense")],
      chart: [row("0caP", "6000", "Opex", "EXPENSE"), row("0caC", "6010", "Ads", "EXPENSE", { parentId: "0caP" })],
      policy: ledgerTruth
    })
    const update = body.actions[0]
    expect(update?._tag === "update" && update.patch).toEqual({ parent: null })
    expect(update?._tag === "update" && update.after.parent).toBeUndefined()
  })

  it("picks the active row among duplicates and warns", () => {
    const body = planCoa({
      ledger: [acc("6000", "Opex", "expense")],
      chart: [row("0ca1", "6000", "Opex", "EXPENSE", { archived: true }), row("0ca2", "6000", "Opex", "EXPENSE")],
      policy: ledgerTruth
    })
    expect(body.actions).toEqual([])
    expect(body.warnings.map((w) => [w.code, w.id])).toEqual([["ambiguous-match", "0ca2"]])
  })
})

describe("planCoa (Bill.com is the source of truth)", () => {
  it("changes nothing in Bill.com and reports ledger-side differences", () => {
    const body = planCoa({
      ledger: [
        acc("1000", "Checking", "bank"),
        acc("4000", "Revenue", "income"),
        acc("8000", "Ledger only", "expense")
      ],
      chart: [
        row("0caA", "1000", "Operating Checking", "BANK"),
        row("0caB", "4000", "Revenue", "INCOME", { archived: true }),
        row("0caC", "6000", "Opex", "EXPENSE", { description: "d" })
      ],
      policy: { sourceOfTruth: "billcom", allowArchive: true, createParents: true }
    })
    expect(body.actions).toEqual([])
    expect(body.ledgerDiffs.map((d) => [d.kind, d.account ?? d.id])).toEqual([
      ["update-ledger", "1000"],
      ["retire-in-ledger", "4000"],
      ["ledger-only", "8000"],
      ["add-to-ledger", "0caC"]
    ])
    expect(body.ledgerDiffs[0]?.suggestion).toEqual({ name: "Operating Checking" })
    expect(body.ledgerDiffs[3]?.suggestion).toEqual({ number: "6000", name: "Opex", type: "expense", description: "d" })
  })
})

// Chart states reachable by a partial apply, for the stale check.
const simulateApply = (
  chart: ReadonlyArray<ChartRow>,
  actions: ReadonlyArray<CoaAction>,
  k: number
): Array<ChartRow> => {
  type Mutable<T> = { -readonly [K in keyof T]: T[K] }
  const rows = new Map<string, Mutable<ChartRow>>(chart.map((r) => [r.id, { ...r }] as const))
  const created = new Map<string, string>()
  const resolve = (p: { number?: string; id?: string }) => p.id ?? created.get(p.number ?? "")
  actions.slice(0, k).forEach((a, i) => {
    if (a._tag === "create") {
      const id = `0caNEW${i}`
      created.set(a.after.number, id)
      const parentId = a.after.parent ? resolve(a.after.parent) : undefined
      rows.set(id, {
        id,
        name: a.after.name,
        number: a.after.number,
        type: a.after.type,
        archived: false,
        ...(a.after.description ? { description: a.after.description } : {}),
        ...(parentId ? { parentId } : {})
      })
    } else {
      const r = rows.get(a.id)!
      if (a._tag === "archive") r.archived = true
      else if (a._tag === "restore") r.archived = false
      else {
        if (a.patch.name !== undefined) r.name = a.patch.name
        if (a.patch.number !== undefined) r.number = a.patch.number
        if (a.patch.type !== undefined) r.type = a.patch.type
        if (a.patch.description !== undefined) r.description = a.patch.description
        if (a.patch.parent === null) delete r.parentId
        else if (a.patch.parent !== undefined) r.parentId = resolve(a.patch.parent)!
      }
    }
  })
  return [...rows.values()]
}

describe("chart fingerprints and prefixes", () => {
  const chart = [
    row("0caA", "1000", "Operating Checking", "BANK"),
    row("0caB", "4000", "Revenue", "INCOME", { archived: true }),
    row("0caD", "9999", "Stray", "EXPENSE")
  ]
  const ledger = [
    acc("1000", "Checking", "bank"),
    acc("4000", "Revenue", "income"),
    acc("6000", "Opex", "expense"),
    acc("6010", "Ads", "expense", { parent: "6000" }),
    acc("4010", "Services", "income", { parent: "4000" })
  ]
  const body = planCoa({ ledger, chart, policy: ledgerTruth })

  it("is independent of row order and sensitive to content", () => {
    expect(chartFingerprint([...chart].reverse())).toBe(chartFingerprint(chart))
    expect(chartFingerprint([{ ...chart[0]!, name: "x" }, ...chart.slice(1)])).not.toBe(chartFingerprint(chart))
  })

  it("accepts every state a prefix of the plan produces, and only those", () => {
    const prefixes = prefixFingerprints(chart, body.actions)
    expect(prefixes[0]).toBe(chartFingerprint(chart))
    for (let k = 0; k <= body.actions.length; k++) {
      const current = readCurrent(simulateApply(chart, body.actions, k), chart, body.actions)
      expect(appliedPrefix(prefixes, current)).toBe(k)
    }
    const touched = simulateApply(chart, body.actions, 2).map((r) =>
      r.id === "0caA" ? { ...r, name: "Edited by someone" } : r
    )
    expect(appliedPrefix(prefixes, readCurrent(touched, chart, body.actions))).toBeUndefined()
    const foreign = [...chart, row("0caZ", "7000", "New elsewhere", "OTHER_EXPENSE")]
    expect(appliedPrefix(prefixes, readCurrent(foreign, chart, body.actions))).toBeUndefined()
  })

  it("property: applying the plan aligns the chart, so a second plan is empty", () => {
    const types = ["expense", "income", "bank"] as const
    const arbLedger = fc.uniqueArray(
      fc.record({
        n: fc.integer({ min: 1, max: 30 }),
        name: fc.constantFrom("A", "B", "C"),
        t: fc.constantFrom(...types),
        active: fc.boolean(),
        parent: fc.option(fc.integer({ min: 1, max: 30 }))
      }),
      { selector: (a) => a.n, maxLength: 12 }
    )
    const arbChart = fc.uniqueArray(
      fc.record({
        n: fc.integer({ min: 1, max: 30 }),
        name: fc.constantFrom("A", "B", "D"),
        t: fc.constantFrom("EXPENSE", "INCOME", "BANK", "EQUITY"),
        archived: fc.boolean()
      }),
      { selector: (r) => r.n, maxLength: 12 }
    )
    fc.assert(
      fc.property(arbLedger, arbChart, fc.boolean(), (l, c, createParents) => {
        const numbers = new Set(l.map((a) => a.n))
        const ledger = l.map((a) =>
          acc(String(a.n), a.name, a.t, {
            active: a.active,
            // Parents only point downwards in number, so the ledger tree has no cycles.
            ...(a.parent !== null && a.parent < a.n && numbers.has(a.parent) ? { parent: String(a.parent) } : {})
          })
        )
        const chart = c.map((r) =>
          row(`0ca${r.n}`, String(r.n), r.name, r.t as ChartRow["type"], { archived: r.archived })
        )
        const policy = { ...ledgerTruth, createParents }
        const first = planCoa({ ledger, chart, policy })
        expect(first.problems).toEqual([])
        const after = simulateApply(chart, first.actions, first.actions.length)
        const prefixes = prefixFingerprints(chart, first.actions)
        expect(appliedPrefix(prefixes, readCurrent(after, chart, first.actions))).toBe(first.actions.length)
        const second = planCoa({ ledger, chart: after, policy })
        expect(summary(second.actions)).toEqual([])
      }),
      { numRuns: 300 }
    )
  })
})
