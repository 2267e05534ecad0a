import { spawn } from "node:child_process"
import { existsSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, test } from "vitest"
import { BIN, cliEnv, demoRepository, runCli } from "../support/cli.ts"

/**
 * `sync --wait` on the embedded database queues behind the process holding it (its lock file), as
 * the README says, instead of failing at once. The holder here is this test process (its pid is
 * alive); the waiting sync is released when the lock file goes — synchronised on its output.
 */
const repo = demoRepository()
const dataDir = join(repo.root, "db")
const env = { BILLSYNC_EMBEDDED_DIR: dataDir, BILLSYNC_LOG_LEVEL: "info" }
afterAll(() => repo.remove())

describe("sync --wait on the embedded database", () => {
  test("without --wait the second process is refused at once; with --wait it waits for the holder, then syncs", async () => {
    const lock = `${dataDir}.lock`
    writeFileSync(lock, String(process.pid))
    const refused = await runCli(["sync", "demo"], { cwd: repo.root, env })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(
      `the embedded database at ${dataDir} is in use by another billsync process (pid ${process.pid})`
    )
    expect(refused.stderr).toContain("`billsync sync --wait` queues behind it")

    const child = spawn(process.execPath, [BIN, "sync", "demo", "--wait", "--json"], {
      cwd: repo.root,
      env: cliEnv(env),
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 240_000
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += String(chunk)))
    const done = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (chunk) => {
        stderr += String(chunk)
        if (
          stderr.includes(
            `waiting for the embedded database at ${dataDir}: the embedded database at ${dataDir} is in use by another billsync process (pid ${process.pid}) (--wait)`
          )
        )
          resolve()
      })
      void done.then((code) => reject(new Error(`exited ${code} without waiting: ${stderr.slice(-1500)}`)))
    })
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(false)
    // The holder finishes: the waiting sync takes the database and runs.
    unlinkSync(lock)
    expect(await done, stderr.slice(-2000)).toBe(0)
    expect((JSON.parse(stdout) as { runs: Array<{ status: string }> }).runs.map((r) => r.status)).toEqual([
      "succeeded",
      "succeeded_with_errors"
    ])
    expect(existsSync(lock)).toBe(false)
  }, 300_000)
})
