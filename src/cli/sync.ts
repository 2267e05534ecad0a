import { Console, Deferred, Effect } from "effect"
import { StoreError } from "../store/errors.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { reportFailure } from "./failure.ts"
import { loadEnvironment } from "./environment.ts"
import { renderOutcome } from "./tables.ts"
import { runSync, SyncError } from "../sync/runner.ts"
import type { StageName } from "../sync/stages.ts"
import { ExitCode, Exit, exitWith } from "./exit.ts"
import type { SyncOptions } from "./options.ts"
import { makeProgress, progressModeFor } from "./progress.ts"
import { stopRequest } from "./stop.ts"

/**
 * `billsync sync <pipeline>`: connect if needed, initial seed on the first run, setup gate, then
 * the full plan, with progress on stderr. Exit status: 0 succeeded; 0 succeeded with errors (the
 * count is printed; see `billsync errors`); 1 failed, refused (setup not completed), locked
 * (another sync is running), or more new integration errors than --fail-on-new-errors N; 130/143
 * after SIGINT/SIGTERM, once the run is recorded as interrupted and the summary printed. The stage
 * names and N were checked when the command line was parsed.
 */
export const run = (o: SyncOptions) =>
  Effect.gen(function* () {
    const stop = yield* stopRequest
    // --wait on the embedded database: queue behind the process holding it (its lock file), as on a server.
    const env = yield* loadEnvironment(o.pipeline, {
      ephemeral: o.ephemeral,
      newLedger: o.newLedger,
      wait: o.wait ? { until: Deferred.await(stop) } : undefined
    })
    const progress = yield* makeProgress(progressModeFor(process.stderr))
    const { outcome, fresh } = yield* Effect.gen(function* () {
      const outcome = yield* runSync(env.settings, {
        stages: o.stages as ReadonlyArray<StageName> | undefined,
        fullRefresh: o.fullRefresh,
        dryRun: o.dryRun,
        wait: o.wait,
        onProgress: progress.onProgress,
        stop
      })
      // New errors: first seen in this invocation's runs (seed and full) and still open.
      const runIds = outcome.runs.map((r) => r.runId).filter((id) => id > 0)
      const fresh =
        o.failOnNewErrors !== undefined
          ? yield* Effect.flatMap(IntegrationErrors, (e) => e.newInRuns(outcome.integration.id, runIds))
          : 0
      return { outcome, fresh }
    }).pipe(
      Effect.provide(env.layer),
      // Stopped before any run began (waiting for the lock, connecting): still one summary on stdout.
      Effect.tapError((e) =>
        o.json && (e instanceof SyncError || e instanceof StoreError) && e.reason === "interrupted"
          ? Console.log(
              JSON.stringify(
                { pipeline: env.settings.pipeline, runs: [], setupNotCompleted: [], interrupted: e.message },
                null,
                2
              )
            )
          : Effect.void
      )
    )
    if (o.json)
      yield* Console.log(
        JSON.stringify(
          {
            pipeline: env.settings.pipeline,
            runs: outcome.runs,
            setupNotCompleted: outcome.unmet,
            ...(o.failOnNewErrors !== undefined ? { newErrors: fresh } : {})
          },
          null,
          2
        )
      )
    else yield* Console.log(renderOutcome(outcome))
    const failed = outcome.runs.some((r) => r.status === "failed") || outcome.unmet.length > 0
    if (failed) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
    if (o.failOnNewErrors !== undefined && fresh > o.failOnNewErrors) {
      return yield* exitWith(
        Exit.problems,
        `billsync sync: ${fresh} new integration error(s) in this sync, more than --fail-on-new-errors ${o.failOnNewErrors}: see \`billsync errors ${env.settings.pipeline}\``
      )
    }
  }).pipe(Effect.scoped, Effect.catchAll(reportFailure("sync")))
