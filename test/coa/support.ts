import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { BillcomClient } from "../../src/billcom/client.ts"
import { makeSettings } from "../../src/billcom/settings.ts"
import { BillcomTransport } from "../../src/billcom/transport.ts"
import { BillcomWriter } from "../../src/billcom/writer.ts"
import { ledgerTypeOf } from "../../src/coa/account-types.ts"
import { CoaApplier } from "../../src/coa/applier.ts"
import { ChartReaderLive, ChartWriterLive } from "../../src/coa/billcom-adapter.ts"
import { CoaJournal } from "../../src/coa/journal.ts"
import type { LedgerAccount } from "../../src/coa/model.ts"
import { ChartReader, type ChartWriter } from "../../src/coa/ports.ts"
import { CHART_TEMPLATE, LEDGER_ROWS } from "../../src/emulator/chart.ts"
import { Emulator, type EmulatorOptions } from "../../src/emulator/index.ts"

/** The real Bill.com client (transport + reads + COA writes) pointed at an in-process emulator. */
export const billcomOverEmulator = Layer.unwrapEffect(
  Effect.map(Emulator, (em) => {
    const settings = makeSettings({
      v3BaseUrl: em.v3BaseUrl,
      v2BaseUrl: em.v2BaseUrl,
      organizationId: em.credentials.organizationId,
      credentials: em.credentials,
      // Few, fast retries so an injected 5xx fault fails the write instead of being ridden out.
      retry: { retries: 1, baseDelay: 1, maxDelay: 5 }
    })
    const transport = BillcomTransport.layer(settings).pipe(Layer.provide(NodeHttpClient.layerUndici))
    return Layer.mergeAll(
      ChartReaderLive.pipe(Layer.provide(BillcomClient.layer)),
      ChartWriterLive.pipe(Layer.provide(BillcomWriter.layer))
    ).pipe(Layer.provideMerge(transport))
  })
)

/** A fresh emulator, the client over it, and the applier (the database comes from the test file's layer). */
export const coaStack = (
  options: EmulatorOptions = {},
  writer?: Layer.Layer<ChartWriter, never, ChartWriter | Emulator>
) => {
  const billcom = billcomOverEmulator
  const withWriter = writer === undefined ? billcom : Layer.provideMerge(writer, billcom)
  return CoaApplier.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(withWriter, CoaJournal.Default)),
    // The demo's chart as CHART_TEMPLATE has it (without the status-coverage rows added at the end).
    Layer.provideMerge(
      Emulator.layer({ seed: "demo", ...options, generate: { statusCoverage: false, ...options.generate } })
    )
  )
}

/** The demo organisation's chart as a ledger chart: what "aligned" looks like. */
export const demoLedger = (): Array<LedgerAccount> =>
  [...CHART_TEMPLATE, ...LEDGER_ROWS].map((row) => ({
    number: row.number,
    name: row.name,
    type: ledgerTypeOf(row.type)!,
    ...(row.parent !== undefined ? { parent: row.parent } : {}),
    ...(row.description !== undefined ? { description: row.description } : {}),
    active: row.archived !== true
  }))

/** Mutating calls the emulator has answered (logins and logouts excluded), by route. */
export const mutatingCalls = Effect.gen(function* () {
  const em = yield* Emulator
  const counters = yield* em.counters()
  return Object.fromEntries(
    Object.entries(counters.byRoute).filter(
      ([route]) => /^(POST|PATCH|PUT|DELETE) /.test(route) && !route.includes("/login") && !route.endsWith("/logout")
    )
  )
})

export const readChart = Effect.flatMap(ChartReader, (r) => r.read)
