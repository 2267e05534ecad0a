import { Effect, Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import { loadPipeline, type LoadedPipeline } from "../config/load.ts"
import { layerWithBillcomSettings } from "../emulator/for-pipeline.ts"
import { clientLayer, refuseEmbeddedInCi, targetFor, type DatabaseAccess, type DatabaseTarget } from "../store/database.ts"
import { keyBudgetsFor } from "../store/key-budget.ts"
import { StoreServices } from "../store/services.ts"
import { billcomSourceLayer } from "./billcom-source.ts"
import { settingsFromConfig } from "./from-config.ts"

/** The database and every store repository over a target (write: created and migrated when needed; read: must exist). */
export const storeLayer = (target: DatabaseTarget, access: DatabaseAccess = "write") => StoreServices.pipe(Layer.provideMerge(clientLayer(target, access)))

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
    const target = yield* databaseFor(loaded, options)
    yield* refuseEmbeddedInCi(target, options.ephemeral === true)
    return {
      loaded,
      target,
      settings: settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir),
      // Bill.com's budgets of the devKey are shared through the ledger's Postgres (none on the embedded database).
      layer: sourceLayer(loaded).pipe(Layer.provide(keyBudgetsFor(target)), Layer.provideMerge(storeLayer(target, "write")))
    }
  })

/** A pipeline with only the database side, read-only (status, errors, report: no Bill.com call, nothing created or migrated). */
export const loadStoreEnvironment = (nameOrPath: string, options: EnvironmentOptions = {}) =>
  Effect.gen(function* () {
    const loaded = yield* loadPipeline(nameOrPath)
    const target = yield* databaseFor(loaded, options)
    return { loaded, target, settings: settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir), layer: storeLayer(target, "read") }
  })
