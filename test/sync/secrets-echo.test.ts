import { execFile } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, test } from "vitest"
import { createDatabase, dropDatabase, dumpDatabase } from "../../bench/lib/db.ts"
import { makeWorkspace, type Workspace } from "../../bench/lib/workspace.ts"
import { startEmulator, type RunningEmulator } from "../../src/emulator/index.ts"

/**
 * A server that echoes secrets (issue 13): the emulator's echoSecrets fault answers GET /v3/bills
 * with a BDC_1001 whose message quotes the request's devKey and sessionId. `billsync sync`,
 * `errors`, `status` and `report --html` run as CHILD processes (real stdout/stderr) against a
 * scratch database; none of the credentials or session ids may appear in their output, in any
 * table (pg_dump) or in the HTML/CSV report.
 */
const database = `billsync_echo_${process.pid}`
let url = ""
let emulator: RunningEmulator | undefined
let ws: Workspace | undefined
const sessions: Array<string> = []
interface ChildResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}
const outputs: Array<ChildResult> = []
const bin = resolve("bin/billsync.mjs")
const reportDir = mkdtempSync(join(tmpdir(), "billsync-echo-report-"))

beforeAll(async () => {
  if (process.env["TEST_DATABASE_URL"] !== undefined) process.env["DATABASE_URL"] = process.env["TEST_DATABASE_URL"]
  url = await createDatabase(database)
  emulator = await startEmulator({
    seed: "echo",
    generate: { bills: 60 },
    faults: { echoSecrets: { endpoint: "GET /v3/bills" } }
  })
  const store = emulator.core.sessions
  const create = store.create.bind(store)
  store.create = (...args) => {
    const s = create(...args)
    sessions.push(s.id)
    return s
  }
  ws = makeWorkspace(emulator.core.state.org, {
    name: "echo",
    origin: emulator.core.origin,
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 }
  })
}, 120_000)

afterAll(async () => {
  await emulator?.stop()
  ws?.remove()
  rmSync(reportDir, { recursive: true, force: true })
  if (url !== "") await dropDatabase(database)
})

const billsync = (...args: Array<string>) =>
  new Promise<ChildResult>((done) => {
    const { CI: _ci, GITHUB_ACTIONS: _gha, ...inherited } = process.env
    const env = { ...inherited, ...ws!.env, DATABASE_URL: url, BILLSYNC_LOG_LEVEL: "debug" }
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: ws!.root, env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const r = { code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }
        outputs.push(r)
        done(r)
      }
    )
  })

describe("a Bill.com error body that echoes the devKey and the sessionId", () => {
  test("never reaches stdout, stderr, any table or the HTML/CSV report; the run says the list failed, with the echo redacted", async () => {
    const sync = await billsync("sync", "echo", "--json")
    // The bills list failed for good (a 400): the run failed and says so, with Bill.com's text scrubbed.
    expect(sync.code).not.toBe(0)
    const runs = (JSON.parse(sync.stdout) as { runs: Array<{ status: string; error?: string }> }).runs
    const full = runs.at(-1)!
    expect(full.status).toBe("failed")
    expect(full.error).toContain("GET /v3/bills")
    expect(full.error).toContain("devKey=[redacted] sessionId=[redacted]")
    await billsync("errors", "echo")
    await billsync("status", "echo")
    await billsync("report", "echo", "runs", "--html", reportDir)
    const html = readFileSync(join(reportDir, "index.html"), "utf8")
    expect(html).toContain("[redacted]")

    const creds = emulator!.core.credentials
    const secrets = [creds.devKey, creds.password, creds.username, ...sessions]
    expect(sessions.length).toBeGreaterThan(0)
    const haystacks: Array<[string, string]> = [
      ...outputs.flatMap(
        (r, i): Array<[string, string]> => [
          [`stdout ${i}`, r.stdout],
          [`stderr ${i}`, r.stderr]
        ]
      ),
      ["database dump", await dumpDatabase(url)],
      ["index.html", html],
      ["errors.csv", readFileSync(join(reportDir, "errors.csv"), "utf8")]
    ]
    const leaks = haystacks.flatMap(([where, text]) =>
      secrets.filter((s) => text.includes(s)).map((s) => `${where} contains ${s.slice(0, 4)}…`)
    )
    expect(leaks).toEqual([])
  }, 300_000)
})
