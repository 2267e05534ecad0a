import { existsSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { demoRepository, LOG_LINE, runCli, stderrLines, type CliResult } from "../support/cli.ts"

/**
 * `npm run demo`, then the commands a new user types next, all as real processes on the embedded
 * database: they see the demo's data, and every count of open errors agrees.
 */
const repo = demoRepository()
let demo: CliResult
beforeAll(async () => {
  demo = await runCli(["demo"], { cwd: repo.root })
}, 300_000)
afterAll(() => repo.remove())

interface OpenError {
  readonly stage: string
  readonly code: string
  readonly message: string
}

describe("the demo, then status / errors / report", () => {
  test("the demo writes the emulator pipelines' embedded database and says how to reach it", () => {
    expect(demo.code).toBe(0)
    expect(existsSync(join(repo.root, ".billsync/emulator/PG_VERSION"))).toBe(true)
    expect(existsSync(join(repo.root, ".billsync/db"))).toBe(false)
    expect(demo.stdout).toContain("Its data stays in the embedded database at .billsync/emulator")
    expect(demo.stdout).toContain("billsync status demo")
  })

  test("status, errors and report read the demo's data, and the counts agree everywhere", async () => {
    const errors = await runCli(["errors", "demo", "--json"], { cwd: repo.root })
    expect(errors.code).toBe(0)
    const open = JSON.parse(errors.stdout) as Array<OpenError>
    const n = open.length
    expect(n).toBeGreaterThan(5)
    // Denied and not-approved bills are in the error log: they are errors wherever they are counted.
    expect(open.some((e) => e.code === "bill-denied")).toBe(true)

    // The demo: the header counts all of them, the tail says how many more.
    expect(demo.stdout).toContain(`${n} open integration errors — the first 5 below:`)
    expect(demo.stdout).toContain(`… and ${n - 5} more: \`billsync errors demo\` lists all ${n}`)
    expect(demo.stdout).toContain(`${n} open integration errors in these stages`)
    const reasons = demo.stdout
      .split("Pulled but not imported, by reason:\n")[1]!
      .split("\n\n")[0]!
      .split("\n")
      .slice(2)
    const errorRows = reasons.map((l) => l.trim().split(/\s+/)).filter((cells) => cells[1] === "error")
    expect(errorRows.reduce((sum, cells) => sum + Number(cells.at(-1)), 0)).toBe(n)
    expect(reasons.some((l) => /^bill\s+skipped\s+denied/.test(l))).toBe(false)

    const status = await runCli(["status", "demo"], { cwd: repo.root })
    expect(status.code).toBe(0)
    expect(status.stdout).toContain(`open integration errors now: ${n} (`)
    const statusJson = JSON.parse((await runCli(["status", "demo", "--json"], { cwd: repo.root })).stdout) as {
      runs: Array<{ kind: string; openErrorsAfter: number; stages: Array<{ errors: number }> }>
      openErrors: Record<string, number>
    }
    const full = statusJson.runs.find((r) => r.kind === "full")!
    expect(full.stages.reduce((s, x) => s + x.errors, 0)).toBe(n)
    expect(full.openErrorsAfter).toBe(n)
    expect(Object.values(statusJson.openErrors).reduce((a, b) => a + b, 0)).toBe(n)

    const runs = await runCli(["report", "demo", "runs", "--json"], { cwd: repo.root })
    expect((JSON.parse(runs.stdout) as { runs: Array<{ openErrorsAfter: number }> }).runs[0]!.openErrorsAfter).toBe(n)

    const aging = await runCli(["report", "demo", "aging"], { cwd: repo.root })
    expect(aging.code).toBe(0)
    expect(aging.stdout).toMatch(/^Total\s+[\d,.]+/m)
    expect(aging.stdout).toMatch(/Ledger invariants: all hold \(\d+ journal entries checked\)\./)
  })

  test("an invalid record's error is one line: field path, value, problem", async () => {
    const open = JSON.parse((await runCli(["errors", "demo", "--json"], { cwd: repo.root })).stdout) as Array<OpenError>
    const invalid = open.filter((e) => e.code === "invalid-record")
    expect(invalid.length).toBeGreaterThan(0)
    for (const e of invalid) {
      expect(e.message).not.toContain("\n")
      expect(e.message.length).toBeLessThan(200)
      expect(e.message).not.toContain("readonly")
    }
    expect(invalid.map((e) => e.message)).toContain('amount = "n/a": expected number or null')
    const text = await runCli(["errors", "demo", "--stage", "bills"], { cwd: repo.root })
    expect(text.stdout).toContain('detail: amount = "n/a": expected number or null\n')
  })

  test("without a terminal the demo logs one progress line per stage, in the one log style", () => {
    const lines = stderrLines(demo)
    for (const line of lines) expect(line).toMatch(LOG_LINE)
    for (const stage of [
      "vendors",
      "funding-accounts",
      "accounts",
      "bills",
      "vendor-credits",
      "vendor-payments",
      "items",
      "customers",
      "classifications"
    ]) {
      expect(
        lines.some((l) =>
          new RegExp(
            `\\[full\\] ${stage}: succeeded(_with_errors)? — \\d[\\d,]* pulled, \\d[\\d,]* written, \\d+ errors? · \\d+ requests? \\(\\d+\\.\\d% of 20,000/h\\) · \\d+s$`
          ).test(l.slice(31))
        )
      ).toBe(true)
    }
  })
})
