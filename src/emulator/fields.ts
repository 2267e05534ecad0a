import { documentRateMicros, fundingCents, rateNumber } from "./currency.ts"
import type {
  ApCard,
  BankAccount,
  Bill,
  CardAccount,
  ChartOfAccount,
  Classification,
  Customer,
  Item,
  LineClassifications,
  Payment,
  Stamped,
  User,
  Vendor,
  VendorCredit
} from "./model.ts"
import { billPaymentStatus, type Collection } from "./organization.ts"
import type { Fields } from "./query.ts"
import { formatDay, money } from "./random.ts"
import { creditApplied, paymentStatuses } from "./render.ts"

/**
 * The filterable and sortable fields of each collection (§3.4), with the operators Bill.com
 * documents for them.
 */
// Operator sets Bill.com documents (§3.4); fields known only from peers accept every operator.
const ID_OPS = ["eq", "ne", "in"] as const
const BOOL_OPS = ["eq", "ne"] as const
const RANGE_OPS = ["gt", "gte", "lt", "lte"] as const
const ENUM_OPS = ["eq", "ne", "in", "nin"] as const
const NAME_OPS = ["eq", "sw"] as const
const REF_OPS = ["eq", "in"] as const

const common = <R extends Stamped>(): Fields<R> => ({
  id: { kind: "string", get: (r) => r.id, ops: ID_OPS },
  archived: { kind: "bool", get: (r) => r.archived, ops: BOOL_OPS },
  createdTime: { kind: "time", get: (r) => r.createdTime, ops: RANGE_OPS },
  updatedTime: { kind: "time", get: (r) => r.updatedTime, ops: RANGE_OPS }
})

const lineIds = (b: Bill, key: keyof LineClassifications): ReadonlyArray<string> => {
  const out: Array<string> = []
  const top = b.classifications[key]
  if (top !== undefined) out.push(top)
  for (const l of b.lines) {
    const v = l.classifications[key]
    if (v !== undefined) out.push(v)
  }
  return out
}

const namedFields = <
  R extends Stamped & { name: string; shortName?: string; description?: string; parentId?: string }
>(): Fields<R> => ({
  ...common<R>(),
  name: { kind: "string", get: (r) => r.name },
  shortName: { kind: "string", get: (r) => r.shortName },
  description: { kind: "string", get: (r) => r.description },
  parentId: { kind: "string", get: (r) => r.parentId }
})

export const FIELDS: Record<Collection, Fields<any>> = {
  vendors: {
    ...common<Vendor>(),
    name: { kind: "string", get: (v: Vendor) => v.name, ops: NAME_OPS },
    shortName: { kind: "string", get: (v: Vendor) => v.shortName, filterable: false },
    accountType: { kind: "string", get: (v: Vendor) => v.accountType, ops: ENUM_OPS, sortable: false },
    "address.country": { kind: "string", get: (v: Vendor) => v.address.country, sortable: false, ops: BOOL_OPS },
    billCurrency: { kind: "string", get: () => "USD", ops: ENUM_OPS },
    email: { kind: "string", get: (v: Vendor) => v.email, filterable: false },
    phone: { kind: "string", get: (v: Vendor) => v.phone, filterable: false }
  },
  customers: {
    ...common<Customer>(),
    name: { kind: "string", get: (c: Customer) => c.name, ops: NAME_OPS },
    companyName: { kind: "string", get: (c: Customer) => c.companyName, filterable: false },
    accountType: { kind: "string", get: (c: Customer) => c.accountType, ops: ENUM_OPS, sortable: false },
    invoiceCurrency: { kind: "string", get: () => "USD", ops: ENUM_OPS },
    email: { kind: "string", get: (c: Customer) => c.email, filterable: false }
  },
  bills: {
    ...common<Bill>(),
    vendorId: { kind: "string", get: (b: Bill) => b.vendorId, sortable: false, ops: REF_OPS },
    dueDate: { kind: "date", get: (b: Bill) => formatDay(b.dueDay), ops: RANGE_OPS },
    paymentStatus: { kind: "string", get: (b: Bill) => billPaymentStatus(b), sortable: false, ops: ID_OPS },
    approvalStatus: { kind: "string", get: (b: Bill) => b.approvalStatus, sortable: false },
    amount: { kind: "number", get: (b: Bill) => money(b.amountCents), sortable: false },
    fundingAmount: {
      kind: "number",
      get: (b: Bill) => money(fundingCents(b, b.amountCents, b.invoiceDay)),
      filterable: false
    },
    exchangeRate: {
      kind: "number",
      get: (b: Bill) => rateNumber(documentRateMicros(b, b.invoiceDay)),
      filterable: false
    },
    description: { kind: "string", get: (b: Bill) => b.description, filterable: false },
    payFromChartOfAccountId: {
      kind: "string",
      get: (b: Bill) => b.payFromChartOfAccountId,
      sortable: false,
      ops: ID_OPS
    },
    "classifications.chartOfAccountId": { kind: "ids", get: (b: Bill) => lineIds(b, "chartOfAccountId"), ops: ID_OPS },
    "classifications.accountingClassId": {
      kind: "ids",
      get: (b: Bill) => lineIds(b, "accountingClassId"),
      ops: ID_OPS
    },
    "classifications.departmentId": { kind: "ids", get: (b: Bill) => lineIds(b, "departmentId"), ops: ID_OPS },
    "classifications.locationId": { kind: "ids", get: (b: Bill) => lineIds(b, "locationId"), ops: ID_OPS },
    "classifications.itemId": { kind: "ids", get: (b: Bill) => lineIds(b, "itemId"), ops: ID_OPS }
  },
  payments: {
    ...common<Payment>(),
    vendorId: { kind: "string", get: (p: Payment) => p.vendorId, sortable: false },
    status: { kind: "string", get: (p: Payment) => p.status, sortable: false },
    disbursementType: { kind: "string", get: (p: Payment) => p.disbursementType, sortable: false },
    disbursementStatus: {
      kind: "string",
      get: (p: Payment) => paymentStatuses[p.status].disbursementStatus,
      filterable: false
    },
    processDate: { kind: "date", get: (p: Payment) => formatDay(p.processDay) },
    amount: { kind: "number", get: (p: Payment) => money(p.amountCents) },
    description: { kind: "string", get: (p: Payment) => p.description, filterable: false },
    confirmationNumber: { kind: "string", get: (p: Payment) => p.confirmationNumber, filterable: false },
    onlinePayment: { kind: "bool", get: () => true, filterable: false }
  },
  "vendor-credits": {
    ...common<VendorCredit>(),
    vendorId: { kind: "string", get: (c: VendorCredit) => c.vendorId, sortable: false },
    creditDate: { kind: "date", get: (c: VendorCredit) => formatDay(c.creditDay) },
    amount: { kind: "number", get: (c: VendorCredit) => money(c.amountCents) },
    appliedAmount: { kind: "number", get: (c: VendorCredit) => money(creditApplied(c)) }
  },
  "chart-of-accounts": {
    ...namedFields<ChartOfAccount>()
  },
  items: {
    ...namedFields<Item>(),
    type: { kind: "string", get: (i: Item) => i.type, sortable: false }
  },
  banks: {
    ...common<BankAccount>(),
    bankAccountId: { kind: "string", get: (b: BankAccount) => b.id, sortable: false },
    nameOnAccount: { kind: "string", get: (b: BankAccount) => b.nameOnAccount },
    bankName: { kind: "string", get: (b: BankAccount) => b.bankName },
    accessToAdmins: { kind: "bool", get: () => true }
  },
  cards: { ...common<CardAccount>() },
  "ap-cards": { ...common<ApCard>() },
  users: {
    ...common<User>(),
    firstName: { kind: "string", get: (u: User) => u.firstName },
    lastName: { kind: "string", get: (u: User) => u.lastName },
    email: { kind: "string", get: (u: User) => u.email }
  },
  departments: namedFields<Classification>(),
  jobs: namedFields<Classification>(),
  locations: namedFields<Classification>(),
  "accounting-classes": namedFields<Classification>(),
  employees: {
    ...namedFields<Classification>(),
    firstName: { kind: "string", get: (c: Classification) => c.firstName },
    lastName: { kind: "string", get: (c: Classification) => c.lastName }
  }
}
