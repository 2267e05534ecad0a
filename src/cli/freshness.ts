import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { readPipelineIndex } from "../coa/pipeline-index.ts"
import { Integrations } from "../store/integrations.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { storeLayer } from "../sync/environment.ts"
import { freshness, renderFreshness } from "../sync/freshness.ts"
import { Exit, ExitCode } from "./exit.ts"

/**
 * `billsync freshness [pipeline…]`: reports scheduled pipelines whose last good sync is older than
 * twice their schedule (or that never synced). Reads the database only. Exit 1 when any is stale,
 * so a scheduled workflow fails and alerts.
 */
const pipelines = Args.text({ name: "pipeline" }).pipe(
  Args.repeated,
  Args.withDescription("Pipelines to check (default: every pipelines/*.yaml with a schedule, except environment: emulator)")
)
const json = Options.boolean("json").pipe(Options.withDescription("Print as JSON"))

export const freshnessCommand = Command.make("freshness", { pipelines, json }, (o) =>
  Effect.gen(function* () {
    const index = readPipelineIndex(process.cwd())
    const unknown = o.pipelines.filter((name) => !index.some((p) => p.name === name))
    if (unknown.length > 0) {
      yield* Console.error(`billsync freshness: unknown pipeline(s) ${unknown.join(", ")}; pipelines are ${index.map((p) => p.name).join(", ")}`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    const chosen = (o.pipelines.length > 0 ? index.filter((p) => o.pipelines.includes(p.name)) : index.filter((p) => p.environment !== "emulator")).filter(
      (p) => p.schedule !== undefined
    )
    const now = new Date()
    const rows = yield* Effect.forEach(chosen, (p) =>
      Effect.gen(function* () {
        const integration = yield* (yield* Integrations).find(p.name)
        const lastGood = integration === undefined ? undefined : yield* (yield* Runs).lastGood(integration.id)
        return freshness({ pipeline: p.name, schedule: p.schedule!, lastGood }, now)
      })
    ).pipe(Effect.provide(storeLayer()))
    yield* Console.log(o.json ? JSON.stringify(rows, null, 2) : renderFreshness(rows))
    if (rows.some((r) => r.state !== "fresh")) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
  }).pipe(Effect.catchAll(reportFailure("freshness")))
).pipe(Command.withDescription("Report scheduled pipelines whose last good sync is older than twice their schedule (exit 1 if any)"))
