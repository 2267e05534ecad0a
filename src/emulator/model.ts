/**
 * The emulator's in-memory organisation. Records are compact mutable objects: money in integer
 * cents, business dates as day numbers, timestamps as epoch milliseconds. JSON is rendered per
 * request (render.ts), so a 200k-bill organisation costs only these objects. These are the
 * emulator's storage, not a model of Bill.com's JSON: what a record looks like on the wire is the
 * client's schema of it (src/billcom/models), which render.ts renders to (`Wire`).
 */

import { CHART_OF_ACCOUNT_TYPES } from "../billcom/models/master.ts"

export interface Stamped {
  readonly id: string
  archived: boolean
  createdTime: number
  updatedTime: number
  /** Position in creation order: the default list order and the sort tie-breaker. */
  readonly seq: number
  /** Deliberately malformed field (decode-error testing): rendered with the wrong JSON type. */
  malformed?: string
  /**
   * Raw values rendered over the record's JSON (`poison` mutation): dotted paths such as
   * "invoice.invoiceDate" or "billLineItems.0.amount" → any JSON value. What a record stored with
   * impossible data looks like when Bill.com sends it (off the contract on purpose).
   */
  poison?: Record<string, unknown>
  /** A second copy of the record in every list page that holds it, with these raw values over it (same updatedTime). */
  duplicate?: Record<string, unknown>
}

export interface Address {
  line1: string
  line2?: string
  city: string
  stateOrProvince: string
  zipOrPostalCode: string
  country: string
  countryName: string
}

export interface User extends Stamped {
  firstName: string
  lastName: string
  email: string
  roleType: string
  roleId: string
}

export interface Vendor extends Stamped {
  name: string
  shortName?: string
  accountNumber?: string
  accountType: "BUSINESS" | "PERSON"
  email: string
  phone: string
  address: Address
  payByType: string
  taxId?: string
  track1099: boolean
  leadTimeInDays: number
  combinePayments: boolean
  /** ISO 4217 currency of the vendor's bills, credits and payments; absent = USD (currency.ts). */
  billCurrency?: string
  /** Index into the generator's vendor categories (default expense account). */
  category: number
}

export interface Customer extends Stamped {
  name: string
  companyName?: string
  email: string
  phone: string
  description?: string
  firstName: string
  lastName: string
  accountNumber?: string
  accountType: "BUSINESS" | "PERSON"
  billingAddress: Address
}

/** Bill.com's chart-of-account types: the client's list (src/billcom/models). */
export const ACCOUNT_TYPES = CHART_OF_ACCOUNT_TYPES
export type AccountType = (typeof ACCOUNT_TYPES)[number]

export interface ChartOfAccount extends Stamped {
  name: string
  description?: string
  parentId?: string
  /** UNDEFINED: a type Bill.com's v3 cannot express (response only; never accepted on a write). */
  type: AccountType | "UNDEFINED"
  number?: string
}

/** Departments, jobs, locations, accounting classes, employees, items share this shape. */
export interface Classification extends Stamped {
  name: string
  shortName?: string
  description?: string
  parentId?: string
  /** Employees only. */
  firstName?: string
  lastName?: string
}

export interface Item extends Stamped {
  type: string
  name: string
  shortName?: string
  description?: string
  parentId?: string
  priceCents?: number
  purchaseCostCents?: number
  purchaseDescription?: string
  expenseChartOfAccountId?: string
  chartOfAccountId?: string
  taxable: boolean
}

export interface BankAccount extends Stamped {
  nameOnAccount: string
  bankName: string
  routingNumber: string
  accountNumber: string
  type: "CHECKING" | "SAVINGS"
  status: string
  chartOfAccountId: string
  payables: boolean
  receivables: boolean
  createdBy: string
}

export interface CardAccount extends Stamped {
  nameOnAccount: string
  issuingBankName: string
  brand: string
  last4: string
  expYear: number
  expMonth: number
  status: string
  payables: boolean
  createdBy: string
  /**
   * The API user's status on this card (`GET /v3/funding-accounts/cards?cardUserStatus=`): a card
   * is listed only under the status the user has on it (UNVERIFIED cards are not listed at all).
   */
  userStatus: "VERIFIED" | "NOMINATED" | "UNVERIFIED"
}

/** An AP Card (`GET /v3/funding-accounts/ap-cards`, ids `dva…`): a BILL charge card that funds payments. */
export interface ApCard extends Stamped {
  nameOnAccount: string
  /** [OAS] APCardStatus. */
  status: "ACTIVE" | "INACTIVE" | "DELETED" | "PENDING" | "DRAFT" | "DRAFT_DELETED" | "FROZEN" | "UNDEFINED"
  balanceCents: number
  limitCents: number
}

export interface LineClassifications {
  chartOfAccountId?: string
  accountingClassId?: string
  departmentId?: string
  employeeId?: string
  jobId?: string
  locationId?: string
  itemId?: string
  customerId?: string
}

/** Shared by every bill without bill-level classifications (never mutated in place). */
export const NO_CLASSIFICATIONS: LineClassifications = Object.freeze({})

export interface BillLine {
  readonly id: string
  amountCents: number
  quantity: number
  priceCents: number
  description: string
  classifications: LineClassifications
}

export type ApprovalStatus = "UNASSIGNED" | "ASSIGNED" | "APPROVED" | "APPROVING" | "DENIED"
export type ApproverStatus = "WAITING" | "VIEWED" | "REROUTED" | "DENIED" | "APPROVED" | "UPCOMING" | "STALE"

export interface Approver {
  userId: string
  status: ApproverStatus
  order: number
  changedTime: number
}

/** `recordStatus` values besides ACTIVE/INACTIVE (the bill is then archived: [OAS] BillRecordStatus). */
export type BillRecordStatus = "DRAFT" | "DRAFT_DELETED" | "UNDEFINED"

export interface Bill extends Stamped {
  vendorId: string
  invoiceNumber: string
  invoiceDay: number
  dueDay: number
  description?: string
  poNumber?: string
  lines: Array<BillLine>
  payFromChartOfAccountId?: string
  /** Bill-level classifications (CoA/class/dept/location/item only, §4.2). */
  classifications: LineClassifications
  approvalStatus: ApprovalStatus
  approvers: Array<Approver>
  createdBy: string
  /** Absent: ACTIVE or INACTIVE from `archived`. */
  recordStatus?: BillRecordStatus
  /** v3 renders approvalStatus UNDEFINED (v2 still reports `approvalStatus`). */
  approvalUndefinedInV3?: boolean
  /** Bill.com cannot tell the payment state: paymentStatus UNDEFINED. */
  paymentStatusUndefined?: boolean
  /** The vendor's bill currency when the bill was created (absent = USD); `amountCents` is in it. */
  currency?: string
  /** Exchange rate (USD per unit of `currency`, millionths) when set explicitly; else the day's rate (currency.ts). */
  rateMicros?: number
  // Derived amounts, kept up to date by `recomputeBill` (organization.ts).
  amountCents: number
  creditCents: number
  scheduledCents: number
  clearedCents: number
  /** Part of scheduledCents still awaiting payment approval (paymentStatus IN_PROCESS); absent when 0. */
  inProcessCents?: number
}

/** [OAS] PaymentStatus: every documented value (the spec spells it CANCELLED; singleStatus says CANCELED). */
export type PaymentStatus = "APPROVING" | "SCHEDULED" | "PAID" | "CANCELLED" | "VOID" | "ESCHEATED" | "UNDEFINED"

/** [OAS] FundingAccountTypeResponse. */
export type FundingType = "BANK_ACCOUNT" | "CARD_ACCOUNT" | "WALLET" | "AP_CARD" | "UNDEFINED"

export interface BillPayment {
  readonly id: string
  billId: string
  amountCents: number
  /** Credits applied with this bill payment; absent when none (most), to keep 200k-bill orgs small. */
  vendorCredits?: Array<{ id: string; amountCents: number }>
}

export interface Payment extends Stamped {
  vendorId: string
  billPayments: Array<BillPayment>
  description?: string
  processDay: number
  fundingType: FundingType
  /** Absent for WALLET (the BILL balance) and UNDEFINED. */
  fundingId?: string
  amountCents: number
  status: PaymentStatus
  disbursementType: "ACH" | "CHECK"
  confirmationNumber: string
  checkNumber?: number
  createdBy: string
  /** Currency of `amountCents` (absent = USD) and the exchange rate when set explicitly (see Bill). */
  currency?: string
  rateMicros?: number
}

export interface CreditUsage {
  billId: string
  paymentId?: string
  amountCents: number
}

export interface VendorCreditLine {
  readonly id: string
  description: string
  amountCents: number
  classifications: LineClassifications
}

export interface VendorCredit extends Stamped {
  vendorId: string
  referenceNumber: string
  creditDay: number
  description?: string
  applyToChartOfAccountId?: string
  amountCents: number
  lines: Array<VendorCreditLine>
  usage: Array<CreditUsage>
  /** Currency of `amountCents` (absent = USD) and the exchange rate when set explicitly (see Bill); v3 shows no rate for credits, v2 does. */
  currency?: string
  rateMicros?: number
}

export const CLASSIFICATION_KINDS = ["departments", "jobs", "locations", "accounting-classes", "employees"] as const
export type ClassificationKind = (typeof CLASSIFICATION_KINDS)[number]

export interface Credentials {
  readonly username: string
  readonly password: string
  readonly devKey: string
  readonly organizationId: string
}

export interface Organization {
  readonly credentials: Credentials
  readonly name: string
  /** The API user every session belongs to. */
  readonly userId: string
  /** The fixed "now" of the generated data. */
  readonly asOf: number
  readonly users: Array<User>
  readonly vendors: Array<Vendor>
  readonly customers: Array<Customer>
  readonly chartOfAccounts: Array<ChartOfAccount>
  readonly items: Array<Item>
  readonly classifications: Record<ClassificationKind, Array<Classification>>
  readonly banks: Array<BankAccount>
  readonly cards: Array<CardAccount>
  readonly apCards: Array<ApCard>
  readonly bills: Array<Bill>
  readonly payments: Array<Payment>
  readonly vendorCredits: Array<VendorCredit>
}
