import { Effect, Layer } from "effect"
import type { BillcomError } from "../billcom/errors.ts"
import { settingsFromPipeline, type BillcomSettings } from "../billcom/settings.ts"
import type { LoadedPipeline } from "../config/load.ts"
import { credentialsForSeed } from "../emulator/generator.ts"
import { Emulator, type EmulatorError } from "../emulator/index.ts"

/** `environment: emulator` without a baseUrl means: start the emulator in-process for this command. */
export const usesInProcessEmulator = (loaded: LoadedPipeline): boolean =>
  loaded.pipeline.billcom.environment === "emulator" && loaded.pipeline.billcom.baseUrl === undefined

/**
 * Builds a layer from the pipeline's Bill.com settings (one place for sync, plan and apply).
 * For an in-process emulator it starts the emulator (seed from the pipeline, default demo) for the
 * layer's lifetime, and an unset credential variable falls back to that emulator's credential:
 * emulator credentials are not secrets, and this lets `npm run demo` work on a fresh machine.
 * Real environments read only the variables the pipeline names.
 */
export const layerWithBillcomSettings = <ROut, E, RIn>(
  loaded: LoadedPipeline,
  build: (settings: BillcomSettings) => Layer.Layer<ROut, E, RIn>
): Layer.Layer<ROut, E | BillcomError | EmulatorError, RIn> => {
  const pipeline = loaded.pipeline
  if (!usesInProcessEmulator(loaded)) {
    return Layer.unwrapEffect(Effect.map(settingsFromPipeline(pipeline, process.env), build))
  }
  const seed = pipeline.billcom.emulator?.seed ?? "demo"
  return Layer.unwrapEffect(
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const creds = credentialsForSeed(seed)
      const names = pipeline.billcom.credentials
      const env: Record<string, string | undefined> = { ...process.env }
      for (const [name, value] of [
        [names.username, creds.username],
        [names.password, creds.password],
        [names.devKey ?? "BILLCOM_DEFAULT_DEV_KEY", creds.devKey]
      ] as const) {
        if (env[name] === undefined || env[name] === "") {
          env[name] = value
          yield* Effect.logInfo(`${name} is unset: using the in-process emulator's credential`)
        }
      }
      const settings = yield* settingsFromPipeline(pipeline, env, {
        v3BaseUrl: emulator.v3BaseUrl,
        v2BaseUrl: emulator.v2BaseUrl
      })
      return build(settings)
    })
  ).pipe(Layer.provide(Emulator.layer({ seed, cursorMode: pipeline.billcom.emulator?.cursorMode ?? "live" })))
}
