import { Console, Effect } from "effect"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations } from "../store/integrations.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadStoreEnvironment } from "../sync/environment.ts"
import { neverSynced, renderErrors } from "../sync/report.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ErrorsOptions } from "./program.ts"

/** `billsync errors <pipeline>`: the open integration errors (symptom, cause, resolution, detail). Exit 0 whatever the count. */
export const run = (o: ErrorsOptions) =>
  Effect.gen(function* () {
    const env = yield* loadStoreEnvironment(o.pipeline)
    const errors = yield* Effect.gen(function* () {
      const integration = yield* (yield* Integrations).find(env.settings.pipeline)
      if (integration === undefined) return undefined
      return yield* (yield* IntegrationErrors).open(integration.id, o.stage)
    }).pipe(Effect.provide(env.layer))
    if (errors === undefined) return yield* exitWith(Exit.problems, neverSynced(env.settings.pipeline))
    yield* Console.log(o.json ? JSON.stringify(errors, null, 2) : renderErrors(errors))
  }).pipe(Effect.catchAll(reportFailure("errors")))
