import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { cliDatabase } from "../support/cli-database.ts"
import { cliEnv } from "../support/cli.ts"

/**
 * The commands end to end, as a user runs them: `node bin/billsync.mjs …` in a repository made
 * from the demo pipeline with mapping fixtures edited to fail the setup gate, against the
 * in-process emulator and a real database (a scratch database on TEST_DATABASE_URL, else an
 * embedded PGlite directory).
 */
const bin = resolve("bin/billsync.mjs")
const repo = mkdtempSync(join(tmpdir(), "billsync-cli-"))
let database: Awaited<ReturnType<typeof cliDatabase>> | undefined
const env: Record<string, string> = {}

beforeAll(async () => {
  cpSync(resolve("pipelines/demo.yaml"), join(repo, "pipelines/demo.yaml"), { recursive: true })
  cpSync(resolve("mappings/demo"), join(repo, "mappings/demo"), { recursive: true })
  cpSync(resolve("schemas"), join(repo, "schemas"), { recursive: true })
  database = await cliDatabase("billsync_cli", repo)
  Object.assign(env, database.env)
})

afterAll(async () => {
  await database?.drop()
  rmSync(repo, { recursive: true, force: true })
})

const run = (...args: Array<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    // Not a CI deployment even when the tests run in CI: the embedded-database refusal has its own tests.
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: repo, env: cliEnv(env), timeout: 120_000 },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

describe("billsync connect / status / sync / errors", () => {
  test("the setup gate refuses with every unmet condition and the file to edit; after the mapping fix the sync succeeds", async () => {
    const vendorsFile = join(repo, "mappings/demo/vendors.yaml")
    const accountsFile = join(repo, "mappings/demo/accounts.yaml")
    const vendors = readFileSync(vendorsFile, "utf8")
    const accounts = readFileSync(accountsFile, "utf8")
    writeFileSync(vendorsFile, "# yaml-language-server: $schema=../../schemas/vendors.schema.json\nvendors: []\n")
    // Income accounts get numbers Bill.com does not have, so no income row is mapped.
    writeFileSync(accountsFile, accounts.replace(/(number|parent): "4(\d+)"/g, '$1: "94$2"'))

    const connect = await run("connect", "demo")
    expect(connect.code).toBe(0)
    expect(connect.stdout).toContain("Connected demo to Bill.com organization 00802DEMO00000000001")
    expect(connect.stdout).toContain("Initial seed")

    const sync = await run("sync", "demo")
    expect(sync.code).toBe(1)
    expect(sync.stdout).toContain("Setup not completed for demo")
    expect(sync.stdout).toContain("an income account mapped")
    expect(sync.stdout).toContain("mappings/demo/accounts.yaml")
    expect(sync.stdout).toContain("vendors mapped")
    expect(sync.stdout).toContain("mappings/demo/vendors.yaml")
    expect(sync.stdout).not.toContain("Full sync")

    const status = await run("status", "demo", "--json")
    expect(status.code).toBe(1)
    const parsed = JSON.parse(status.stdout) as { setupCompleted: boolean; unmet: Array<{ condition: string }> }
    expect(parsed.setupCompleted).toBe(false)
    expect(parsed.unmet.map((u) => u.condition)).toEqual(["an income account mapped", "vendors mapped"])

    writeFileSync(vendorsFile, vendors)
    writeFileSync(accountsFile, accounts)
    // A scheduled sync must alert on new integration errors: the first full sync records the demo's bad records.
    const fixed = await run("sync", "demo", "--fail-on-new-errors", "0")
    expect(fixed.stdout).toMatch(/Full sync \(run \d+\): succeeded_with_errors/)
    expect(fixed.stdout).toMatch(/\d+ open integration errors? in these stages/)
    expect(fixed.stderr).toMatch(
      /billsync sync: \d+ new integration error\(s\) in this sync, more than --fail-on-new-errors 0: see `billsync errors demo`/
    )
    expect(fixed.code).toBe(1)
    // The same errors again are not new: under any threshold, the next sync passes.
    const again = await run("sync", "demo", "--fail-on-new-errors", "0")
    expect(again.stdout).toMatch(/Full sync \(run \d+\): succeeded_with_errors/)
    expect(again.code).toBe(0)

    const errors = await run("errors", "demo", "--json", "--stage", "bills")
    expect(errors.code).toBe(0)
    const rows = JSON.parse(errors.stdout) as Array<{ stage: string; symptom: string }>
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.every((r) => r.stage === "bills")).toBe(true)
    expect(rows.some((r) => r.symptom === "Bills do not import")).toBe(true)

    // Just synced: fresh for its schedule ("0 */4 * * *": stale after 8 hours without a good sync).
    const fresh = await run("freshness", "demo")
    expect(fresh.stdout).toMatch(
      /^ok {4}demo: last good sync \d{4}-\d\d-\d\dT[\d:]+Z \(\d+ min ago\); schedule "0 \*\/4 \* \* \*" runs at least every 4\.0 h/m
    )
    expect(fresh.code).toBe(0)

    const bad = await run("sync", "demo", "--stages", "bills,nope")
    expect(bad.code).toBe(64)
    // No secret ever reaches the output.
    for (const out of [connect, sync, status, fixed, errors].flatMap((r) => [r.stdout, r.stderr]))
      expect(out).not.toContain("demo-password")
    // Every request these commands sent, and every answer, was on Bill.com's published contract.
    for (const out of [connect, sync, fixed, errors])
      expect(out.stderr).not.toContain("off Bill.com's published contract")
  }, 300_000)

  test("billsync report: aging with --buckets and --as-of and its tie-out in every format, trial balance, late postings, 1099", async () => {
    // (Runs on the demo ledger the test above synced.)
    const md = await run(
      "report",
      "demo",
      "aging",
      "--as-of",
      "2026-09-30",
      "--buckets",
      "15,45",
      "--format",
      "markdown"
    )
    expect(md.code).toBe(0)
    expect(md.stdout).toContain("| Vendor | Current | 1–15 | 16–45 | 45+ | Unapplied | Total | Scheduled |")
    expect(md.stdout).toMatch(
      /> Tie-out: aging total [\d,.]+ USD = AP control 2000 Accounts Payable [\d,.]+ USD, difference 0\.00/
    )
    expect(md.stdout).toMatch(/> Tie-out CAD: aging [\d,.]+ CAD \([\d,.]+ USD\) = AP control/)
    const text = await run("report", "demo", "aging", "--as-of", "2026-09-30")
    expect(text.stdout).toMatch(
      /Tie-out: aging total [\d,.]+ USD = AP control 2000 Accounts Payable [\d,.]+ USD, difference 0\.00/
    )
    const json = await run("report", "demo", "aging", "--as-of", "2026-09-30", "--json")
    const aging = JSON.parse(json.stdout) as {
      buckets: Array<string>
      tieOut: { ties: boolean; difference: string; currencies: Array<{ currency: string }> }
    }
    expect([aging.buckets, aging.tieOut.ties, aging.tieOut.difference]).toEqual([
      ["current", "1-30", "31-60", "61-90", "90+"],
      true,
      "0.00"
    ])
    expect(aging.tieOut.currencies.map((c) => c.currency)).toEqual(["CAD", "USD"])
    const html = join(repo, "report-html")
    const withHtml = await run("report", "demo", "aging", "--as-of", "2026-09-30", "--html", html)
    expect(withHtml.code).toBe(0)
    expect(readFileSync(join(html, "index.html"), "utf8")).toMatch(
      /Tie-out: aging total [\d,.]+ USD = AP control 2000 Accounts Payable [\d,.]+ USD, difference 0\.00/
    )
    const tb = await run("report", "demo", "trial-balance", "--as-of", "2026-09-30")
    expect(tb.stdout).toMatch(/Debits [\d,.]+ = credits [\d,.]+, difference 0\.00/)
    const late = await run("report", "demo", "late-postings", "--format", "markdown")
    expect([late.code, late.stdout.split("\n")[0]]).toEqual([0, expect.stringContaining("### Late postings through")])
    const ten99 = await run("report", "demo", "1099", "--year", "2025", "--json")
    expect(ten99.code).toBe(0)
    expect((JSON.parse(ten99.stdout) as { year: number }).year).toBe(2025)
    const bad = await run("report", "demo", "aging", "--buckets", "60,30")
    expect([bad.code, bad.stderr]).toEqual([
      64,
      expect.stringContaining('--buckets "60,30": boundaries must be in ascending order')
    ])
    const noYear = await run("report", "demo", "1099")
    expect(noYear.code).toBe(64)
  }, 300_000)
})
