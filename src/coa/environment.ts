import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import type { BillcomSettings } from "../billcom/settings.ts"
import { BillcomTransport } from "../billcom/transport.ts"
import { BillcomWriter } from "../billcom/writer.ts"
import type { LoadedPipeline } from "../config/load.ts"
import { ChartReaderLive, ChartWriterLive } from "./billcom-adapter.ts"
import type { LedgerAccount } from "./model.ts"
import type { PlanRequest } from "./planning.ts"

/** ChartReader (and with `write`, ChartWriter) over Bill.com with these settings. */
export const chartLayers = (settings: BillcomSettings, write: boolean) => {
  const transport = BillcomTransport.layer(settings).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const reader = ChartReaderLive.pipe(Layer.provide(BillcomClient.layer))
  // Only `apply coa` gets a writer: `plan coa` cannot mutate Bill.com by construction.
  const services = write ? Layer.merge(reader, ChartWriterLive.pipe(Layer.provide(BillcomWriter.layer))) : reader
  return services.pipe(Layer.provide(transport))
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
