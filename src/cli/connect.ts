import { Console, Effect } from "effect"
import { reportFailure } from "./failure.ts"
import { loadEnvironment } from "./environment.ts"
import { connectIntegration } from "../sync/lifecycle.ts"
import { withIntegrationLock } from "../sync/lock.ts"
import { completed, executeRun } from "../sync/runner.ts"
import { renderRun } from "./tables.ts"
import { seedStages } from "../sync/stages.ts"
import { Integrations } from "../store/integrations.ts"
import { ExitCode, Exit } from "./exit.ts"
import type { ConnectOptions } from "./options.ts"
import { makeProgress, progressModeFor } from "./progress.ts"
import { stopRequest } from "./stop.ts"

/**
 * `billsync connect <pipeline>`: pending → log in → session check → connected (prints the
 * organization and user) or error with Bill.com's message and advice (exit 1). The first
 * successful connect runs the initial seed unless --no-seed. Also re-tests credentials later.
 */
export const run = (o: ConnectOptions) =>
  Effect.gen(function* () {
    const env = yield* loadEnvironment(o.pipeline, { ephemeral: o.ephemeral, newLedger: o.newLedger })
    yield* Effect.gen(function* () {
      const connected = yield* connectIntegration(env.settings, { persist: true })
      yield* Console.log(
        `Connected ${env.settings.pipeline} to Bill.com organization ${connected.session.organizationId} as user ${connected.session.userId} (${env.settings.environment}).`
      )
      if (!connected.firstConnect || !o.seed) return
      const enabled = new Set(env.settings.stages)
      yield* withIntegrationLock(
        env.settings.pipeline,
        false,
        Effect.gen(function* () {
          const progress = yield* makeProgress(progressModeFor(process.stderr))
          const stop = yield* stopRequest
          const run = yield* executeRun(
            env.settings,
            connected.integration,
            "seed",
            seedStages.filter((s) => enabled.has(s)),
            { fullRefresh: false, dryRun: false, wait: false, onProgress: progress.onProgress, stop },
            ["initial seed (first successful connect)"]
          )
          if (completed(run.status)) yield* (yield* Integrations).markSeeded(connected.integration.id)
          yield* Console.log(renderRun(run))
          if (!completed(run.status)) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
        })
      )
    }).pipe(Effect.provide(env.layer), Effect.scoped)
  }).pipe(Effect.catchAll(reportFailure("connect")))
