import { Console, Effect } from "effect"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations } from "../store/integrations.ts"
import { Runs } from "../store/runs.ts"
import { reportFailure } from "./failure.ts"
import { loadStoreEnvironment } from "./environment.ts"
import { evaluateGate } from "../sync/gate.ts"
import { cutoffState, neverSynced, renderStatus } from "./tables.ts"
import { Exit, ExitCode, exitWith } from "./exit.ts"
import type { StatusOptions } from "./options.ts"

/**
 * `billsync status <pipeline>`: the setup gate (every unmet condition with its fix), the cutoff in
 * force (and the pipeline's, when the next sync changes it), the last runs and open error counts,
 * from the database only (no Bill.com call, nothing written).
 * Exit 1 when setup is not completed, or the pipeline has never been connected in this database.
 */
export const run = (o: StatusOptions) =>
  Effect.gen(function* () {
    const env = yield* loadStoreEnvironment(o.pipeline)
    const result = yield* Effect.gen(function* () {
      const integration = yield* (yield* Integrations).find(env.settings.pipeline)
      if (integration === undefined) return undefined
      const unmet = yield* evaluateGate(env.settings, integration)
      const runs = yield* (yield* Runs).recent(integration.id, 10)
      const open = yield* (yield* IntegrationErrors).openCounts(integration.id)
      return { integration, unmet, runs, open }
    }).pipe(Effect.provide(env.layer))
    if (result === undefined) return yield* exitWith(Exit.problems, neverSynced(env.settings.pipeline))
    if (o.json) {
      yield* Console.log(
        JSON.stringify(
          {
            integration: result.integration,
            cutoff: cutoffState(result.integration.cutoff, env.settings.cutoff),
            setupCompleted: result.unmet.length === 0,
            unmet: result.unmet,
            runs: result.runs,
            openErrors: Object.fromEntries(result.open)
          },
          null,
          2
        )
      )
    } else
      yield* Console.log(renderStatus(result.integration, result.unmet, result.runs, result.open, env.settings.cutoff))
    if (result.unmet.length > 0) return yield* Effect.fail(new ExitCode({ code: Exit.problems }))
  }).pipe(Effect.catchAll(reportFailure("status")))
