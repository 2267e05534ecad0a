import { Deferred, Effect } from "effect"
import { onStopSignal } from "./signals.ts"

/**
 * A graceful stop for the rest of the scope: SIGINT/SIGTERM completes the Deferred (with the
 * signal's name) instead of interrupting the command — the runner stops the run cleanly (see
 * RunOptions.stop); the handler is removed when the scope closes.
 */
export const stopRequest = Effect.gen(function* () {
  const stop = yield* Deferred.make<string>()
  yield* Effect.acquireRelease(
    Effect.sync(() => onStopSignal((signal) => Deferred.unsafeDone(stop, Effect.succeed(signal)))),
    (remove) => Effect.sync(remove)
  )
  return stop
})
