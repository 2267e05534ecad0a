import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { performance } from "node:perf_hooks"
import { BillcomClient } from "../../src/billcom/client.ts"
import { Watermark } from "../../src/billcom/lists.ts"
import { settingsFromPipeline } from "../../src/billcom/settings.ts"
import { loadPipeline } from "../../src/config/load.ts"
import { parseArgs } from "./args.ts"

/**
 * The Bill.com side alone: the real client drains one list (default bills) through the pipeline's
 * settings (3 in flight, pages of 100, retries), nothing is written. Separates the client's paging
 * throughput from the sync's per-record calls and database writes. Prints one JSON line.
 * Decoded and unordered (`read`, what the sync reads: every record decoded by the client, pages as
 * they arrive with watermarks) unless `--ordered` (the typed list, ascending).
 */
const args = parseArgs(process.argv.slice(2))
const list = (args.get("list") ?? "bills") as "bills"

const program = Effect.gen(function* () {
  const loaded = yield* loadPipeline(args.get("pipeline") ?? "bench")
  const settings = yield* settingsFromPipeline(loaded.pipeline, process.env)
  return yield* Effect.gen(function* () {
    const client = yield* BillcomClient
    yield* client.session()
    const started = performance.now()
    let records = 0
    // The sync's read: decoded and unordered (pages as they arrive, with watermarks); --ordered: the ascending list.
    const stream: Stream.Stream<unknown, unknown> = args.has("ordered")
      ? client.list(list)
      : client.read(list, { ordered: false })
    yield* stream.pipe(Stream.runForEach((r) => Effect.sync(() => void (r instanceof Watermark ? 0 : records++))))
    const ms = performance.now() - started
    const stats = yield* client.stats()
    process.stdout.write(
      `${JSON.stringify({ list, decoded: true, ordered: args.has("ordered"), records, ms, requests: stats.requests, retries: stats.retries, rateLimitErrors: stats.rateLimitErrors })}\n`
    )
  }).pipe(Effect.provide(BillcomClient.live(settings)))
})

Effect.runPromise(
  Effect.scoped(program).pipe(Effect.provide(NodeFileSystem.layer)) as Effect.Effect<void, unknown>
).then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`pull-only failed: ${String(e)}\n`)
    process.exit(1)
  }
)
