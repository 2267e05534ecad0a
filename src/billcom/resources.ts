import type { Schema } from "effect"
import {
  AccountingClass,
  ApCard,
  BankAccount,
  CardAccount,
  ChartOfAccount,
  Customer,
  Department,
  Employee,
  Item,
  Job,
  Location
} from "./models/master.ts"
import { Bill, Payment, Vendor, VendorCredit } from "./models/payables.ts"

/**
 * Every list the sync reads (names match src/sync/stages.ts `ListName`), its v3 path and schema.
 * `shape`: "paged" = a `{nextPage, results}` envelope; "cards" = `{rates, cards}` per
 * `cardUserStatus` (§4.5, client.ts reads both statuses); "array" = a bare array (AP cards).
 */
export interface Resource<A> {
  readonly path: string
  readonly schema: Schema.Schema<A, any, never>
  readonly shape: "paged" | "cards" | "array"
}

const paged = <A>(path: string, schema: Schema.Schema<A, any, never>): Resource<A> => ({ path, schema, shape: "paged" })

export const RESOURCES = {
  vendors: paged("/v3/vendors", Vendor),
  "bank-accounts": paged("/v3/funding-accounts/banks", BankAccount),
  "card-accounts": { path: "/v3/funding-accounts/cards", schema: CardAccount, shape: "cards" } as Resource<CardAccount>,
  "ap-cards": { path: "/v3/funding-accounts/ap-cards", schema: ApCard, shape: "array" } as Resource<ApCard>,
  "chart-of-accounts": paged("/v3/classifications/chart-of-accounts", ChartOfAccount),
  bills: paged("/v3/bills", Bill),
  "vendor-credits": paged("/v3/vendor-credits", VendorCredit),
  payments: paged("/v3/payments", Payment),
  items: paged("/v3/classifications/items", Item),
  customers: paged("/v3/customers", Customer),
  departments: paged("/v3/classifications/departments", Department),
  jobs: paged("/v3/classifications/jobs", Job),
  locations: paged("/v3/classifications/locations", Location),
  "accounting-classes": paged("/v3/classifications/accounting-classes", AccountingClass),
  employees: paged("/v3/classifications/employees", Employee)
} as const

export type ResourceName = keyof typeof RESOURCES
export type ResourceType<N extends ResourceName> = (typeof RESOURCES)[N] extends Resource<infer A> ? A : never

export const isResourceName = (s: string): s is ResourceName => Object.prototype.hasOwnProperty.call(RESOURCES, s)
