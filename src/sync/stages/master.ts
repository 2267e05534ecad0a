import { Effect } from "effect"
import { Links } from "../../store/links.ts"
import { LedgerMaster, type PartyTable } from "../../store/ledger-master.ts"
import type { KindHandler } from "../handler.ts"
import { imported, skipped } from "../handler.ts"
import * as R from "../records.ts"
import type { ClassificationKind, SyncSettings } from "../settings.ts"
import type { ListName } from "../stages.ts"

interface Master {
  readonly key: string
  readonly name: string
  readonly details: Record<string, unknown>
}

const common = <
  D extends { readonly updatedTime?: string | null | undefined; readonly archived?: boolean | null | undefined }
>(
  d: D
) => ({
  updatedTime: d.updatedTime ?? undefined,
  archived: d.archived === true,
  businessDate: undefined
})

/**
 * Vendors, customers and items: a Bill.com record imports when its id is linked in the mapping
 * file (ledger key); an unmapped one is stored and skipped ("unmapped") until a mapping names it.
 */
const party = <
  D extends {
    readonly id: string
    readonly updatedTime?: string | null | undefined
    readonly archived?: boolean | null | undefined
  }
>(spec: {
  readonly kind: string
  readonly list: ListName
  readonly table: PartyTable
  readonly schema: KindHandler<D, Master, void>["schema"]
  readonly mapping: (s: SyncSettings) => ReadonlyMap<string, string>
  readonly describe: (d: D) => Omit<Master, "key">
}): KindHandler<D, Master, void, LedgerMaster | Links> => ({
  kind: spec.kind,
  list: spec.list,
  schema: spec.schema,
  meta: common,
  // The mapping file is the only lookup, and it is in the settings.
  gather: () => Effect.void,
  decide: (candidates, _lookups, settings) =>
    candidates.map((c) => {
      const key = spec.mapping(settings).get(c.id)
      return key === undefined ? skipped("unmapped") : imported({ key, ...spec.describe(c.value) })
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const ledger = yield* LedgerMaster
      const links = yield* Links
      const ids = yield* ledger.upsertParties(
        spec.table,
        ctx.companyId,
        imports.map(({ candidate, payload }) => ({
          key: payload.key,
          name: payload.name,
          billcom_id: candidate.id,
          details: JSON.stringify(payload.details),
          archived: candidate.meta.archived
        }))
      )
      yield* links.upsert(
        imports.map(({ candidate, payload }) => ({
          integration_id: ctx.integrationId,
          kind: spec.kind,
          billcom_id: candidate.id,
          ledger_table: spec.table,
          ledger_id: ids.get(payload.key)!,
          ledger_key: payload.key
        }))
      )
    })
})

export const vendorsHandler = party({
  kind: "vendor",
  list: "vendors",
  table: "vendors",
  schema: R.Vendor,
  mapping: (s) => s.vendors,
  // The tax id itself is never copied into the ledger: the 1099 report only needs to know one is on file.
  describe: (v) => ({
    name: v.name ?? v.id,
    details: {
      shortName: v.shortName ?? null,
      email: v.email ?? null,
      currency: v.billCurrency ?? null,
      track1099: v.additionalInfo?.track1099 ?? null,
      taxIdOnFile: typeof v.additionalInfo?.taxId === "string" && v.additionalInfo.taxId.trim() !== "",
      taxIdType: v.additionalInfo?.taxIdType ?? null
    }
  })
})

export const customersHandler = party({
  kind: "customer",
  list: "customers",
  table: "customers",
  schema: R.Customer,
  mapping: (s) => s.customers,
  describe: (c) => ({
    name: c.name ?? c.companyName ?? c.id,
    details: { companyName: c.companyName ?? null, email: c.email ?? null }
  })
})

/** Items are inbound only: pulled from Bill.com into the ledger, never pushed back. */
export const itemsHandler = party({
  kind: "item",
  list: "items",
  table: "items",
  schema: R.Item,
  mapping: (s) => s.items,
  describe: (i) => ({
    name: i.name ?? i.id,
    details: {
      type: i.type ?? null,
      expenseChartOfAccountId: i.expenseChartOfAccountId ?? null,
      chartOfAccountId: i.chartOfAccountId ?? null
    }
  })
})

const classification = (
  kind: ClassificationKind,
  list: ListName
): KindHandler<R.Classification, Master, void, LedgerMaster | Links> => ({
  kind,
  list,
  schema: R.Classification,
  meta: common,
  gather: () => Effect.void,
  decide: (candidates, _lookups, settings) =>
    candidates.map((c) => {
      const key = settings.classifications[kind].get(c.id)
      const v = c.value
      const name = v.name ?? ([v.firstName, v.lastName].filter(Boolean).join(" ") || v.id)
      return key === undefined ? skipped("unmapped") : imported({ key, name, details: {} })
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const ledger = yield* LedgerMaster
      const links = yield* Links
      const ids = yield* ledger.upsertDimensions(
        ctx.companyId,
        imports.map(({ candidate, payload }) => ({
          kind,
          key: payload.key,
          name: payload.name,
          billcom_id: candidate.id,
          archived: candidate.meta.archived
        }))
      )
      yield* links.upsert(
        imports.map(({ candidate, payload }) => ({
          integration_id: ctx.integrationId,
          kind,
          billcom_id: candidate.id,
          ledger_table: "dimensions",
          ledger_id: ids.get(`${kind}/${payload.key}`)!,
          ledger_key: payload.key
        }))
      )
    })
})

export const classificationHandlers = [
  classification("department", "departments"),
  classification("job", "jobs"),
  classification("location", "locations"),
  classification("accounting-class", "accounting-classes"),
  classification("employee", "employees")
] as const
