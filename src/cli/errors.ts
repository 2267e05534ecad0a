import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Integrations } from "../store/integrations.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { loadStoreEnvironment } from "../sync/environment.ts"
import { renderErrors } from "../sync/report.ts"
import { isStageName, stageOrder } from "../sync/stages.ts"
import { ExitCode, Exit } from "./exit.ts"

/** `billsync errors <pipeline>`: the open integration errors (symptom, cause, resolution, detail). Exit 0 whatever the count. */
const pipeline = Args.text({ name: "pipeline" })
const json = Options.boolean("json").pipe(Options.withDescription("Print as JSON"))
const stage = Options.text("stage").pipe(Options.optional, Options.withDescription(`Only this stage (${stageOrder.join(", ")})`))

export const errorsCommand = Command.make("errors", { pipeline, json, stage }, (o) =>
  Effect.gen(function* () {
    if (Option.isSome(o.stage) && !isStageName(o.stage.value)) {
      yield* Console.error(`billsync errors: unknown stage ${o.stage.value}; stages are ${stageOrder.join(", ")}`)
      return yield* Effect.fail(new ExitCode({ code: Exit.usage }))
    }
    const env = yield* loadStoreEnvironment(o.pipeline)
    const errors = yield* Effect.gen(function* () {
      const integration = yield* (yield* Integrations).find(env.settings.pipeline)
      if (integration === undefined) return []
      return yield* (yield* IntegrationErrors).open(integration.id, Option.getOrUndefined(o.stage))
    }).pipe(Effect.provide(env.layer))
    yield* Console.log(o.json ? JSON.stringify(errors, null, 2) : renderErrors(errors))
  }).pipe(Effect.catchAll(reportFailure("errors")))
).pipe(Command.withDescription("List open integration errors (one per failing record) with how to resolve them"))
