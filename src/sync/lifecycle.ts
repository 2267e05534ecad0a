import { Effect } from "effect"
import { Integrations } from "../store/integrations.ts"
import { SyncError } from "./errors.ts"
import type { SyncSettings } from "./settings.ts"
import { Source } from "./source.ts"

/**
 * Step 1 of the reference: the integration goes pending, logs in to Bill.com and checks the
 * session; it ends connected (with the user id) or in error with Bill.com's message and advice.
 * With persist false (dry runs) the state is not written.
 */
export const connectIntegration = Effect.fn("Sync.connect")(function* (
  settings: SyncSettings,
  options: { readonly persist: boolean }
) {
  const integrations = yield* Integrations
  const source = yield* Source
  const row = yield* integrations.ensure({
    pipeline: settings.pipeline,
    company: settings.company,
    organizationId: settings.organizationId,
    environment: settings.environment,
    currency: settings.currency
  })
  if (options.persist) yield* integrations.setPending(row.id)
  const session = yield* source.session.pipe(
    Effect.catchTag("SourceError", (e) =>
      Effect.zipRight(
        options.persist ? integrations.setError(row.id, e.message, e.advice) : Effect.void,
        Effect.fail(new SyncError({ reason: "connect-failed", message: e.message, advice: e.advice, cause: e }))
      )
    )
  )
  if (options.persist) yield* integrations.setConnected(row.id, session.userId)
  const integration = (yield* integrations.find(settings.pipeline))!
  yield* Effect.logInfo(`connected to Bill.com organization ${session.organizationId} as user ${session.userId}`)
  return { integration, session, firstConnect: row.seededAt === null }
})
