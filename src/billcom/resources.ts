import type { Schema } from "effect"
import { ApCard, BankAccount, CardAccount, ChartOfAccount, Classification, Customer, Item } from "./models/master.ts"
import { Bill, Payment, Vendor, VendorCredit } from "./models/payables.ts"
import { decodePulled, type Pulled } from "./pulled.ts"

/**
 * Every list the sync reads (names match src/sync/stages.ts `ListName`), its v3 path and its record
 * schema (src/billcom/models: the one model the client, the sync and the emulator share).
 * `shape`: "paged" = a `{nextPage, results}` envelope; "cards" = `{rates, cards}` per
 * `cardUserStatus` (§4.5, client.ts reads both statuses); "array" = a bare array (AP cards).
 * `decode` turns one raw record — pulled, or stored raw in source_records — into a Pulled value:
 * the client decodes every pulled record with it, and a stored copy decodes the same way.
 */
export interface Resource<A> {
  readonly path: string
  readonly schema: Schema.Schema<A, any, never>
  readonly shape: "paged" | "cards" | "array"
  readonly decode: (raw: unknown) => Pulled<A>
}

const resource = <A>(path: string, schema: Schema.Schema<A, any, never>, shape: Resource<A>["shape"] = "paged") => ({
  path,
  schema,
  shape,
  decode: decodePulled(schema)
})

export const RESOURCES = {
  vendors: resource("/v3/vendors", Vendor),
  "bank-accounts": resource("/v3/funding-accounts/banks", BankAccount),
  "card-accounts": resource("/v3/funding-accounts/cards", CardAccount, "cards"),
  "ap-cards": resource("/v3/funding-accounts/ap-cards", ApCard, "array"),
  "chart-of-accounts": resource("/v3/classifications/chart-of-accounts", ChartOfAccount),
  bills: resource("/v3/bills", Bill),
  "vendor-credits": resource("/v3/vendor-credits", VendorCredit),
  payments: resource("/v3/payments", Payment),
  items: resource("/v3/classifications/items", Item),
  customers: resource("/v3/customers", Customer),
  departments: resource("/v3/classifications/departments", Classification),
  jobs: resource("/v3/classifications/jobs", Classification),
  locations: resource("/v3/classifications/locations", Classification),
  "accounting-classes": resource("/v3/classifications/accounting-classes", Classification),
  employees: resource("/v3/classifications/employees", Classification)
} as const satisfies Record<string, Resource<any>>

export type ResourceName = keyof typeof RESOURCES
export type ResourceType<N extends ResourceName> = (typeof RESOURCES)[N] extends Resource<infer A> ? A : never

export const isResourceName = (s: string): s is ResourceName => Object.prototype.hasOwnProperty.call(RESOURCES, s)

/** Decode a raw record of a list (a stored copy, or one pulled): e.g. `decode("bills", row.raw)`. */
export const decode = <N extends ResourceName>(name: N, raw: unknown): Pulled<ResourceType<N>> =>
  RESOURCES[name].decode(raw) as Pulled<ResourceType<N>>
