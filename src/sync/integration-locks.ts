import { Context, Effect, Layer } from "effect"

/**
 * The in-process side of the integration lock on an embedded database (PGlite: one process, one
 * connection): one semaphore per pipeline. One instance per process — the composition root
 * provides `IntegrationLocks.layer` once for every command (cli/runtime.ts), so two runs of a
 * pipeline in one process (a command, the cluster worker) share it; tests provide their own.
 */
export class IntegrationLocks extends Context.Tag("billsync/IntegrationLocks")<
  IntegrationLocks,
  { readonly semaphoreFor: (pipeline: string) => Effect.Effect<Effect.Semaphore> }
>() {
  static readonly layer: Layer.Layer<IntegrationLocks> = Layer.sync(IntegrationLocks, () => {
    const inProcess = new Map<string, Effect.Semaphore>()
    return {
      semaphoreFor: (pipeline) =>
        Effect.sync(() => {
          const existing = inProcess.get(pipeline)
          if (existing !== undefined) return existing
          const created = Effect.unsafeMakeSemaphore(1)
          inProcess.set(pipeline, created)
          return created
        })
    }
  })
}
