import { describe, expect, test } from "vitest"
import { cycles, importGraph, roomOf, roomTable } from "../../scripts/import-graph.ts"

/**
 * The dependency rule of src/: a room imports only rooms below it — config, then billcom, store,
 * ledger and mappings, then sync and coa, then ci and cluster, and cli (the composition root) on top — and the
 * emulator is a leaf that only cli imports (tests, bench and scripts live outside src/). The emulator
 * imports one thing of ours: the Bill.com model (billcom/models), which imports nothing outside itself.
 */
const MODELS = "billcom/models/"
const RANK: Record<string, number> = {
  config: 0,
  billcom: 1,
  store: 2,
  ledger: 3,
  mappings: 3,
  sync: 4,
  coa: 4,
  ci: 5,
  cluster: 5,
  cli: 6
}

const graph = importGraph(process.cwd())

describe("the import graph of src/", () => {
  test("every file sits in a known room", () => {
    const rooms = new Set([...graph.files.keys()].map(roomOf))
    expect([...rooms].filter((r) => r !== "emulator" && RANK[r] === undefined)).toEqual([])
  })

  test("rooms import only rooms below them; only cli imports the emulator, and the emulator imports only the Bill.com model", () => {
    const forbidden: Array<string> = []
    for (const [file, targets] of graph.files)
      for (const target of targets) {
        const [from, to] = [roomOf(file), roomOf(target)]
        if (from === to) continue
        const allowed =
          to === "emulator"
            ? from === "cli"
            : from === "emulator"
              ? target.startsWith(MODELS)
              : (RANK[from] ?? -1) > (RANK[to] ?? Infinity)
        if (!allowed) forbidden.push(`${file} -> ${target}`)
      }
    expect(forbidden).toEqual([])
  })

  test("the Bill.com model (billcom/models) imports nothing of ours outside itself", () => {
    const outside = [...graph.files]
      .filter(([file]) => file.startsWith(MODELS))
      .flatMap(([file, targets]) => [...targets].filter((t) => !t.startsWith(MODELS)).map((t) => `${file} -> ${t}`))
    expect(outside).toEqual([])
  })

  test("no cycles between rooms or between files", () => {
    const table = roomTable(graph)
    expect(cycles(new Map([...table].map(([from, row]) => [from, row.keys()])))).toEqual([])
    expect(cycles(graph.files)).toEqual([])
  })
})
