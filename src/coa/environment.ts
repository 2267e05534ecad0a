import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import type { BillcomSettings } from "../billcom/settings.ts"
import { BillcomTransport } from "../billcom/transport.ts"
import { BillcomWriter } from "../billcom/writer.ts"
import type { LoadedPipeline } from "../config/load.ts"
import { layerWithBillcomSettings } from "../emulator/for-pipeline.ts"
import { ChartReaderLive, ChartWriterLive } from "./billcom-adapter.ts"
import { CoaError } from "./errors.ts"
import type { LedgerAccount } from "./model.ts"
import type { PlanRequest } from "./planning.ts"

const transportLayers = (settings: BillcomSettings, write: boolean) => {
  const transport = BillcomTransport.layer(settings).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const reader = ChartReaderLive.pipe(Layer.provide(BillcomClient.layer))
  // Only `apply coa` gets a writer: `plan coa` cannot mutate Bill.com by construction.
  const services = write ? Layer.merge(reader, ChartWriterLive.pipe(Layer.provide(BillcomWriter.layer))) : reader
  return services.pipe(Layer.provide(transport))
}

/** ChartReader (and with `write`, ChartWriter) for a loaded pipeline, starting its in-process emulator if it uses one. */
export const coaBillcomLayer = (loaded: LoadedPipeline, options: { readonly write: boolean }) =>
  layerWithBillcomSettings(loaded, (settings) => transportLayers(settings, options.write)).pipe(
    Layer.mapError((e) =>
      e._tag === "EmulatorError"
        ? new CoaError({ reason: "billcom", message: `the in-process emulator failed to start: ${e.message}`, cause: e })
        : new CoaError({ reason: "billcom", message: `${e.message}${e.advice !== undefined ? ` (${e.advice})` : ""}`, cause: e })
    )
  )

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
