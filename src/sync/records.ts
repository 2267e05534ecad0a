import { Schema } from "effect"

/**
 * The slice of each Bill.com object the ledger needs, decoded from the raw JSON. The sync decodes
 * raw records itself (not the client's typed value) because an open error is re-evaluated later
 * from the raw record stored in source_records, with no API call. Unknown keys are ignored.
 */
const Id = Schema.String.pipe(Schema.minLength(1))
const Opt = <S extends Schema.Schema.Any>(s: S) => Schema.optional(Schema.NullOr(s))

const Common = {
  id: Id,
  archived: Opt(Schema.Boolean),
  updatedTime: Opt(Schema.String)
}

export const Vendor = Schema.Struct({
  ...Common,
  name: Opt(Schema.String),
  shortName: Opt(Schema.String),
  email: Opt(Schema.String),
  billCurrency: Opt(Schema.String),
  additionalInfo: Opt(
    Schema.Struct({ taxId: Opt(Schema.String), taxIdType: Opt(Schema.String), track1099: Opt(Schema.Boolean) })
  )
})
export type Vendor = typeof Vendor.Type

export const Customer = Schema.Struct({
  ...Common,
  name: Opt(Schema.String),
  companyName: Opt(Schema.String),
  email: Opt(Schema.String)
})
export type Customer = typeof Customer.Type

export const Item = Schema.Struct({
  ...Common,
  name: Opt(Schema.String),
  type: Opt(Schema.String),
  expenseChartOfAccountId: Opt(Schema.String),
  chartOfAccountId: Opt(Schema.String)
})
export type Item = typeof Item.Type

export const Classification = Schema.Struct({
  ...Common,
  name: Opt(Schema.String),
  shortName: Opt(Schema.String),
  firstName: Opt(Schema.String),
  lastName: Opt(Schema.String)
})
export type Classification = typeof Classification.Type

export const ChartOfAccount = Schema.Struct({
  ...Common,
  name: Opt(Schema.String),
  account: Opt(Schema.Struct({ type: Opt(Schema.String), number: Opt(Schema.String) }))
})
export type ChartOfAccount = typeof ChartOfAccount.Type

export const BankAccount = Schema.Struct({
  ...Common,
  nameOnAccount: Opt(Schema.String),
  bankName: Opt(Schema.String),
  accountNumber: Opt(Schema.String),
  chartOfAccountId: Opt(Schema.String)
})
export type BankAccount = typeof BankAccount.Type

export const CardAccount = Schema.Struct({
  ...Common,
  nameOnAccount: Opt(Schema.String),
  issuingBankName: Opt(Schema.String),
  brand: Opt(Schema.String),
  last4: Opt(Schema.String)
})
export type CardAccount = typeof CardAccount.Type

/** An AP Card (`dva…`): no `archived`; a DELETED card is treated as archived. */
export const ApCard = Schema.Struct({
  id: Id,
  status: Opt(Schema.String),
  nameOnAccount: Opt(Schema.String),
  updatedTime: Opt(Schema.String)
})
export type ApCard = typeof ApCard.Type

export const LineClassifications = Schema.Struct({
  chartOfAccountId: Opt(Schema.String),
  accountingClassId: Opt(Schema.String),
  departmentId: Opt(Schema.String),
  employeeId: Opt(Schema.String),
  jobId: Opt(Schema.String),
  locationId: Opt(Schema.String),
  itemId: Opt(Schema.String),
  customerId: Opt(Schema.String)
})
export type LineClassifications = typeof LineClassifications.Type

const Line = Schema.Struct({
  id: Opt(Schema.String),
  amount: Opt(Schema.Number),
  quantity: Opt(Schema.Number),
  price: Opt(Schema.Number),
  description: Opt(Schema.String),
  classifications: Opt(LineClassifications)
})
export type Line = typeof Line.Type

export const Bill = Schema.Struct({
  ...Common,
  vendorId: Id,
  vendorName: Opt(Schema.String),
  amount: Opt(Schema.Number),
  description: Opt(Schema.String),
  dueDate: Opt(Schema.String),
  invoice: Opt(Schema.Struct({ invoiceNumber: Opt(Schema.String), invoiceDate: Opt(Schema.String) })),
  billLineItems: Opt(Schema.Array(Line)),
  classifications: Opt(LineClassifications),
  payFromChartOfAccountId: Opt(Schema.String),
  paymentStatus: Opt(Schema.String),
  approvalStatus: Opt(Schema.String),
  billCurrency: Opt(Schema.String),
  exchangeRate: Opt(Schema.Number),
  fundingAmount: Opt(Schema.Number)
})
export type Bill = typeof Bill.Type

export const VendorCredit = Schema.Struct({
  ...Common,
  vendorId: Id,
  referenceNumber: Opt(Schema.String),
  creditDate: Opt(Schema.String),
  description: Opt(Schema.String),
  amount: Opt(Schema.Number),
  appliedAmount: Opt(Schema.Number),
  status: Opt(Schema.String),
  vendorCreditLineItems: Opt(Schema.Array(Line))
})
export type VendorCredit = typeof VendorCredit.Type

export const Payment = Schema.Struct({
  ...Common,
  vendorId: Id,
  billId: Opt(Schema.String),
  billPayments: Opt(Schema.Array(Schema.Struct({ id: Opt(Schema.String), billId: Id, amount: Opt(Schema.Number) }))),
  description: Opt(Schema.String),
  processDate: Opt(Schema.String),
  fundingAccount: Opt(Schema.Struct({ type: Opt(Schema.String), id: Opt(Schema.String) })),
  amount: Opt(Schema.Number),
  exchangeRate: Opt(Schema.Number),
  fundingAmount: Opt(Schema.Number),
  status: Opt(Schema.String)
})
export type Payment = typeof Payment.Type

export const Document = Schema.Struct({
  id: Id,
  name: Opt(Schema.String),
  createdTime: Opt(Schema.String),
  numOfPages: Opt(Schema.Number),
  scanStatus: Opt(Schema.String)
})
export type Document = typeof Document.Type

/** A business date as Bill.com sends it: the first 10 characters when they are YYYY-MM-DD (never converted through an instant). */
export const businessDate = (s: string | null | undefined): string | undefined => {
  if (s === null || s === undefined) return undefined
  const day = s.slice(0, 10)
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined
}

/** A Bill.com timestamp as UTC ISO text with an explicit Z, or undefined when unparseable. */
export const utcInstant = (s: string | null | undefined): string | undefined => {
  if (s === null || s === undefined) return undefined
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}
