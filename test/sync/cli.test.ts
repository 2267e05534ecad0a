import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, test } from "vitest"

/**
 * The commands end to end, as a user runs them: `node bin/billsync.mjs …` in a repository made
 * from the demo pipeline with mapping fixtures edited to fail the setup gate, against the
 * in-process emulator and a real database (a scratch database on TEST_DATABASE_URL, else an
 * embedded PGlite directory).
 */
const bin = resolve("bin/billsync.mjs")
const repo = mkdtempSync(join(tmpdir(), "billsync-cli-"))
const serverUrl = process.env["TEST_DATABASE_URL"]
const dbName = `billsync_cli_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
const env: Record<string, string> = {}

const admin = (statement: string) =>
  Effect.runPromise(
    Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(serverUrl!), maxConnections: 1 })))
  )

beforeAll(async () => {
  cpSync(resolve("pipelines/demo.yaml"), join(repo, "pipelines/demo.yaml"), { recursive: true })
  cpSync(resolve("mappings/demo"), join(repo, "mappings/demo"), { recursive: true })
  cpSync(resolve("schemas"), join(repo, "schemas"), { recursive: true })
  if (serverUrl) {
    await admin(`CREATE DATABASE ${dbName}`)
    const u = new URL(serverUrl)
    u.pathname = `/${dbName}`
    env["DATABASE_URL"] = u.toString()
  } else env["BILLSYNC_EMBEDDED_DIR"] = join(repo, ".billsync/db")
})

afterAll(async () => {
  if (serverUrl) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  rmSync(repo, { recursive: true, force: true })
})

const run = (...args: Array<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    const { DATABASE_URL: _ignored, ...inherited } = process.env
    execFile(process.execPath, [bin, ...args], { cwd: repo, env: { ...inherited, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
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
    expect(fixed.stdout).toMatch(/\d+ open integration error\(s\)/)
    expect(fixed.stderr).toMatch(/billsync sync: \d+ new integration error\(s\) in this sync, more than --fail-on-new-errors 0: see `billsync errors demo`/)
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
    expect(fresh.stdout).toMatch(/^ok {4}demo: last good sync \d{4}-\d\d-\d\dT[\d:]+Z \(\d+ min ago\); schedule "0 \*\/4 \* \* \*" runs at least every 4\.0 h/m)
    expect(fresh.code).toBe(0)

    const bad = await run("sync", "demo", "--stages", "bills,nope")
    expect(bad.code).toBe(64)
    // No secret ever reaches the output.
    for (const out of [connect, sync, status, fixed, errors].flatMap((r) => [r.stdout, r.stderr])) expect(out).not.toContain("demo-password")
    // Every request these commands sent, and every answer, was on Bill.com's published contract.
    for (const out of [connect, sync, fixed, errors]) expect(out.stderr).not.toContain("off Bill.com's published contract")
  }, 300_000)
})
