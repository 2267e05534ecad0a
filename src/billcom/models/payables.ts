import { Schema } from "effect"
import { Common, maybe, Money, RecordId } from "./primitives.ts"

/**
 * Vendors, bills, vendor credits and payments (billcom-api.md §4.1–4.4): the one model of each,
 * decoded by the client, by the sync from a stored raw copy (resources.ts `decode`), and rendered by
 * the emulator. Only the fields a caller reads are decoded, each as leniently as Bill.com sends it
 * (absent, null or an unknown enum value is fine; a wrong JSON type makes the record invalid);
 * unknown keys are ignored. Amounts are JSON numbers kept exact (money.ts), dates text as sent
 * (primitives.ts `businessDate`, `utcInstant`).
 */

export const Vendor = Schema.Struct({
  ...Common,
  name: maybe(Schema.String),
  shortName: maybe(Schema.String),
  email: maybe(Schema.String),
  billCurrency: maybe(Schema.String),
  additionalInfo: maybe(
    Schema.Struct({
      taxId: maybe(Schema.String),
      taxIdType: maybe(Schema.String),
      track1099: maybe(Schema.Boolean)
    })
  )
})
export type Vendor = typeof Vendor.Type

/** Line-level classifications; the bill level has only CoA / class / department / location / item. */
export const LineClassifications = Schema.Struct({
  chartOfAccountId: maybe(Schema.String),
  accountingClassId: maybe(Schema.String),
  departmentId: maybe(Schema.String),
  employeeId: maybe(Schema.String),
  jobId: maybe(Schema.String),
  locationId: maybe(Schema.String),
  itemId: maybe(Schema.String),
  customerId: maybe(Schema.String)
})
export type LineClassifications = typeof LineClassifications.Type

/** A bill line or a vendor-credit line. */
export const Line = Schema.Struct({
  id: maybe(Schema.String),
  amount: maybe(Money),
  quantity: maybe(Schema.Number),
  price: maybe(Money),
  description: maybe(Schema.String),
  classifications: maybe(LineClassifications)
})
export type Line = typeof Line.Type

export const Bill = Schema.Struct({
  ...Common,
  vendorId: RecordId,
  vendorName: maybe(Schema.String),
  amount: maybe(Money),
  description: maybe(Schema.String),
  dueDate: maybe(Schema.String),
  invoice: maybe(Schema.Struct({ invoiceNumber: maybe(Schema.String), invoiceDate: maybe(Schema.String) })),
  billLineItems: maybe(Schema.Array(Line)),
  classifications: maybe(LineClassifications),
  payFromChartOfAccountId: maybe(Schema.String),
  paymentStatus: maybe(Schema.String),
  approvalStatus: maybe(Schema.String),
  billCurrency: maybe(Schema.String),
  exchangeRate: maybe(Schema.Number),
  fundingAmount: maybe(Money)
})
export type Bill = typeof Bill.Type

export const VendorCredit = Schema.Struct({
  ...Common,
  vendorId: RecordId,
  referenceNumber: maybe(Schema.String),
  creditDate: maybe(Schema.String),
  description: maybe(Schema.String),
  amount: maybe(Money),
  appliedAmount: maybe(Money),
  status: maybe(Schema.String),
  vendorCreditLineItems: maybe(Schema.Array(Line))
})
export type VendorCredit = typeof VendorCredit.Type

export const BillPayment = Schema.Struct({ id: maybe(Schema.String), billId: RecordId, amount: maybe(Money) })

/** `fundingAccount.type`: BANK_ACCOUNT, CARD_ACCOUNT, WALLET (no id), AP_CARD, UNDEFINED (§4.4). */
export const FundingAccountRef = Schema.Struct({ type: maybe(Schema.String), id: maybe(Schema.String) })

/** `status` as sent: Bill.com spells a cancelled payment both CANCELLED and CANCELED (§4.4). */
export const Payment = Schema.Struct({
  ...Common,
  vendorId: RecordId,
  billId: maybe(Schema.String),
  billPayments: maybe(Schema.Array(BillPayment)),
  description: maybe(Schema.String),
  processDate: maybe(Schema.String),
  fundingAccount: maybe(FundingAccountRef),
  amount: maybe(Money),
  exchangeRate: maybe(Schema.Number),
  fundingAmount: maybe(Money),
  status: maybe(Schema.String)
})
export type Payment = typeof Payment.Type
