import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { progressEnabled, reportFailure } from "../sync/cli-support.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { loadEnvironment } from "../sync/environment.ts"
import { renderOutcome } from "../sync/report.ts"
import type { StageContext } from "../sync/handler.ts"
import { runSync, type ProgressEvent } from "../sync/runner.ts"
import { isStageName, stageOrder, type StageName } from "../sync/stages.ts"
import { ExitCode, Exit } from "./exit.ts"

/**
 * `billsync sync <pipeline>`: connect if needed, initial seed on the first run, setup gate, then
 * the full plan. Exit status: 0 succeeded; 0 succeeded with errors (the count is printed; see
 * `billsync errors`); 1 failed, refused (setup not completed), locked (another sync is running), or
 * more new integration errors than --fail-on-new-errors N.
 */
const pipeline = Args.text({ name: "pipeline" }).pipe(Args.withDescription("Pipeline name (pipelines/<name>.yaml) or path"))
const stages = Options.text("stages").pipe(Options.optional, Options.withDescription(`Comma-separated subset of: ${stageOrder.join(", ")}`))
const fullRefresh = Options.boolean("full-refresh").pipe(Options.withDescription("Re-pull every list from the beginning instead of from the cursors"))
const dryRun = Options.boolean("dry-run").pipe(Options.withDescription("Pull and evaluate, report what would change, write nothing"))
const json = Options.boolean("json").pipe(Options.withDescription("Print the result as JSON"))
const wait = Options.boolean("wait").pipe(Options.withDescription("Wait for a running sync of the same pipeline instead of exiting 1"))
const failOnNewErrors = Options.integer("fail-on-new-errors").pipe(
  Options.optional,
  Options.withDescription("Exit 1 when this sync records more than N new integration errors (first seen in this run, still open); 0 = any new error. For scheduled syncs that must alert")
)

const progress = (e: ProgressEvent) =>
  Effect.sync(() => {
    const c = e.counts
    if (e.phase === "start") process.stderr.write(`\r\x1b[K[${e.kind}] ${e.stage}…\n`)
    else
      process.stderr.write(
        `\r\x1b[K[${e.kind}] ${e.stage}: ${e.status} — pulled ${c.pulled}, inserted ${c.inserted}, updated ${c.updated}, unchanged ${c.unchanged}, skipped ${c.skipped}, errors ${c.errors} (${((e.durationMs ?? 0) / 1000).toFixed(1)}s, ${c.apiCalls} requests)\n`
      )
  })

const batchProgress = (ctx: StageContext) =>
  Effect.sync(() => process.stderr.write(`  ${ctx.stage}: ${ctx.counts.pulled} pulled, ${ctx.counts.inserted + ctx.counts.updated} written, ${ctx.counts.reevaluated} re-evaluated…\r`))

export const parseStages = (text: string) =>
  Effect.gen(function* () {
    const names = text.split(",").map((s) => s.trim()).filter((s) => s !== "")
    const bad = names.filter((s) => !isStageName(s))
    if (bad.length > 0) {
      yield* Console.error(`billsync sync: unknown stage(s) ${bad.join(", ")}; stages are ${stageOrder.join(", ")}`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    return names as Array<StageName>
  })

export const syncCommand = Command.make("sync", { pipeline, stages, fullRefresh, dryRun, json, wait, failOnNewErrors }, (o) =>
  Effect.gen(function* () {
    if (Option.isSome(o.failOnNewErrors) && o.failOnNewErrors.value < 0) {
      yield* Console.error(`billsync sync: --fail-on-new-errors ${o.failOnNewErrors.value} must be 0 or more`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    const only = Option.isSome(o.stages) ? yield* parseStages(o.stages.value) : undefined
    const env = yield* loadEnvironment(o.pipeline)
    const { outcome, fresh } = yield* Effect.gen(function* () {
      const outcome = yield* runSync(env.settings, {
        stages: only,
        fullRefresh: o.fullRefresh,
        dryRun: o.dryRun,
        wait: o.wait,
        onProgress: !o.json && progressEnabled() ? progress : undefined,
        afterBatch: !o.json && progressEnabled() ? batchProgress : undefined
      })
      // New errors: first seen in this invocation's runs (seed and full) and still open.
      const runIds = outcome.runs.map((r) => r.runId).filter((id) => id > 0)
      const fresh = Option.isSome(o.failOnNewErrors) ? yield* Effect.flatMap(IntegrationErrors, (e) => e.newInRuns(outcome.integration.id, runIds)) : 0
      return { outcome, fresh }
    }).pipe(Effect.provide(env.layer))
    if (o.json) yield* Console.log(JSON.stringify({ pipeline: env.settings.pipeline, runs: outcome.runs, setupNotCompleted: outcome.unmet }, null, 2))
    else yield* Console.log(renderOutcome(outcome))
    const failed = outcome.runs.some((r) => r.status === "failed") || outcome.unmet.length > 0
    if (failed) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
    if (Option.isSome(o.failOnNewErrors)) {
      const threshold = o.failOnNewErrors.value
      if (fresh > threshold) {
        yield* Console.error(
          `billsync sync: ${fresh} new integration error(s) in this sync, more than --fail-on-new-errors ${threshold}: see \`billsync errors ${env.settings.pipeline}\``
        )
        return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
      }
    }
  }).pipe(Effect.catchAll(reportFailure("sync")))
).pipe(Command.withDescription("Sync Bill.com into the ledger: initial seed on the first run, then the full plan (setup gate first). Exit status: 0 succeeded, 0 succeeded with errors (count printed; see `billsync errors`), 1 failed / setup not completed / another sync running / more new errors than --fail-on-new-errors, 64 usage error"))
