import { Duration, Effect, Layer, Option, Stream } from "effect"
import { Emulator, type EmulatorOptions } from "../../../src/emulator/index.ts"
import { StoreServices } from "../../../src/ledger/services.ts"
import { billcomAccountType, type LedgerAccountSpec, type SyncSettings } from "../../../src/sync/settings.ts"
import { Source } from "../../../src/sync/source.ts"
import { stageOrder, type ListName } from "../../../src/sync/stages.ts"
import { TestDatabase } from "../../support/database.ts"
import { BillcomClient } from "../../../src/billcom/client.ts"
import { makeSettings } from "../../../src/billcom/settings.ts"
import { billcomSourceLayer } from "../../../src/sync/billcom-source.ts"
import { IntegrationLocks } from "../../../src/sync/integration-locks.ts"

/** The database + store repositories, and the in-process integration locks (the CLI's are per process), shared by a test file. */
export const StoreTest = StoreServices.pipe(Layer.provideMerge(TestDatabase), Layer.merge(IntegrationLocks.layer))

/** A fresh emulator (per test) and the Source reading it over HTTP. */
export const emulatorWithSource = (options: EmulatorOptions = { seed: "demo" }, wrongPassword = false) =>
  Layer.unwrapEffect(
    Effect.map(Emulator, (emu) =>
      billcomSourceLayer.pipe(
        Layer.provide(
          BillcomClient.live(
            makeSettings({
              pipeline: "test",
              v3BaseUrl: emu.v3BaseUrl,
              v2BaseUrl: emu.v2BaseUrl,
              organizationId: emu.credentials.organizationId,
              credentials: wrongPassword ? { ...emu.credentials, password: "not-the-password" } : emu.credentials,
              retry: { retries: 3, baseDelay: Duration.millis(5), maxDelay: Duration.millis(50) }
            })
          )
        )
      )
    )
  ).pipe(Layer.provideMerge(Emulator.layer(options)))

const ledgerType = Object.fromEntries(Object.entries(billcomAccountType).map(([k, v]) => [v, k]))

type Snapshot = Record<string, Array<any>>

/**
 * Settings that map everything the emulator organisation holds (the ledger chart mirrors Bill.com's
 * chart by number and type), narrowed by `adjust` for the cases under test.
 */
export const settingsFor = (
  pipeline: string,
  snapshot: Record<string, unknown>,
  adjust: (s: SyncSettings) => SyncSettings = (s) => s
): SyncSettings => {
  const snap = snapshot as Snapshot
  // Rows whose Bill.com type has no ledger counterpart (UNSPECIFIED, UNDEFINED) stay out of the chart.
  const chart: Array<LedgerAccountSpec> = snap["chart-of-accounts"]!.filter(
    (a) => a.account?.number && ledgerType[a.account?.type] !== undefined
  ).map((a) => ({
    number: a.account.number,
    name: a.name,
    type: ledgerType[a.account.type]!,
    active: true
  }))
  const coaNumber = new Map<string, string>(snap["chart-of-accounts"]!.map((a) => [a.id, a.account?.number]))
  const cardAccounts = chart.filter((a) => a.type === "credit-card").map((a) => a.number)
  const keyed = (rows: Array<any>, prefix: string) =>
    new Map<string, string>(rows.map((r, i) => [r.id as string, `${prefix}-${String(i + 1).padStart(4, "0")}`]))
  const base: SyncSettings = {
    pipeline,
    company: `${pipeline}-co`,
    organizationId: snapshot["organizationId"] as string,
    environment: "emulator",
    cutoff: "2024-01-01",
    stages: stageOrder,
    mappingsDir: `mappings/${pipeline}`,
    currency: "USD",
    apAccount: chart.find((a) => a.type === "accounts-payable")?.number ?? "2000",
    documents: { enabled: true, maxPerRun: 500 },
    chart,
    vendors: keyed(snap["vendors"]!, "V"),
    fundingAccounts: new Map([
      ...snap["banks"]!.map((b): [string, string] => [b.id, coaNumber.get(b.chartOfAccountId) ?? "1000"]),
      ...snap["cards"]!.map((c, i): [string, string] => [c.id, cardAccounts[i % cardAccounts.length] ?? "2100"]),
      ...(snap["ap-cards"] ?? []).map((c): [string, string] => [c.id, cardAccounts.at(-1) ?? "2100"])
    ]),
    items: keyed(snap["items"]!, "SKU"),
    customers: keyed(snap["customers"]!, "C"),
    classifications: {
      department: keyed(snap["departments"]!, "DEP"),
      job: keyed(snap["jobs"]!, "JOB"),
      location: keyed(snap["locations"]!, "LOC"),
      "accounting-class": keyed(snap["accounting-classes"]!, "CLS"),
      employee: keyed(snap["employees"]!, "EMP")
    }
  }
  return adjust(base)
}

/**
 * The accounts the demo pipeline names in its ledger section (the emulator's chart has them):
 * opening balance equity, FX gain/loss and the BILL wallet — what a pipeline with a cutoff and
 * foreign-currency vendors needs (docs/accounting.md).
 */
export const withAccounting = (s: SyncSettings): SyncSettings => ({
  ...s,
  openingBalanceAccount: "3900",
  fxGainLossAccount: "7900",
  walletAccount: "1050"
})

/**
 * The real Source with some raw fields or records removed from lists, to reproduce Bill.com
 * behaviour the emulator does not have: v3 bills without approvalStatus (older API versions), chart
 * rows the list does not return. Everything else — including the v2 reads — goes to the emulator.
 */
export const withListEdits = (edit: (list: string, raw: unknown) => unknown | undefined, options?: EmulatorOptions) =>
  Layer.effect(
    Source,
    Effect.map(Source, (source) => ({
      ...source,
      list: (list: ListName, since: string | undefined) =>
        source.list(list, since).pipe(
          Stream.filterMap((p) => {
            if (p._tag === "Watermark") return Option.some(p)
            const raw = edit(list, p.raw)
            return raw === undefined ? Option.none() : Option.some({ ...p, raw })
          })
        )
    }))
  ).pipe(Layer.provideMerge(emulatorWithSource(options)))
