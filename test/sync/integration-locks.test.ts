import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { IntegrationLocks } from "../../src/sync/integration-locks.ts"

/** The in-process side of the integration lock (embedded database): one semaphore per pipeline per instance. */
describe("IntegrationLocks", () => {
  it.effect("a pipeline's second run in the process finds the lock held; another pipeline's does not", () =>
    Effect.gen(function* () {
      const locks = yield* IntegrationLocks
      const first = yield* locks.semaphoreFor("demo")
      const again = yield* locks.semaphoreFor("demo")
      const other = yield* locks.semaphoreFor("other")
      const seen = yield* first.withPermits(1)(
        Effect.all([again.withPermitsIfAvailable(1)(Effect.void), other.withPermitsIfAvailable(1)(Effect.void)])
      )
      expect(seen.map(Option.isSome)).toEqual([false, true])
    }).pipe(Effect.provide(IntegrationLocks.layer))
  )

  it.effect("each layer built is its own registry: the composition root builds one per process", () =>
    Effect.gen(function* () {
      const a = yield* Effect.flatMap(IntegrationLocks, (l) => l.semaphoreFor("demo")).pipe(
        Effect.provide(IntegrationLocks.layer)
      )
      const b = yield* Effect.flatMap(IntegrationLocks, (l) => l.semaphoreFor("demo")).pipe(
        Effect.provide(IntegrationLocks.layer)
      )
      expect(a).not.toBe(b)
    })
  )
})
