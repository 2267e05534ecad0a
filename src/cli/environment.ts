import { Secrets } from "../billcom/secrets.ts"
import { registerPipelineSecrets } from "../billcom/settings.ts"
import { Effect, Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import { chartLayers } from "../coa/environment.ts"
import { CoaError } from "../coa/errors.ts"
import { loadPipeline, type LoadedPipeline } from "../config/load.ts"
import { layerWithBillcomSettings } from "./emulated.ts"
import {
  clientLayer,
  refuseEmbeddedInCi,
  targetFor,
  type ClientOptions,
  type DatabaseAccess,
  type DatabaseTarget
} from "../store/database.ts"
import { keyBudgetsFor } from "../store/key-budget.ts"
import { StoreServices } from "../ledger/services.ts"
import { billcomSourceLayer } from "../sync/billcom-source.ts"
import { settingsFromConfig } from "../sync/from-config.ts"

/** The database and every store repository over a target (write: created and migrated when needed; read: must exist). */
export const storeLayer = (target: DatabaseTarget, access: DatabaseAccess = "write", options: ClientOptions = {}) =>
  StoreServices.pipe(Layer.provideMerge(clientLayer(target, access, options)))

/**
 * The Bill.com side of a pipeline (for `environment: emulator` without baseUrl, an in-process
 * emulator lives as long as the command: see layerWithBillcomSettings).
 */
export const sourceLayer = (loaded: LoadedPipeline) =>
  layerWithBillcomSettings(loaded, (settings) => billcomSourceLayer.pipe(Layer.provide(BillcomClient.live(settings))))

export interface EnvironmentOptions {
  /** An explicit database instead of DATABASE_URL / the embedded one. */
  readonly database?: DatabaseTarget | undefined
  /** CI: the embedded database is allowed (connect/sync/apply --ephemeral). */
  readonly ephemeral?: boolean | undefined
  /** `sync --wait`: queue behind another process holding the embedded database. */
  readonly wait?: ClientOptions["wait"]
  /** `--new-ledger`: the embedded database that existed is gone; create a new, empty one. */
  readonly newLedger?: boolean | undefined
}

/** The pipeline's database: explicit, else from the environment (emulator pipelines have their own embedded one). */
export const databaseFor = (loaded: LoadedPipeline, options: EnvironmentOptions = {}) =>
  options.database !== undefined ? Effect.succeed(options.database) : targetFor(loaded.pipeline.billcom.environment)

/**
 * A pipeline loaded and checked, with the layers a command that writes needs (connect, sync, demo).
 * In CI the embedded database is refused unless `ephemeral` (see refuseEmbeddedInCi).
 */
export const loadEnvironment = (nameOrPath: string, options: EnvironmentOptions = {}) =>
  Effect.gen(function* () {
    const loaded = yield* loadPipeline(nameOrPath)
    registerPipelineSecrets(loaded.pipeline, yield* Secrets)
    const target = yield* databaseFor(loaded, options)
    yield* refuseEmbeddedInCi(target, options.ephemeral === true)
    return {
      loaded,
      target,
      settings: settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir),
      // Bill.com's budgets of the devKey are shared through the ledger's Postgres (none on the embedded database).
      layer: sourceLayer(loaded).pipe(
        Layer.provide(keyBudgetsFor(target)),
        Layer.provideMerge(storeLayer(target, "write", { wait: options.wait, newLedger: options.newLedger }))
      )
    }
  })

/** A pipeline with only the database side, read-only (status, errors, report: no Bill.com call, nothing created or migrated). */
export const loadStoreEnvironment = (nameOrPath: string, options: EnvironmentOptions = {}) =>
  Effect.gen(function* () {
    const loaded = yield* loadPipeline(nameOrPath)
    registerPipelineSecrets(loaded.pipeline, yield* Secrets)
    const target = yield* databaseFor(loaded, options)
    return {
      loaded,
      target,
      settings: settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir),
      layer: storeLayer(target, "read")
    }
  })

/** ChartReader (and with `write`, ChartWriter) for a loaded pipeline, starting its in-process emulator if it uses one. */
export const coaBillcomLayer = (loaded: LoadedPipeline, options: { readonly write: boolean }) =>
  layerWithBillcomSettings(loaded, (settings) => chartLayers(settings, options.write)).pipe(
    Layer.mapError((e) =>
      e._tag === "EmulatorError"
        ? new CoaError({
            reason: "billcom",
            message: `the in-process emulator failed to start: ${e.message}`,
            cause: e
          })
        : new CoaError({
            reason: "billcom",
            message: `${e.message}${e.advice !== undefined ? ` (${e.advice})` : ""}`,
            cause: e
          })
    )
  )
