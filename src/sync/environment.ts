import { Effect, Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import { loadPipeline, type LoadedPipeline } from "../config/load.ts"
import { layerWithBillcomSettings } from "../emulator/for-pipeline.ts"
import { clientLayer, DatabaseLive, type DatabaseTarget } from "../store/database.ts"
import { StoreServices } from "../store/services.ts"
import { billcomSourceLayer } from "./billcom-source.ts"
import { settingsFromConfig } from "./from-config.ts"

/** The database and every store repository: DATABASE_URL, else the embedded database (or an explicit target). */
export const storeLayer = (database?: DatabaseTarget) => StoreServices.pipe(Layer.provideMerge(database ? clientLayer(database) : DatabaseLive))

/**
 * The Bill.com side of a pipeline (for `environment: emulator` without baseUrl, an in-process
 * emulator lives as long as the command: see layerWithBillcomSettings).
 */
export const sourceLayer = (loaded: LoadedPipeline) =>
  layerWithBillcomSettings(loaded, (settings) => billcomSourceLayer.pipe(Layer.provide(BillcomClient.live(settings))))

/** A pipeline loaded and checked, with the layers a sync command needs. */
export const loadEnvironment = (nameOrPath: string, options: { readonly database?: DatabaseTarget } = {}) =>
  Effect.map(loadPipeline(nameOrPath), (loaded) => ({
    loaded,
    settings: settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir),
    layer: Layer.merge(storeLayer(options.database), sourceLayer(loaded))
  }))

/** A pipeline with only the database side (status, errors: no Bill.com call). */
export const loadStoreEnvironment = (nameOrPath: string, options: { readonly database?: DatabaseTarget } = {}) =>
  Effect.map(loadPipeline(nameOrPath), (loaded) => ({
    loaded,
    settings: settingsFromConfig(loaded.pipeline, loaded.mappings, loaded.mappingsDir),
    layer: storeLayer(options.database)
  }))
