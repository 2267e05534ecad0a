import { Console, Effect } from "effect"
import { reportFailure } from "../sync/cli-support.ts"
import { loadEnvironment } from "../sync/environment.ts"
import { renderOutcome } from "../sync/report.ts"
import { runSync } from "../sync/runner.ts"
import type { StageName } from "../sync/stages.ts"
import { ExitCode, Exit } from "./exit.ts"
import type { SyncOptions } from "./program.ts"
import { makeProgress, progressModeFor } from "./progress.ts"

/**
 * `billsync sync <pipeline>`: connect if needed, initial seed on the first run, setup gate, then
 * the full plan, with progress on stderr. Exit status: 0 succeeded; 0 succeeded with errors (the
 * count is printed; see `billsync errors`); 1 failed, refused (setup not completed) or locked
 * (another sync is running). The stage names were checked when the command line was parsed.
 */
export const run = (o: SyncOptions) =>
  Effect.gen(function* () {
    const env = yield* loadEnvironment(o.pipeline, { ephemeral: o.ephemeral })
    const progress = yield* makeProgress(progressModeFor(process.stderr))
    const outcome = yield* runSync(env.settings, {
      stages: o.stages as ReadonlyArray<StageName> | undefined,
      fullRefresh: o.fullRefresh,
      dryRun: o.dryRun,
      wait: o.wait,
      onProgress: progress.onProgress
    }).pipe(Effect.provide(env.layer))
    if (o.json) yield* Console.log(JSON.stringify({ pipeline: env.settings.pipeline, runs: outcome.runs, setupNotCompleted: outcome.unmet }, null, 2))
    else yield* Console.log(renderOutcome(outcome))
    const failed = outcome.runs.some((r) => r.status === "failed") || outcome.unmet.length > 0
    if (failed) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
  }).pipe(Effect.scoped, Effect.catchAll(reportFailure("sync")))
