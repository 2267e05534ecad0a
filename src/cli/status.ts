import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations } from "../store/integrations.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadStoreEnvironment } from "../sync/environment.ts"
import { evaluateGate } from "../sync/gate.ts"
import { cutoffState, renderStatus } from "../sync/report.ts"
import { ExitCode, Exit } from "./exit.ts"

/**
 * `billsync status <pipeline>`: the setup gate (every unmet condition with its fix), the cutoff in
 * force (and the pipeline's, when the next sync changes it), the last runs and open error counts, from the database only (no Bill.com call). Exit 1 when setup is not completed.
 */
const pipeline = Args.text({ name: "pipeline" })
const json = Options.boolean("json").pipe(Options.withDescription("Print as JSON"))

export const statusCommand = Command.make("status", { pipeline, json }, (o) =>
  Effect.gen(function* () {
    const env = yield* loadStoreEnvironment(o.pipeline)
    const result = yield* Effect.gen(function* () {
      const integrations = yield* Integrations
      const integration = yield* integrations.ensure({
        pipeline: env.settings.pipeline,
        company: env.settings.company,
        organizationId: env.settings.organizationId,
        environment: env.settings.environment,
        currency: env.settings.currency
      })
      const unmet = yield* evaluateGate(env.settings, integration)
      const runs = yield* (yield* Runs).recent(integration.id, 10)
      const open = yield* (yield* IntegrationErrors).openCounts(integration.id)
      return { integration, unmet, runs, open }
    }).pipe(Effect.provide(env.layer))
    if (o.json) {
      yield* Console.log(
        JSON.stringify({ integration: result.integration, cutoff: cutoffState(result.integration.cutoff, env.settings.cutoff), setupCompleted: result.unmet.length === 0, unmet: result.unmet, runs: result.runs, openErrors: Object.fromEntries(result.open) }, null, 2)
      )
    } else yield* Console.log(renderStatus(result.integration, result.unmet, result.runs, result.open, env.settings.cutoff))
    if (result.unmet.length > 0) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
  }).pipe(Effect.catchAll(reportFailure("status")))
).pipe(Command.withDescription("Show the setup check (every unmet condition and its fix), the cutoff in force, last runs and open error counts"))
