import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { lockFileOf } from "../../src/store/lockfile.ts"
import { storeLayer } from "../../src/cli/environment.ts"
import { IntegrationLocks } from "../../src/sync/integration-locks.ts"
import { runSync, type RunOptions, type SyncOutcome } from "../../src/sync/runner.ts"
import { emulatorWithSource, settingsFor } from "./support/harness.ts"

/**
 * Fencing on the embedded database (PGlite on disk, one process at a time thanks to its lock file):
 * a run whose lock file is removed, or names another process, stops before its next commit. The
 * lock is lost from inside the run (afterBatch, right after a committed bills batch): no timing.
 */
const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }

const ledgerBills = (company: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{ billcom_id: string; amount: string; vendor: string; lines: number }>`
      SELECT b.billcom_id, b.amount::text, v.key AS vendor, (SELECT count(*)::int FROM bill_lines l WHERE l.bill_id = b.id) AS lines
      FROM bills b JOIN companies c ON c.id = b.company_id JOIN vendors v ON v.id = b.vendor_id
      WHERE c.key = ${company} ORDER BY b.billcom_id`
  )

const lastRun = (o: SyncOutcome) => o.runs.at(-1)!

describe("fencing on the embedded database", () => {
  const dir = mkdtempSync(join(tmpdir(), "billsync-fence-"))
  const dataDir = join(dir, "db")
  it.layer(Layer.merge(Layer.orDie(storeLayer({ _tag: "Embedded", dataDir })), IntegrationLocks.layer), {
    timeout: "300 seconds"
  })("PGlite on disk", (it) => {
    for (const [what, lose] of [
      ["removed", () => unlinkSync(lockFileOf(dataDir))],
      ["taken by another process", () => writeFileSync(lockFileOf(dataDir), "1")]
    ] as const) {
      it.effect(
        `its lock file ${what} mid-run: the run stops with a clear error before its next commit; the next run completes the ledger`,
        () =>
          Effect.gen(function* () {
            const emu = yield* Emulator
            const pipeline = `embedded-${what.split(" ")[0]}`
            const settings = settingsFor(pipeline, yield* emu.snapshot())
            let lost = false
            let commitsAfter = 0
            const first = yield* runSync(settings, {
              ...plain,
              afterBatch: (ctx) =>
                ctx.stage !== "bills"
                  ? Effect.void
                  : Effect.sync(() => {
                      if (lost) return void commitsAfter++
                      lost = true
                      lose()
                    })
            })
            expect(lost, JSON.stringify(first.runs.map((r) => [r.status, r.error]))).toBe(true)
            expect(commitsAfter).toBe(0)
            expect(lastRun(first).status).toBe("failed")
            expect(lastRun(first).error).toContain(
              `this run lost the lock of ${pipeline} (the embedded database's lock file ${lockFileOf(dataDir)}`
            )
            // The process that owns the database again (the lock file names it) resumes.
            writeFileSync(lockFileOf(dataDir), String(process.pid))
            const resumed = yield* runSync(settings, plain)
            expect(resumed.runs.map((r) => r.status)).toEqual(["succeeded_with_errors"])
            yield* runSync({ ...settings, pipeline: `${pipeline}-clean`, company: `${pipeline}-clean-co` }, plain)
            expect(yield* ledgerBills(`${pipeline}-co`)).toEqual(yield* ledgerBills(`${pipeline}-clean-co`))
          }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
      )
    }
  })
  it("cleans up", () => rmSync(dir, { recursive: true, force: true }))
})
