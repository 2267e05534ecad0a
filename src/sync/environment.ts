import { Effect, Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import { settingsFromPipeline } from "../billcom/settings.ts"
import { loadPipeline, type LoadedPipeline } from "../config/load.ts"
import { credentialsForSeed, Emulator } from "../emulator/index.ts"
import { clientLayer, DatabaseLive, type DatabaseTarget } from "../store/database.ts"
import { StoreServices } from "../store/services.ts"
import { billcomSourceLayer } from "./billcom-source.ts"
import { settingsFromConfig } from "./from-config.ts"

/** The database and every store repository: DATABASE_URL, else the embedded database (or an explicit target). */
export const storeLayer = (database?: DatabaseTarget) => StoreServices.pipe(Layer.provideMerge(database ? clientLayer(database) : DatabaseLive))

const usesInProcessEmulator = (loaded: LoadedPipeline) => loaded.pipeline.billcom.environment === "emulator" && loaded.pipeline.billcom.baseUrl === undefined

/**
 * The Bill.com side of a pipeline. `environment: emulator` without baseUrl starts the in-process
 * emulator (seed from the pipeline, default demo) for the command's lifetime; its credential
 * variables, when unset, default to that emulator's credentials (emulator credentials are not secrets).
 */
export const sourceLayer = (loaded: LoadedPipeline) => {
  const pipeline = loaded.pipeline
  if (!usesInProcessEmulator(loaded)) {
    return Layer.unwrapEffect(Effect.map(settingsFromPipeline(pipeline, process.env), (s) => billcomSourceLayer.pipe(Layer.provide(BillcomClient.live(s)))))
  }
  const seed = pipeline.billcom.emulator?.seed ?? "demo"
  return Layer.unwrapEffect(
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const creds = credentialsForSeed(seed)
      const names = pipeline.billcom.credentials
      const defaults: Array<[string, string]> = [
        [names.username, creds.username],
        [names.password, creds.password],
        [names.devKey ?? "BILLCOM_DEFAULT_DEV_KEY", creds.devKey]
      ]
      for (const [name, value] of defaults) {
        if (process.env[name] === undefined || process.env[name] === "") {
          process.env[name] = value
          yield* Effect.logInfo(`${name} is unset: using the in-process emulator's credential`)
        }
      }
      const settings = yield* settingsFromPipeline(pipeline, process.env, { v3BaseUrl: emulator.v3BaseUrl, v2BaseUrl: emulator.v2BaseUrl })
      return billcomSourceLayer.pipe(Layer.provide(BillcomClient.live(settings)))
    })
  ).pipe(Layer.provide(Emulator.layer({ seed })))
}

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
