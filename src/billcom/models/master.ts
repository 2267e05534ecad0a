import { Schema } from "effect"
import { Common, maybe, opt, OrganizationId, RecordId, tolerant, UserId } from "./primitives.ts"

/**
 * Funding accounts, chart of accounts, items, customers, classifications, documents and the session
 * (§1.4, §4.5–4.10): one model each, decoded as leniently as the payables (payables.ts).
 */

export const Customer = Schema.Struct({
  ...Common,
  name: maybe(Schema.String),
  companyName: maybe(Schema.String),
  email: maybe(Schema.String)
})
export type Customer = typeof Customer.Type

export const Item = Schema.Struct({
  ...Common,
  name: maybe(Schema.String),
  type: maybe(Schema.String),
  expenseChartOfAccountId: maybe(Schema.String),
  chartOfAccountId: maybe(Schema.String)
})
export type Item = typeof Item.Type

/** Departments, jobs, locations, accounting classes and employees (an employee has first and last names). */
export const Classification = Schema.Struct({
  ...Common,
  name: maybe(Schema.String),
  shortName: maybe(Schema.String),
  firstName: maybe(Schema.String),
  lastName: maybe(Schema.String)
})
export type Classification = typeof Classification.Type

export const CHART_OF_ACCOUNT_TYPES = [
  "UNSPECIFIED",
  "ACCOUNTS_PAYABLE",
  "ACCOUNTS_RECEIVABLE",
  "BANK",
  "COST_OF_GOODS_SOLD",
  "CREDIT_CARD",
  "EQUITY",
  "EXPENSE",
  "FIXED_ASSET",
  "INCOME",
  "LONG_TERM_LIABILITY",
  "OTHER_ASSET",
  "OTHER_CURRENT_ASSET",
  "OTHER_CURRENT_LIABILITY",
  "OTHER_EXPENSE",
  "OTHER_INCOME",
  "NON_POSTING"
] as const

/** `account.type`: one of CHART_OF_ACCOUNT_TYPES or UNDEFINED (a type v3 cannot express); others tolerated. */
export const ChartOfAccount = Schema.Struct({
  ...Common,
  name: maybe(Schema.String),
  description: maybe(Schema.String),
  parentId: maybe(Schema.String),
  account: maybe(Schema.Struct({ type: maybe(Schema.String), number: maybe(Schema.String) }))
})
export type ChartOfAccount = typeof ChartOfAccount.Type

/** A chart-of-account row with a name and an archived flag: what a COA plan and the writer's answers need. */
export type CompleteChartOfAccount = ChartOfAccount & { readonly name: string; readonly archived: boolean }

/** What a row lacks to be complete ("name: missing; archived: missing"), or undefined. */
export const incompleteChartOfAccount = (c: ChartOfAccount): string | undefined => {
  const missing = [
    ...(typeof c.name === "string" ? [] : ["name: missing"]),
    ...(typeof c.archived === "boolean" ? [] : ["archived: missing"])
  ]
  return missing.length === 0 ? undefined : missing.join("; ")
}

export const BankAccount = Schema.Struct({
  ...Common,
  nameOnAccount: maybe(Schema.String),
  bankName: maybe(Schema.String),
  accountNumber: maybe(Schema.String),
  chartOfAccountId: maybe(Schema.String)
})
export type BankAccount = typeof BankAccount.Type

export const CardAccount = Schema.Struct({
  ...Common,
  nameOnAccount: maybe(Schema.String),
  issuingBankName: maybe(Schema.String),
  brand: maybe(Schema.String),
  last4: maybe(Schema.String)
})
export type CardAccount = typeof CardAccount.Type

/**
 * An AP Card (`GET /v3/funding-accounts/ap-cards`, a bare array, §4.5): a BILL charge card whose id
 * (`dva…`) a payment names as its `fundingAccount` with type AP_CARD. No `archived`: a DELETED card
 * is treated as archived.
 */
export const ApCard = Schema.Struct({
  id: RecordId,
  status: maybe(Schema.String),
  nameOnAccount: maybe(Schema.String),
  updatedTime: maybe(Schema.String)
})
export type ApCard = typeof ApCard.Type

/** `GET /v3/funding-accounts/cards` is not a paged envelope: `{rates, cards}` (§4.5). */
export const CardsEnvelope = Schema.Struct({
  rates: opt(Schema.Unknown),
  cards: Schema.Array(Schema.Unknown)
})

/** A bill's document metadata (`GET /v3/documents/bills/{billId}`). */
export const Document = Schema.Struct({
  id: RecordId,
  name: maybe(Schema.String),
  createdTime: maybe(Schema.String),
  numOfPages: maybe(Schema.Number),
  scanStatus: maybe(Schema.String)
})
export type Document = typeof Document.Type

/** `GET /v3/login/session` (§1.4). */
export class SessionInfo extends Schema.Class<SessionInfo>("SessionInfo")({
  organizationId: OrganizationId,
  userId: UserId,
  mfaStatus: opt(tolerant("DISABLED", "SETUP", "CHALLENGE", "COMPLETE", "UNDEFINED")),
  mfaBypass: opt(Schema.Boolean)
}) {}
