import { it } from "@effect/vitest"
import * as TestServices from "effect/TestServices"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { expect } from "vitest"
import { Emulator } from "../../src/emulator/index.ts"
import { runSync, type RunOptions, type SyncOutcome } from "../../src/sync/runner.ts"
import { testServerUrl } from "../support/database.ts"
import { emulatorWithSource, settingsFor, StoreTest } from "./support/harness.ts"

/**
 * Fencing: a batch commits only while its run still holds the integration's lock. The lock is lost
 * from inside the run (its afterBatch hook, right after a committed bills batch): no timing involved.
 * The embedded database's case is in fencing-embedded.test.ts (a file of its own: @effect/vitest
 * shares built layers within a file, and the store services must not be the server database's).
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

const runsOf = (pipeline: string) =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      sql<{
        id: number
        status: string
        error: string | null
      }>`SELECT r.id::int, r.status, r.error FROM sync_runs r JOIN integrations i ON i.id = r.integration_id
      WHERE i.pipeline = ${pipeline} ORDER BY r.id`
  )

const lastRun = (o: SyncOutcome) => o.runs.at(-1)!

// Killing the lock's connection needs a server (pg_locks holders, pg_terminate_backend); on PGlite (no
// TEST_DATABASE_URL, BILLSYNC_TEST_PGLITE=1) the embedded fence has its own test, fencing-embedded.test.ts.
const onServer = testServerUrl() !== undefined

it.layer(StoreTest, { timeout: "300 seconds" })("fencing on a Postgres server", (it) => {
  it.effect.skipIf(!onServer)(
    "the lock's connection killed mid-run: that run stops with a clear error before its next commit, a concurrent run proceeds alone, the ledger equals a clean run's",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const emu = yield* Emulator
        const settings = settingsFor("fence", yield* emu.snapshot())
        const context = yield* Effect.context<any>()
        let killed = false
        let commitsAfterKill = 0
        let concurrent: SyncOutcome | undefined
        const first = yield* runSync(settings, {
          ...plain,
          afterBatch: (ctx) =>
            killed
              ? Effect.sync(() => void commitsAfterKill++)
              : ctx.stage !== "bills"
                ? Effect.void
                : (Effect.gen(function* () {
                    killed = true
                    // What an operator's pg_terminate_backend or a dropped network connection does to the lock's session.
                    const holders = yield* sql<{
                      pid: number
                    }>`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = ${0x73796e63}::int8::oid
                    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`
                    expect(holders.length).toBe(1)
                    yield* sql`SELECT pg_terminate_backend(${holders[0]!.pid})`
                    // The lock is free now: a second run takes it and completes while the first is still in its stage.
                    concurrent = yield* runSync(settings, plain)
                  }).pipe(Effect.provide(context), Effect.orDie) as Effect.Effect<void>)
        })
        expect(killed).toBe(true)
        expect(concurrent!.runs.map((r) => r.status)).toEqual(["succeeded_with_errors"])
        // The first run committed nothing after its lock was gone, and says why.
        expect(commitsAfterKill).toBe(0)
        expect(lastRun(first).status).toBe("failed")
        expect(lastRun(first).error).toContain(
          "this run lost the lock of fence (the database connection holding it (backend"
        )
        expect(lastRun(first).error).toContain("stopped before its next commit")
        // The stage of its next commit failed with that error; no later stage ran.
        const failed = lastRun(first).stages.at(-1)!
        expect([failed.status, failed.error]).toEqual([
          "failed",
          expect.stringContaining("this run lost the lock of fence")
        ])
        const runs = yield* runsOf("fence")
        // The seed, the first run's full run (failed), the concurrent one's (completed).
        expect(runs.slice(1).map((r) => r.status)).toEqual(["failed", "succeeded_with_errors"])
        yield* runSync({ ...settings, pipeline: "fence-clean", company: "fence-clean-co" }, plain)
        expect(yield* ledgerBills("fence-co")).toEqual(yield* ledgerBills("fence-clean-co"))
      }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )

  it.effect("a stage's counts are added only when its batch commits: a batch the database refuses counts nothing", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const emu = yield* Emulator
      // The database refuses this company's bills (as it would a value out of its range): every bills batch rolls back.
      yield* sql.unsafe(`CREATE FUNCTION refuse_counts_bills() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT key FROM companies WHERE id = NEW.company_id) = 'counts-co' THEN RAISE EXCEPTION 'refused by the test'; END IF;
          RETURN NEW;
        END $$`)
      yield* sql.unsafe(
        `CREATE TRIGGER refuse_counts_bills BEFORE INSERT ON bills FOR EACH ROW EXECUTE FUNCTION refuse_counts_bills()`
      )
      try {
        const outcome = yield* runSync(settingsFor("counts", yield* emu.snapshot()), plain)
        const run = lastRun(outcome)
        const bills = run.stages.find((s) => s.stage === "bills")!
        const [committed] = yield* sql<{
          n: number
        }>`SELECT count(*)::int AS n FROM source_records WHERE processed_run_id = ${run.runId} AND kind = 'bill' AND outcome = 'imported'`
        const [stored] = yield* sql<{
          inserted: number
          updated: number
        }>`SELECT inserted, updated FROM sync_run_stages WHERE run_id = ${run.runId} AND stage = 'bills'`
        expect(committed!.n).toBe(0)
        expect([bills.counts.inserted + bills.counts.updated, stored!.inserted + stored!.updated]).toEqual([
          committed!.n,
          committed!.n
        ])
      } finally {
        yield* sql.unsafe(`DROP TRIGGER refuse_counts_bills ON bills`)
      }
    }).pipe(Effect.provide(emulatorWithSource()), TestServices.provideLive)
  )
})
