import { execFile, spawn } from "node:child_process"
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { cliDatabase } from "../support/cli-database.ts"
import { cliEnv } from "../support/cli.ts"
import { startEmulator, type CounterSnapshot, type RunningEmulator } from "../../src/emulator/index.ts"

/**
 * Sessions are a budget (200 logins an hour per devKey): every command that logs in logs out when
 * it ends — success, failure or interruption. The commands run as a user runs them
 * (`node bin/billsync.mjs …`) against an emulator started here (the pipeline's baseUrl points at
 * it), so its counters see every login and logout over HTTP.
 */
const bin = resolve("bin/billsync.mjs")
const repo = mkdtempSync(join(tmpdir(), "billsync-sessions-"))
let database: Awaited<ReturnType<typeof cliDatabase>> | undefined
const env: Record<string, string> = { BILLSYNC_LOG_LEVEL: "info" }
let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator({ seed: "demo" })
  mkdirSync(join(repo, "pipelines"))
  const pipeline = readFileSync(resolve("pipelines/demo.yaml"), "utf8").replace(
    "  environment: emulator\n  emulator:\n    seed: demo\n",
    `  environment: emulator\n  baseUrl: ${emulator.core.origin}/connect\n`
  )
  writeFileSync(
    join(repo, "pipelines/demo.yaml"),
    pipeline.replace(
      "retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 60000 }",
      "retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 5 }"
    )
  )
  cpSync(resolve("mappings/demo"), join(repo, "mappings/demo"), { recursive: true })
  cpSync(resolve("schemas"), join(repo, "schemas"), { recursive: true })
  // One ledger account Bill.com lacks, so `plan coa` has something for `apply coa` to do.
  appendFileSync(
    join(repo, "mappings/demo/accounts.yaml"),
    `  - number: "6150"\n    name: "Cloud Hosting"\n    type: expense\n    parent: "6020"\n`
  )
  const creds = emulator.core.credentials
  Object.assign(env, {
    BILLCOM_DEMO_DEV_KEY: creds.devKey,
    BILLCOM_DEMO_USERNAME: creds.username,
    BILLCOM_DEMO_PASSWORD: creds.password
  })
  database = await cliDatabase("billsync_sessions", repo)
  Object.assign(env, database.env)
})

afterAll(async () => {
  await emulator?.stop()
  await database?.drop()
  rmSync(repo, { recursive: true, force: true })
})

// Not a CI deployment even when the suite runs in CI (CI=true would refuse plans from uncommitted mappings).
const childEnv = () => cliEnv(env)

/** Runs a command asynchronously (the emulator answers from this process's event loop). */
const run = (...args: Array<string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: repo, env: childEnv(), timeout: 120_000 },
      (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr })
    )
  })

/** Logins and logouts the emulator counted during `during`. */
const sessionsDuring = async <A>(
  during: () => Promise<A>
): Promise<{ result: A; logins: number; logouts: number; counters: CounterSnapshot }> => {
  emulator.core.resetCounters()
  const result = await during()
  const counters = emulator.core.counterSnapshot()
  return { result, logins: counters.logins, logouts: counters.logouts, counters }
}

describe("every command that logs in logs out (POST /v3/logout), counted by the emulator", () => {
  test("connect, sync, plan coa and apply coa: one login, one logout each; nothing left alive", async () => {
    for (const args of [
      ["connect", "demo"],
      ["sync", "demo"],
      ["plan", "coa", "demo", "--out", "plan.json"],
      ["apply", "coa", "plan.json", "--auto-approve"]
    ]) {
      const { result, logins, logouts, counters } = await sessionsDuring(() => run(...args))
      expect(result.stderr, args.join(" ")).not.toContain("internal error")
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0)
      expect([args.join(" "), logins, logouts]).toEqual([args.join(" "), 1, 1])
      expect(counters.contract?.requestViolations).toBe(0)
    }
    expect(emulator.core.sessions.size).toBe(0)
  }, 300_000)

  test("status (no Bill.com call, no login) shows the cutoff in force, and the pipeline's when the next sync changes it", async () => {
    const { result, logins, counters } = await sessionsDuring(() => run("status", "demo"))
    expect(result.code).toBe(0)
    expect([logins, counters.total]).toEqual([0, 0])
    expect(result.stdout).toContain(
      "cutoff in force: 2024-01-01 (Bill.com bills, vendor credits and payments dated before 2024-01-01 are not imported)"
    )
    const file = join(repo, "pipelines/demo.yaml")
    const pipeline = readFileSync(file, "utf8")
    try {
      writeFileSync(file, pipeline.replace("cutoff: 2024-01-01", "cutoff: 2024-06-01"))
      const moved = await run("status", "demo", "--json")
      expect(JSON.parse(moved.stdout).cutoff).toMatchObject({
        inForce: "2024-01-01",
        pipeline: "2024-06-01",
        pending: true
      })
      const text = await run("status", "demo")
      expect(text.stdout).toContain(
        "cutoff in force: 2024-01-01 (applied by the last full sync); the pipeline now says 2024-06-01: from the next full sync records dated before it are no longer imported (ones already in the ledger are kept)"
      )
    } finally {
      writeFileSync(file, pipeline)
    }
  }, 120_000)

  test("a command that fails after logging in logs out too (apply coa of a stale plan)", async () => {
    appendFileSync(
      join(repo, "mappings/demo/accounts.yaml"),
      `  - number: "6160"\n    name: "Cloud Backup"\n    type: expense\n    parent: "6020"\n`
    )
    expect((await run("plan", "coa", "demo", "--out", "stale.json")).code).toBe(0)
    // Someone changes Bill.com's chart between the plan and the apply.
    const account = emulator.core.state.org.chartOfAccounts.find((a) => !a.archived)!
    emulator.core.mutate({ op: "archive", collection: "chart-of-accounts", id: account.id })
    const { result, logins, logouts } = await sessionsDuring(() => run("apply", "coa", "stale.json", "--auto-approve"))
    expect(result.code).not.toBe(0)
    expect(result.stderr + result.stdout).toContain("stale")
    expect([logins, logouts]).toEqual([1, 1])
    expect(emulator.core.sessions.size).toBe(0)
  }, 120_000)

  test("an interrupted sync (SIGINT) logs out before it exits", async () => {
    emulator.core.setFaults({ latency: { fixedMs: 40 } })
    try {
      const { result, logins, logouts } = await sessionsDuring(
        () =>
          new Promise<{ code: number | null; out: string }>((done) => {
            const child = spawn(process.execPath, [bin, "sync", "demo", "--full-refresh"], {
              cwd: repo,
              env: childEnv(),
              stdio: ["ignore", "pipe", "pipe"]
            })
            let out = ""
            child.stdout.on("data", (chunk) => (out += String(chunk)))
            child.stderr.on("data", (chunk) => (out += String(chunk)))
            const poll = setInterval(() => {
              if ((emulator.core.counterSnapshot().byRoute["GET /v3/bills"] ?? 0) >= 1) {
                clearInterval(poll)
                child.kill("SIGINT")
              }
            }, 10)
            child.on("close", (code) => done({ code, out }))
          })
      )
      // Interrupted mid-run: the run is reported as interrupted and the status is 130 (test/sync/interrupt.test.ts has the rest).
      expect(result.out).toMatch(/Full sync \(run \d+\): interrupted/)
      expect(result.code).toBe(130)
      expect([logins, logouts]).toEqual([1, 1])
      expect(emulator.core.sessions.size).toBe(0)
    } finally {
      emulator.core.setFaults({})
    }
  }, 120_000)
})
