import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import { settingsFromPipeline, type BillcomSettings } from "../billcom/settings.ts"
import { BillcomTransport } from "../billcom/transport.ts"
import { BillcomWriter } from "../billcom/writer.ts"
import type { LoadedPipeline } from "../config/load.ts"
import { credentialsForSeed, Emulator } from "../emulator/index.ts"
import { ChartReaderLive, ChartWriterLive } from "./billcom-adapter.ts"
import { CoaError } from "./errors.ts"
import type { LedgerAccount } from "./model.ts"
import type { PlanRequest } from "./planning.ts"

const inProcessEmulator = (loaded: LoadedPipeline) =>
  loaded.pipeline.billcom.environment === "emulator" && loaded.pipeline.billcom.baseUrl === undefined

/** The transport's settings; an in-process emulator's credentials stand in for unset variables (they are not secrets). */
const settingsFor = (loaded: LoadedPipeline, emulator?: { readonly v3BaseUrl: string; readonly v2BaseUrl: string; readonly seed: string }) => {
  const pipeline = loaded.pipeline
  let env: Readonly<Record<string, string | undefined>> = process.env
  if (emulator !== undefined) {
    const creds = credentialsForSeed(emulator.seed)
    const names = pipeline.billcom.credentials
    const fallback: Record<string, string> = {
      [names.username]: creds.username,
      [names.password]: creds.password,
      [names.devKey ?? "BILLCOM_DEFAULT_DEV_KEY"]: creds.devKey
    }
    env = Object.fromEntries(Object.entries(fallback).map(([k, v]) => [k, process.env[k] !== undefined && process.env[k] !== "" ? process.env[k] : v]))
  }
  return settingsFromPipeline(pipeline, env, emulator).pipe(
    Effect.mapError((e) => new CoaError({ reason: "billcom", message: `${e.message}${e.advice !== undefined ? ` (${e.advice})` : ""}`, cause: e }))
  )
}

const transportLayers = (settings: BillcomSettings, write: boolean) => {
  const transport = BillcomTransport.layer(settings).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const reader = ChartReaderLive.pipe(Layer.provide(BillcomClient.layer))
  // Only `apply coa` gets a writer: `plan coa` cannot mutate Bill.com by construction.
  const services = write ? Layer.merge(reader, ChartWriterLive.pipe(Layer.provide(BillcomWriter.layer))) : reader
  return services.pipe(Layer.provide(transport))
}

/** ChartReader (and with `write`, ChartWriter) for a loaded pipeline, starting its in-process emulator if it uses one. */
export const coaBillcomLayer = (loaded: LoadedPipeline, options: { readonly write: boolean }) => {
  if (!inProcessEmulator(loaded)) return Layer.unwrapEffect(Effect.map(settingsFor(loaded), (s) => transportLayers(s, options.write)))
  const seed = loaded.pipeline.billcom.emulator?.seed ?? "demo"
  return Layer.unwrapEffect(
    Effect.gen(function* () {
      const emulator = yield* Emulator
      const settings = yield* settingsFor(loaded, { v3BaseUrl: emulator.v3BaseUrl, v2BaseUrl: emulator.v2BaseUrl, seed })
      return transportLayers(settings, options.write)
    })
  ).pipe(
    Layer.provide(
      Emulator.layer({ seed }).pipe(Layer.mapError((e) => new CoaError({ reason: "billcom", message: `the in-process emulator failed to start: ${e.message}`, cause: e })))
    )
  )
}

/** What the planner needs from a loaded pipeline. */
export const planRequestOf = (loaded: LoadedPipeline): PlanRequest => ({
  pipeline: {
    name: loaded.pipeline.name,
    file: loaded.file,
    company: loaded.pipeline.company,
    organizationId: loaded.pipeline.billcom.organizationId,
    environment: loaded.pipeline.billcom.environment
  },
  policy: loaded.pipeline.coa,
  ledger: loaded.mappings.accounts.map((a): LedgerAccount => ({ ...a })),
  root: loaded.root,
  mappingsDir: loaded.mappingsDir
})
