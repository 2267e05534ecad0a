import { rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, test } from "vitest"
import { demoRepository, runCli } from "../support/cli.ts"

/**
 * Deleting (or moving) the embedded database folder must not silently start a new, empty ledger:
 * the marker written beside it when it was created says a ledger existed, and connect/sync refuse
 * with what to do, unless told --new-ledger.
 */
const repo = demoRepository()
const dataDir = join(repo.root, "db")
const env = { BILLSYNC_EMBEDDED_DIR: dataDir }
afterAll(() => repo.remove())

describe("a deleted embedded database is detected", () => {
  test("connect creates the ledger; after its folder is deleted, sync and connect refuse with an actionable message; --new-ledger starts a new one", async () => {
    const first = await runCli(["connect", "demo", "--no-seed"], { cwd: repo.root, env })
    expect(first.code, first.stderr).toBe(0)
    rmSync(dataDir, { recursive: true, force: true })
    for (const args of [
      ["sync", "demo"],
      ["connect", "demo", "--no-seed"]
    ]) {
      const refused = await runCli(args, { cwd: repo.root, env })
      expect(refused.code, args.join(" ")).toBe(1)
      expect(refused.stderr).toContain(`the embedded database at ${dataDir} is gone, but a ledger was created there (`)
      expect(refused.stderr).toContain(
        "Restore the folder from a backup, or point BILLSYNC_EMBEDDED_DIR at where it is now; to start a new, empty ledger on purpose, pass --new-ledger"
      )
    }
    const fresh = await runCli(["connect", "demo", "--no-seed", "--new-ledger"], { cwd: repo.root, env })
    expect(fresh.code, fresh.stderr).toBe(0)
    // The new ledger is the one recorded now: the next command opens it without --new-ledger.
    const again = await runCli(["connect", "demo", "--no-seed"], { cwd: repo.root, env })
    expect(again.code, again.stderr).toBe(0)
  }, 300_000)
})
