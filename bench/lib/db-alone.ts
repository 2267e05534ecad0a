import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, Stream } from "effect"
import { performance } from "node:perf_hooks"
import { EmulatorCore } from "../../src/emulator/index.ts"
import { documentRateMicros, rateNumber } from "../../src/emulator/currency.ts"
import type { Bill, ChartOfAccount, VendorCredit } from "../../src/emulator/model.ts"
import { documentsOf, renderDocument, renderRecord } from "../../src/emulator/render.ts"
import { loadEnvironment, storeLayer } from "../../src/cli/environment.ts"
import { IntegrationLocks } from "../../src/sync/integration-locks.ts"
import { runSync } from "../../src/sync/runner.ts"
import { Source, type PulledRecord } from "../../src/sync/source.ts"
import type { ListName } from "../../src/sync/stages.ts"
import { parseArgs } from "./args.ts"
import { COLLECTION } from "./collections.ts"

/**
 * The database side alone: the same organisation (same seed and size, so the same rows) rendered
 * in memory and served through the sync's Source port with no HTTP and no Bill.com limits, then
 * the real sync engine writes it (DATABASE_URL or the embedded database). Run as a child by
 * bench/run.ts (cwd = the bench workspace); prints one JSON line with the timings.
 *
 * Usage: node --import tsx bench/lib/db-alone.ts --pipeline bench --seed S --bills N
 */
const args = parseArgs(process.argv.slice(2))
const seed = args.get("seed") ?? "bench"
const bills = Number(args.get("bills") ?? "1000")

const core = new EmulatorCore({ seed, generate: { bills } })
const ctx = { state: core.state, origin: "http://127.0.0.1:0" }

const memorySource = Layer.succeed(Source, {
  session: Effect.succeed({ organizationId: core.credentials.organizationId, userId: core.state.org.userId }),
  list: (list: ListName, since: string | undefined) =>
    Stream.suspend(() => {
      const from = since === undefined ? -Infinity : Date.parse(since)
      const rows = core.state
        .collection(COLLECTION[list])
        .filter((r) => r.updatedTime >= from)
        .sort((a, b) => a.updatedTime - b.updatedTime || a.createdTime - b.createdTime)
      // Rendered as the writer pulls (all 200k at once held ~2 GB in this child).
      return Stream.fromIterable(rows).pipe(
        Stream.map((r): PulledRecord => ({ _tag: "Valid", raw: renderRecord(COLLECTION[list], r, ctx, false) }))
      )
    }),
  billApproval: (id: string) => Effect.succeed(core.state.get<Bill>("bills", id)?.approvalStatus ?? "UNDEFINED"),
  chartOfAccount: (id: string) =>
    Effect.succeed(
      (() => {
        const a = core.state.get<ChartOfAccount>("chart-of-accounts", id)
        return a === undefined ? undefined : { id: a.id, number: a.number, type: a.type, archived: a.archived }
      })()
    ),
  vendorCreditRate: (id: string) =>
    Effect.succeed(
      (() => {
        const c = core.state.get<VendorCredit>("vendor-credits", id)
        return c === undefined ? undefined : rateNumber(documentRateMicros(c, c.creditDay))
      })()
    ),
  billDocuments: (id: string) => {
    const bill = core.state.get<Bill>("bills", id)
    return Effect.succeed(bill === undefined ? [] : documentsOf(bill).map((d) => renderDocument(d, ctx)))
  },
  apiCalls: Effect.succeed(0)
})

const program = Effect.gen(function* () {
  const env = yield* loadEnvironment(args.get("pipeline") ?? "bench", { ephemeral: true })
  const started = performance.now()
  const outcome = yield* runSync(env.settings, { fullRefresh: false, dryRun: false, wait: false }).pipe(
    Effect.provide(Layer.mergeAll(storeLayer(env.target), memorySource, IntegrationLocks.layer))
  )
  const ms = performance.now() - started
  const stages = outcome.runs.flatMap((r) =>
    r.stages.map((s) => ({
      run: r.kind,
      stage: s.stage,
      ms: s.durationMs,
      pulled: s.counts.pulled,
      inserted: s.counts.inserted
    }))
  )
  process.stdout.write(`${JSON.stringify({ ms, stages, status: outcome.runs.map((r) => r.status) })}\n`)
})

// The CLI's environment reads the pipeline through the platform's FileSystem, as `billsync` does.
Effect.runPromise(program.pipe(Effect.provide(NodeContext.layer)) as Effect.Effect<void, unknown>).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`db-alone failed: ${String(e)}\n`)
    process.exit(1)
  }
)
