import { Console, Effect } from "effect"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations } from "../store/integrations.ts"
import { reportFailure } from "./failure.ts"
import { loadStoreEnvironment } from "./environment.ts"
import { neverSynced, renderErrors } from "./tables.ts"
import { Exit, exitWith } from "./exit.ts"
import type { ErrorsOptions } from "./options.ts"

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
