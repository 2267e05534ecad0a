import { Schema } from "effect"
import {
  AccountingClassId,
  ApCardId,
  BankAccountId,
  CardAccountId,
  ChartOfAccountId,
  CustomerId,
  DepartmentId,
  DocumentId,
  EmployeeId,
  ItemId,
  JobId,
  LocationId,
  Money,
  opt,
  OrganizationId,
  Timestamp,
  tolerant,
  UserId
} from "./primitives.ts"

/** Funding accounts, chart of accounts, items, customers, classifications, documents, session (§1.4, §4.5–4.10). */

export const FundingStatus = tolerant(
  "NOT_VERIFIED",
  "VERIFIED",
  "PENDING",
  "BLOCKED",
  "EXPIRED",
  "INVALID",
  "UNDEFINED"
)

export class BankAccount extends Schema.Class<BankAccount>("BankAccount")({
  id: BankAccountId,
  archived: Schema.Boolean,
  status: opt(FundingStatus),
  createdBy: opt(UserId),
  routingNumber: opt(Schema.String),
  accountNumber: opt(Schema.String),
  nameOnAccount: opt(Schema.String),
  type: opt(tolerant("CHECKING", "SAVINGS")),
  ownerType: opt(tolerant("BUSINESS", "PERSONAL")),
  bankName: opt(Schema.String),
  accessToAdmins: opt(Schema.Boolean),
  default: opt(Schema.Struct({ payables: opt(Schema.Boolean), receivables: opt(Schema.Boolean) })),
  chartOfAccountId: opt(ChartOfAccountId),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

export class CardAccount extends Schema.Class<CardAccount>("CardAccount")({
  id: CardAccountId,
  archived: Schema.Boolean,
  createdBy: opt(UserId),
  issuingBankName: opt(Schema.String),
  nameOnAccount: opt(Schema.String),
  brand: opt(Schema.String),
  type: opt(tolerant("UNDEFINED", "CREDIT_CARD", "DEBIT_CARD", "PREPAID_CARD", "UNKNOWN")),
  status: opt(FundingStatus),
  last4: opt(Schema.String),
  // Strings in [OAS] `CardAccountExpiration` ("2027", "04").
  expiration: opt(Schema.Struct({ year: opt(Schema.String), month: opt(Schema.String) })),
  default: opt(
    Schema.Struct({
      payables: opt(Schema.Boolean),
      receivables: opt(Schema.Boolean),
      funding: opt(Schema.Boolean),
      disbursement: opt(Schema.Boolean)
    })
  ),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

/**
 * An AP Card (`GET /v3/funding-accounts/ap-cards`, a bare array, §4.5): a BILL charge card whose id
 * (`dva…`) a payment names as its `fundingAccount` with type AP_CARD.
 */
export class ApCard extends Schema.Class<ApCard>("ApCard")({
  id: ApCardId,
  status: opt(tolerant("ACTIVE", "INACTIVE", "DELETED", "PENDING", "DRAFT", "DRAFT_DELETED", "FROZEN", "UNDEFINED")),
  nameOnAccount: opt(Schema.String),
  balance: opt(Money),
  limit: opt(Money),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

/** `GET /v3/funding-accounts/cards` is not a paged envelope: `{rates, cards}` (§4.5). */
export const CardsEnvelope = Schema.Struct({
  rates: opt(Schema.Unknown),
  cards: Schema.Array(Schema.Unknown)
})

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

export const ChartOfAccountType = tolerant(...CHART_OF_ACCOUNT_TYPES, "UNDEFINED")

export class ChartOfAccount extends Schema.Class<ChartOfAccount>("ChartOfAccount")({
  id: ChartOfAccountId,
  archived: Schema.Boolean,
  name: Schema.String,
  description: opt(Schema.String),
  parentId: opt(ChartOfAccountId),
  account: opt(Schema.Struct({ type: opt(ChartOfAccountType), number: opt(Schema.String) })),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

export class Item extends Schema.Class<Item>("Item")({
  id: ItemId,
  archived: Schema.Boolean,
  type: opt(Schema.String),
  name: opt(Schema.String),
  shortName: opt(Schema.String),
  description: opt(Schema.String),
  parentId: opt(ItemId),
  price: opt(Money),
  expenseChartOfAccountId: opt(ChartOfAccountId),
  purchaseDescription: opt(Schema.String),
  purchaseCost: opt(Money),
  chartOfAccountId: opt(ChartOfAccountId),
  taxable: opt(Schema.Boolean),
  percentage: opt(Schema.Number),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

export class Customer extends Schema.Class<Customer>("Customer")({
  id: CustomerId,
  archived: Schema.Boolean,
  name: opt(Schema.String),
  companyName: opt(Schema.String),
  email: opt(Schema.String),
  phone: opt(Schema.String),
  description: opt(Schema.String),
  contact: opt(Schema.Struct({ firstName: opt(Schema.String), lastName: opt(Schema.String) })),
  invoiceCurrency: opt(Schema.String),
  accountType: opt(Schema.String),
  accountNumber: opt(Schema.String),
  balance: opt(Schema.Struct({ amount: opt(Money) })),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

const namedClassification = <I extends Schema.Schema.Any>(id: I) => ({
  id,
  archived: Schema.Boolean,
  name: Schema.String,
  shortName: opt(Schema.String),
  description: opt(Schema.String),
  parentId: opt(Schema.String),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
})

export class Department extends Schema.Class<Department>("Department")(namedClassification(DepartmentId)) {}
export class Job extends Schema.Class<Job>("Job")(namedClassification(JobId)) {}
export class Location extends Schema.Class<Location>("Location")(namedClassification(LocationId)) {}
export class AccountingClass extends Schema.Class<AccountingClass>("AccountingClass")(
  namedClassification(AccountingClassId)
) {}

export class Employee extends Schema.Class<Employee>("Employee")({
  id: EmployeeId,
  archived: Schema.Boolean,
  firstName: opt(Schema.String),
  lastName: opt(Schema.String),
  shortName: opt(Schema.String),
  parentId: opt(Schema.String),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {
  get name() {
    return [this.firstName, this.lastName].filter((s) => s !== undefined && s !== "").join(" ")
  }
}

export class BillDocument extends Schema.Class<BillDocument>("BillDocument")({
  id: DocumentId,
  name: opt(Schema.String),
  createdTime: opt(Timestamp),
  downloadLink: opt(Schema.String),
  numOfPages: opt(Schema.Number),
  scanStatus: opt(Schema.String)
}) {}

/** `GET /v3/login/session` (§1.4). */
export class SessionInfo extends Schema.Class<SessionInfo>("SessionInfo")({
  organizationId: OrganizationId,
  userId: UserId,
  mfaStatus: opt(tolerant("DISABLED", "SETUP", "CHALLENGE", "COMPLETE", "UNDEFINED")),
  mfaBypass: opt(Schema.Boolean)
}) {}
