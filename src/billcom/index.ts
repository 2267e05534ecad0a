/**
 * The Bill.com client (docs/design.md "Client"). Read side: BillcomClient (streams of Pulled
 * records, session check, v2 approval / chart-of-account reads, stats). Write side: BillcomWriter
 * (chart of accounts only). Both over one BillcomTransport per run: compose with `billcomLayer`.
 */
import type { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Layer } from "effect"
import { BillcomClient } from "./client.ts"
import type { BillcomSettings } from "./settings.ts"
import { BillcomTransport } from "./transport.ts"
import { BillcomWriter } from "./writer.ts"

export { BillcomClient, type BillcomClientApi } from "./client.ts"
export { BillcomWriter, type BillcomWriterApi, type ChartOfAccountCreate, type ChartOfAccountPatch } from "./writer.ts"
export { BillcomTransport, type Transport, type Call } from "./transport.ts"
export { BillcomError, CREDENTIALS_ADVICE, type BillcomErrorReason } from "./errors.ts"
export {
  settingsFromPipeline,
  makeSettings,
  type BillcomSettings,
  type SettingsInput,
  DEFAULT_DEV_KEY_VARIABLE
} from "./settings.ts"
export type { BillcomStats } from "./stats.ts"
export type { Pulled } from "./pulled.ts"
export type { ListOptions } from "./lists.ts"
export type { BillApproval } from "./legacy.ts"
export { RESOURCES, isResourceName, type ResourceName, type ResourceType } from "./resources.ts"
export * from "./models/primitives.ts"
export * from "./models/payables.ts"
export * from "./models/master.ts"
export * from "./models/legacy.ts"

/** Client + writer sharing one transport (session, limiter, stats) over a given HttpClient. */
export const billcomLayerWith = (
  settings: BillcomSettings
): Layer.Layer<BillcomClient | BillcomWriter | BillcomTransport, never, HttpClient.HttpClient> =>
  Layer.merge(BillcomClient.layer, BillcomWriter.layer).pipe(Layer.provideMerge(BillcomTransport.layer(settings)))

/** Client + writer + transport over Node's undici client. Use only where COA writes are wanted (apply coa). */
export const billcomLayer = (settings: BillcomSettings) =>
  billcomLayerWith(settings).pipe(Layer.provide(NodeHttpClient.layerUndici))
