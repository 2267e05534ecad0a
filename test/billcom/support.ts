import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { BillcomClient } from "../../src/billcom/client.ts"
import { makeSettings, type BillcomSettings, type SettingsInput } from "../../src/billcom/settings.ts"
import { BillcomTransport } from "../../src/billcom/transport.ts"
import { BillcomWriter } from "../../src/billcom/writer.ts"
import { Emulator, type EmulatorApi } from "../../src/emulator/index.ts"

/** Settings pointing at a running emulator; small retry delays so fault tests stay quick. */
export const settingsFor = (emulator: EmulatorApi, overrides: Partial<SettingsInput> = {}): BillcomSettings =>
  makeSettings({
    v3BaseUrl: emulator.v3BaseUrl,
    v2BaseUrl: emulator.v2BaseUrl,
    organizationId: emulator.credentials.organizationId,
    credentials: {
      devKey: emulator.credentials.devKey,
      username: emulator.credentials.username,
      password: emulator.credentials.password
    },
    retry: { retries: 8, baseDelay: "5 millis", maxDelay: "100 millis" },
    pipeline: "test",
    ...overrides
  })

/** Client + writer + transport against the emulator in the context (real HTTP over undici). */
export const clientLayer = (overrides: Partial<SettingsInput> = {}) =>
  Layer.unwrapEffect(
    Effect.map(Emulator, (emulator) =>
      Layer.merge(BillcomClient.layer, BillcomWriter.layer).pipe(
        Layer.provideMerge(BillcomTransport.layer(settingsFor(emulator, overrides))),
        Layer.provide(NodeHttpClient.layerUndici)
      )
    )
  )

/** Records of a collection in the emulator's snapshot, by id. */
export const snapshotOf = (emulator: EmulatorApi, collection: string) =>
  Effect.map(emulator.snapshot(), (snap) => {
    const rows = (snap[collection] ?? []) as ReadonlyArray<{ id: string }>
    return new Map(rows.map((r) => [r.id, r]))
  })
