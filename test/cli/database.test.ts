import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { PGlite } from "@electric-sql/pglite"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { demoRepository, LOG_LINE, runCli, scratchServerDatabase, stderrLines } from "../support/cli.ts"

/**
 * Which database the commands use, end to end: read-only commands never create or migrate one,
 * CI refuses the embedded database to the commands that write, and an empty ledger is never
 * reported as checked. On the embedded database (always) and on a server (TEST_DATABASE_URL).
 */
const repo = demoRepository()
afterAll(() => repo.remove())

const READ_ONLY = [
  ["status", "demo"],
  ["errors", "demo"],
  ["report", "demo", "aging"],
  ["report", "demo", "runs", "--json"],
  ["mappings", "suggest", "demo", "--dry-run"],
  ["freshness", "demo"]
]

describe("read-only commands on a missing database", () => {
  test.each(READ_ONLY)("billsync %s … says there is no database, exits 1 and creates nothing", async (...args) => {
    const r = await runCli(args, { cwd: repo.root })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("no database at .billsync/emulator")
    expect(r.stderr).toContain("billsync sync <pipeline>")
    expect(existsSync(join(repo.root, ".billsync"))).toBe(false)
    for (const line of stderrLines(r)) expect(line).toMatch(LOG_LINE)
  })
})

describe("read-only commands on a database without billsync's tables", () => {
  // A scratch database on TEST_DATABASE_URL's server, else an embedded one made here with PGlite itself.
  const other = demoRepository()
  let env: Record<string, string> = {}
  let drop = async () => {}
  beforeAll(async () => {
    const server = await scratchServerDatabase()
    if (server !== undefined) {
      env = { DATABASE_URL: server.url }
      drop = server.drop
    } else {
      const dataDir = join(other.root, "bare-db")
      const db = await PGlite.create({ dataDir })
      await db.close()
      env = { BILLSYNC_EMBEDDED_DIR: dataDir }
    }
  })
  afterAll(async () => {
    await drop()
    other.remove()
  })

  test("is reported as not set up and left as it was; a write command then migrates it", async () => {
    const where =
      env["DATABASE_URL"] !== undefined
        ? "the database at DATABASE_URL"
        : `the embedded database at ${env["BILLSYNC_EMBEDDED_DIR"]}`
    for (const args of READ_ONLY) {
      const r = await runCli(args, { cwd: other.root, env })
      expect(r.code).toBe(1)
      expect(r.stderr).toContain(`${where} has no billsync tables`)
    }
    const connect = await runCli(["connect", "demo", "--no-seed"], { cwd: other.root, env })
    expect(connect.code).toBe(0)
    const status = await runCli(["status", "demo", "--json"], { cwd: other.root, env })
    expect(JSON.parse(status.stdout).integration.status).toBe("connected")
  })
})

describe("CI and the embedded database", () => {
  test.each([
    [{ CI: "true" }, ["sync", "demo"]],
    [{ GITHUB_ACTIONS: "true" }, ["connect", "demo"]],
    [{ CI: "true", DATABASE_URL: "" }, ["sync", "demo"]],
    [{ CI: "1" }, ["sync", "demo"]]
  ])("%o billsync %s is refused, naming DATABASE_URL and the repository secret", async (env, args) => {
    const r = await runCli(args, { cwd: repo.root, env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("refusing to write to the embedded database at .billsync/emulator in CI")
    expect(r.stderr).toContain("Set DATABASE_URL")
    expect(r.stderr).toContain("repository secret DATABASE_URL")
    expect(r.stderr).toContain("--ephemeral")
    expect(existsSync(join(repo.root, ".billsync"))).toBe(false)
  })

  test("apply coa is refused the same way", async () => {
    const plan = await runCli(["plan", "coa", "demo", "--out", "plan.json"], { cwd: repo.root })
    expect(plan.code).toBe(0)
    const r = await runCli(["apply", "coa", "plan.json", "--auto-approve"], { cwd: repo.root, env: { CI: "true" } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("refusing to write to the embedded database")
  })

  test("--ephemeral allows it; then an empty ledger says 'no entries to check' in text, JSON and HTML", async () => {
    const connect = await runCli(["connect", "demo", "--no-seed", "--ephemeral"], {
      cwd: repo.root,
      env: { CI: "true" }
    })
    expect(connect.stderr).not.toContain("refusing")
    expect(connect.code).toBe(0)
    expect(connect.stdout).toContain("Connected demo to Bill.com organization")

    const text = await runCli(["report", "demo", "aging", "--html", "out"], { cwd: repo.root })
    expect(text.code).toBe(0)
    expect(text.stdout).toContain("Ledger invariants: no entries to check.")
    expect(text.stdout).not.toContain("all hold")
    const html = readFileSync(join(repo.root, "out", "index.html"), "utf8")
    expect(html).toMatch(/id="invariants">no entries to check</)
    expect(html).not.toContain("all hold")
    const json = await runCli(["report", "demo", "trial-balance", "--json"], { cwd: repo.root })
    expect(JSON.parse(json.stdout).invariants).toEqual({ status: "no-entries", entriesChecked: 0, violations: [] })
    const runs = await runCli(["report", "demo", "runs", "--json"], { cwd: repo.root })
    expect(JSON.parse(runs.stdout).invariants.status).toBe("no-entries")
  })

  test("logs: one style on stderr (UTC ISO timestamps, no fiber ids); BILLSYNC_LOG_FORMAT=json gives JSON lines", async () => {
    const text = await runCli(["sync", "demo", "--stages", "vendors"], { cwd: repo.root })
    expect(text.code).toBe(0)
    const lines = stderrLines(text)
    expect(lines.length).toBeGreaterThan(2)
    for (const line of lines) {
      expect(line).toMatch(LOG_LINE)
      expect(line).not.toMatch(/\(#\d+\)/)
    }
    const json = await runCli(["sync", "demo", "--stages", "vendors"], {
      cwd: repo.root,
      env: { BILLSYNC_LOG_FORMAT: "json" }
    })
    expect(json.code).toBe(0)
    const parsed = stderrLines(json).map((l) => JSON.parse(l) as { time: string; level: string; message: string })
    expect(parsed.length).toBeGreaterThan(2)
    for (const p of parsed) {
      expect(p.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      expect(["DEBUG", "INFO", "WARN", "ERROR"]).toContain(p.level)
      expect(typeof p.message).toBe("string")
    }
    // Progress without a terminal: each stage ends with its line (records, requests, hourly budget).
    expect(
      parsed.some((p) =>
        /^\[full\] vendors: succeeded — \d+ pulled, \d+ written, \d+ errors · \d+ requests? \(\d+\.\d% of 20,000\/h\)/.test(
          p.message
        )
      )
    ).toBe(true)
  })
})
