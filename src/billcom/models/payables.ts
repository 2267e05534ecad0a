import { Schema } from "effect"
import {
  AccountingClassId,
  ApCardId,
  BankAccountId,
  BillId,
  BillLineItemId,
  BillPaymentId,
  BusinessDate,
  CardAccountId,
  ChartOfAccountId,
  CustomerId,
  DepartmentId,
  EmployeeId,
  ItemId,
  JobId,
  LocationId,
  Money,
  opt,
  PaymentId,
  Timestamp,
  tolerant,
  UserId,
  VendorCreditId,
  VendorCreditLineItemId,
  VendorId
} from "./primitives.ts"

/** Vendors, bills, vendor credits and payments (billcom-api.md §4.1–4.4). */

export const Address = Schema.Struct({
  line1: opt(Schema.String),
  line2: opt(Schema.String),
  city: opt(Schema.String),
  stateOrProvince: opt(Schema.String),
  zipOrPostalCode: opt(Schema.String),
  country: opt(Schema.String),
  countryName: opt(Schema.String)
})

export class Vendor extends Schema.Class<Vendor>("Vendor")({
  id: VendorId,
  archived: Schema.Boolean,
  name: opt(Schema.String),
  shortName: opt(Schema.String),
  accountNumber: opt(Schema.String),
  accountType: opt(tolerant("BUSINESS", "PERSON", "NONE", "UNDEFINED")),
  email: opt(Schema.String),
  phone: opt(Schema.String),
  address: opt(Address),
  paymentInformation: opt(
    Schema.Struct({
      payeeName: opt(Schema.String),
      email: opt(Schema.String),
      payByType: opt(
        tolerant("CHECK", "ACH", "RPPS", "OFFLINE", "INTERNATIONAL_E_PAYMENT", "VIRTUAL_CARD", "WALLET", "UNDEFINED")
      ),
      payBySubType: opt(Schema.String)
    })
  ),
  additionalInfo: opt(
    Schema.Struct({
      taxId: opt(Schema.String),
      taxIdType: opt(tolerant("EIN", "SSN", "UNDEFINED")),
      track1099: opt(Schema.Boolean),
      leadTimeInDays: opt(Schema.Number),
      combinePayments: opt(Schema.Boolean),
      paymentTermId: opt(Schema.String),
      companyName: opt(Schema.String)
    })
  ),
  bankAccountStatus: opt(tolerant("NO_ACCOUNT", "NO_NET_LINKED_ACCOUNT", "NET_LINKED_ACCOUNT", "UNDEFINED")),
  billCurrency: opt(Schema.String),
  balance: opt(Schema.Struct({ amount: opt(Money), lastUpdatedDate: opt(Schema.String) })),
  networkStatus: opt(tolerant("NOT_CONNECTED", "PENDING", "CONNECTED", "CONNECTED_RPPS")),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {}

/** Line-level classifications; the bill level has only CoA / class / department / location / item. */
export const Classifications = Schema.Struct({
  chartOfAccountId: opt(ChartOfAccountId),
  accountingClassId: opt(AccountingClassId),
  departmentId: opt(DepartmentId),
  employeeId: opt(EmployeeId),
  jobId: opt(JobId),
  locationId: opt(LocationId),
  itemId: opt(ItemId),
  customerId: opt(CustomerId)
})

export const BillLineItem = Schema.Struct({
  id: opt(BillLineItemId),
  amount: opt(Money),
  quantity: opt(Schema.Number),
  price: opt(Money),
  description: opt(Schema.String),
  classifications: opt(Classifications)
})

export const BillApprover = Schema.Struct({
  userId: opt(Schema.String),
  status: opt(tolerant("WAITING", "VIEWED", "REROUTED", "DENIED", "APPROVED", "UPCOMING", "STALE", "UNDEFINED")),
  approverOrder: opt(Schema.Number),
  statusChangedTime: opt(Schema.String)
})

export const BillApprovalStatus = tolerant("UNASSIGNED", "ASSIGNED", "APPROVED", "APPROVING", "DENIED", "UNDEFINED")
export type BillApprovalStatus = typeof BillApprovalStatus.Type

export class Bill extends Schema.Class<Bill>("Bill")({
  id: BillId,
  archived: Schema.Boolean,
  recordStatus: opt(tolerant("ACTIVE", "INACTIVE", "DRAFT", "DRAFT_DELETED", "UNDEFINED")),
  vendorId: VendorId,
  vendorName: opt(Schema.String),
  amount: Money,
  fundingAmount: opt(Money),
  paidAmount: opt(Money),
  dueAmount: opt(Money),
  scheduledAmount: opt(Money),
  creditAmount: opt(Money),
  exchangeRate: opt(Schema.Number),
  description: opt(Schema.String),
  dueDate: opt(BusinessDate),
  invoice: Schema.optionalWith(Schema.Struct({ invoiceNumber: opt(Schema.String), invoiceDate: opt(BusinessDate) }), {
    nullable: true,
    default: () => ({})
  }),
  billLineItems: Schema.optionalWith(Schema.Array(BillLineItem), { nullable: true, default: () => [] }),
  payFromChartOfAccountId: opt(ChartOfAccountId),
  classifications: opt(Classifications),
  paymentStatus: opt(tolerant("PAID", "UNPAID", "PARTIALLY_PAID", "SCHEDULED", "IN_PROCESS", "UNDEFINED")),
  approvalStatus: opt(BillApprovalStatus),
  approvers: opt(Schema.Array(BillApprover)),
  purchaseOrderNumber: opt(Schema.String),
  createdBy: opt(UserId),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {
  /** The business date the cutoff applies to (Bill.com cannot filter bills by it server-side). */
  get businessDate() {
    return this.invoice.invoiceDate
  }
}

export const VendorCreditLineItem = Schema.Struct({
  id: opt(VendorCreditLineItemId),
  description: opt(Schema.String),
  amount: Money,
  classifications: opt(Classifications)
})

export const VendorCreditUsage = Schema.Struct({
  billId: opt(BillId),
  paymentId: opt(PaymentId),
  amount: Money
})

export class VendorCredit extends Schema.Class<VendorCredit>("VendorCredit")({
  id: VendorCreditId,
  vendorId: VendorId,
  referenceNumber: opt(Schema.String),
  creditDate: BusinessDate,
  description: opt(Schema.String),
  archived: Schema.Boolean,
  applyToChartOfAccountId: opt(ChartOfAccountId),
  applyToBankAccountId: opt(BankAccountId),
  amount: Money,
  appliedAmount: opt(Money),
  status: opt(tolerant("NOT_APPLIED", "PARTIALLY_APPLIED", "FULLY_APPLIED", "IN_PROCESS", "UNDEFINED")),
  vendorCreditLineItems: Schema.optionalWith(Schema.Array(VendorCreditLineItem), { nullable: true, default: () => [] }),
  usage: Schema.optionalWith(Schema.Array(VendorCreditUsage), { nullable: true, default: () => [] }),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {
  get businessDate() {
    return this.creditDate
  }
}

export const BillPayment = Schema.Struct({
  id: opt(BillPaymentId),
  billId: BillId,
  amount: Money,
  vendorCredits: opt(Schema.Array(Schema.Struct({ id: VendorCreditId, amount: Money })))
})

/** Bill.com spells it both ways (§4.4): read CANCELED as CANCELLED. */
export const PaymentStatus = Schema.transform(
  Schema.String,
  tolerant("APPROVING", "SCHEDULED", "PAID", "CANCELLED", "VOID", "ESCHEATED", "UNDEFINED"),
  { strict: true, decode: (s) => (s === "CANCELED" ? "CANCELLED" : s), encode: (s) => s }
)

export const FundingAccountRef = Schema.Struct({
  type: tolerant("BANK_ACCOUNT", "CARD_ACCOUNT", "WALLET", "AP_CARD", "UNDEFINED"),
  /** Absent for WALLET (the Bill.com balance). */
  id: opt(Schema.Union(BankAccountId, CardAccountId, ApCardId))
})

export class Payment extends Schema.Class<Payment>("Payment")({
  id: PaymentId,
  vendorId: VendorId,
  vendorName: opt(Schema.String),
  billId: opt(BillId),
  billPayments: Schema.optionalWith(Schema.Array(BillPayment), { nullable: true, default: () => [] }),
  description: opt(Schema.String),
  processDate: BusinessDate,
  fundingAccount: opt(FundingAccountRef),
  amount: Money,
  fundingAmount: opt(Money),
  exchangeRate: opt(Schema.Number),
  transactionNumber: opt(Schema.String),
  confirmationNumber: opt(Schema.String),
  status: opt(PaymentStatus),
  onlinePayment: opt(Schema.Boolean),
  disbursementType: opt(Schema.String),
  disbursementStatus: opt(Schema.String),
  singleStatus: opt(Schema.String),
  createdBy: opt(UserId),
  createdTime: opt(Timestamp),
  updatedTime: opt(Timestamp)
}) {
  get businessDate() {
    return this.processDate
  }
}
