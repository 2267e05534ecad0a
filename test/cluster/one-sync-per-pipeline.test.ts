import { TestRunner } from "@effect/cluster"
import { layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { expect } from "vitest"
import { PipelineSync } from "../../src/cluster/entity.ts"
import { pipelineEntityLayer } from "../../src/cli/worker.ts"

/**
 * The worker's PipelineSync entity as the worker registers it (src/cli/worker.ts), with a sync
 * that only records who runs at once: however many sync requests arrive for a pipeline at once,
 * one sync of it runs at a time; different pipelines run side by side up to the worker's limit.
 */
const running = new Map<string, number>()
const peakOf = new Map<string, number>()
let total = 0
let peakTotal = 0

const recordingSync = (pipeline: string, semaphore: Effect.Semaphore) =>
  semaphore.withPermits(1)(
    Effect.gen(function* () {
      const n = (running.get(pipeline) ?? 0) + 1
      running.set(pipeline, n)
      peakOf.set(pipeline, Math.max(peakOf.get(pipeline) ?? 0, n))
      peakTotal = Math.max(peakTotal, ++total)
      yield* Effect.sleep("20 millis") // a sync's duration
      running.set(pipeline, (running.get(pipeline) ?? 1) - 1)
      total--
      return { status: "succeeded", runs: [] }
    })
  )

const WORKER_CONCURRENCY = 3

layer(pipelineEntityLayer(WORKER_CONCURRENCY, recordingSync).pipe(Layer.provideMerge(TestRunner.layer)), {
  excludeTestServices: true,
  timeout: "60 seconds"
})("one sync per pipeline", (it) => {
  it.effect(
    "20 requests each for 4 pipelines at once: never two syncs of a pipeline together, pipelines in parallel up to the worker's limit",
    () =>
      Effect.gen(function* () {
        const client = yield* PipelineSync.client
        const pipelines = ["acme-us", "acme-uk", "beta", "gamma"]
        const outcomes = yield* Effect.all(
          pipelines.flatMap((p) =>
            Array.from({ length: 20 }, (_, i) =>
              client(p).Sync({ reason: "enqueue", requestedAt: `2026-12-03T08:00:${String(i).padStart(2, "0")}Z` })
            )
          ),
          { concurrency: "unbounded" }
        )
        expect(outcomes).toHaveLength(80)
        expect(outcomes.every((o) => o.status === "succeeded")).toBe(true)
        for (const p of pipelines) expect(peakOf.get(p), p).toBe(1)
        expect(peakTotal).toBeGreaterThan(1)
        expect(peakTotal).toBeLessThanOrEqual(WORKER_CONCURRENCY)
      })
  )
})
