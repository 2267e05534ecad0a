import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import { BillcomClient } from "../../src/billcom/client.ts"
import { RESOURCES, type ResourceName } from "../../src/billcom/resources.ts"
import { Emulator } from "../../src/emulator/index.ts"
import { clientLayer, snapshotOf } from "./support.ts"
import { COLLECTION } from "../../bench/lib/collections.ts"

const pullAll = (name: ResourceName, options: Parameters<BillcomClient["Type"]["list"]>[1] = {}) =>
  Effect.flatMap(BillcomClient, (client) => Stream.runCollect(client.list(name, options))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

const idOf = (p: { raw: unknown }) => (p.raw as { id: string }).id

const emulatorLayer = Emulator.layer({
  seed: "client-streams",
  generate: { bills: 1234, vendors: 230, customers: 40, items: 30, classifications: 7, banks: 4, cards: 3 }
})

describe("BillcomClient lists", () => {
  it.live("every list returns exactly the emulator's records, once each, across page boundaries", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator
      for (const name of Object.keys(RESOURCES) as Array<ResourceName>) {
        const expected = yield* snapshotOf(emulator, COLLECTION[name])
        const pulled = yield* pullAll(name)
        const ids = pulled.map(idOf)
        expect(new Set(ids).size, `${name}: duplicates`).toBe(ids.length)
        expect(new Set(ids), name).toEqual(new Set(expected.keys()))
        const invalid = pulled.filter((p) => p._tag === "Invalid")
        // The seed's anomalies may include one malformed record; everything else decodes.
        expect(
          invalid.length,
          `${name}: ${JSON.stringify(invalid.map((i) => i._tag === "Invalid" && i.error))}`
        ).toBeLessThanOrEqual(1)
      }
    }).pipe(Effect.provide(clientLayer().pipe(Layer.provideMerge(emulatorLayer))))
  )
})
