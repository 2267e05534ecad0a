import type {
  BankAccount,
  Bill,
  CardAccount,
  ChartOfAccount,
  Classification,
  Customer,
  Item,
  LineClassifications,
  ApCard,
  Payment,
  PaymentStatus,
  Stamped,
  User,
  Vendor,
  VendorCredit
} from "./model.ts"
import type { Schema } from "effect"
import type * as Master from "../billcom/models/master.ts"
import type * as Payables from "../billcom/models/payables.ts"
import { billDueCents, billPaymentStatus, type Collection, type OrgState } from "./organization.ts"
import { documentRateMicros, fundingCents, rateNumber } from "./currency.ts"
import { formatDay, formatTimestamp, hash32, money } from "./random.ts"

/**
 * v3 JSON shapes (§4.1–4.10) and the filterable/sortable fields of each collection (§3.4).
 * Renderers leave unpopulated keys `undefined` so JSON.stringify omits them, as Bill.com does.
 */
export interface RenderContext {
  readonly state: OrgState
  readonly origin: string
}

type Json = Record<string, unknown>

/**
 * A rendered record: the JSON side of the client's schema of that object (src/billcom/models, the
 * one model the client, the sync and the emulator share), extended with every other field Bill.com
 * sends (the schemas decode only what a caller reads). A field the client decodes cannot be rendered
 * with another JSON type here without a compile error; test/billcom/one-model.test.ts decodes every
 * rendered record with the client's `decode`.
 */
export type Wire<S extends Schema.Schema.Any> = Schema.Schema.Encoded<S> & Json

/** Drop an object whose every value is undefined (an empty nested object is "unpopulated"). */
const compact = <A extends Json>(obj: A): A | undefined => {
  for (const key in obj) if (obj[key] !== undefined) return obj
  return undefined
}

const stamps = (r: Stamped) => ({
  createdTime: formatTimestamp(r.createdTime),
  updatedTime: formatTimestamp(r.updatedTime)
})

/** The wrong JSON type for a value (malformed-record faults and anomalies). */
export const wrongType = (value: unknown): unknown =>
  typeof value === "number"
    ? "n/a"
    : typeof value === "string"
      ? 12345
      : typeof value === "boolean"
        ? "yes"
        : value === undefined
          ? 42
          : "[object]"

/** Sets raw values at dotted paths ("invoice.invoiceDate", "billLineItems.0.amount") of a rendered record. */
export const overlay = (out: Json, values: Readonly<Record<string, unknown>>): Json => {
  for (const [path, value] of Object.entries(values)) {
    const keys = path.split(".")
    let at: Record<string, unknown> = out
    for (const key of keys.slice(0, -1)) {
      const next = at[key]
      if (typeof next !== "object" || next === null) at[key] = {}
      at = at[key] as Record<string, unknown>
    }
    at[keys.at(-1)!] = value
  }
  return out
}

const withMalformed = (record: Stamped, out: Json): Json => {
  if (record.malformed !== undefined) out[record.malformed] = wrongType(out[record.malformed])
  return out
}

const classifications = (c: LineClassifications) =>
  compact({
    chartOfAccountId: c.chartOfAccountId,
    accountingClassId: c.accountingClassId,
    departmentId: c.departmentId,
    employeeId: c.employeeId,
    jobId: c.jobId,
    locationId: c.locationId,
    itemId: c.itemId,
    customerId: c.customerId
  })

const renderVendor = (v: Vendor): Wire<typeof Payables.Vendor> => ({
  id: v.id,
  archived: v.archived,
  name: v.name,
  shortName: v.shortName,
  accountNumber: v.accountNumber,
  accountType: v.accountType,
  email: v.email,
  phone: v.phone,
  address: { ...v.address },
  paymentInformation: { payeeName: v.name, email: v.email, payByType: v.payByType, payBySubType: "NONE" },
  additionalInfo: compact({
    taxId: v.taxId,
    taxIdType: v.taxId !== undefined ? "EIN" : undefined,
    track1099: v.track1099,
    leadTimeInDays: v.leadTimeInDays,
    combinePayments: v.combinePayments
  }),
  bankAccountStatus: v.payByType === "ACH" ? "NET_LINKED_ACCOUNT" : "NO_ACCOUNT",
  recurringPayments: false,
  billCurrency: v.billCurrency ?? "USD",
  networkStatus: v.payByType === "ACH" ? "CONNECTED" : "NOT_CONNECTED",
  ...stamps(v)
})

const renderCustomer = (c: Customer): Wire<typeof Master.Customer> => ({
  id: c.id,
  archived: c.archived,
  name: c.name,
  companyName: c.companyName,
  email: c.email,
  phone: c.phone,
  description: c.description,
  contact: { firstName: c.firstName, lastName: c.lastName },
  invoiceCurrency: "USD",
  accountType: c.accountType,
  accountNumber: c.accountNumber,
  billingAddress: { ...c.billingAddress },
  ...stamps(c)
})

const renderBill = (b: Bill, ctx: RenderContext, withApprovers: boolean): Wire<typeof Payables.Bill> => {
  const vendor = ctx.state.get<Vendor>("vendors", b.vendorId)
  return {
    id: b.id,
    archived: b.archived,
    recordStatus: b.recordStatus ?? (b.archived ? "INACTIVE" : "ACTIVE"),
    vendorId: b.vendorId,
    vendorName: vendor?.name ?? "",
    amount: money(b.amountCents),
    fundingAmount: money(fundingCents(b, b.amountCents, b.invoiceDay)),
    paidAmount: money(b.clearedCents + b.creditCents),
    dueAmount: money(billDueCents(b)),
    scheduledAmount: money(b.scheduledCents),
    creditAmount: money(b.creditCents),
    exchangeRate: rateNumber(documentRateMicros(b, b.invoiceDay)),
    description: b.description,
    dueDate: formatDay(b.dueDay),
    invoice: { invoiceNumber: b.invoiceNumber, invoiceDate: formatDay(b.invoiceDay) },
    billLineItems: b.lines.map((l) => ({
      id: l.id,
      amount: money(l.amountCents),
      quantity: l.quantity,
      price: money(l.priceCents),
      description: l.description,
      classifications: classifications(l.classifications)
    })),
    payFromChartOfAccountId: b.payFromChartOfAccountId,
    classifications: classifications(b.classifications),
    paymentStatus: billPaymentStatus(b),
    approvalStatus: b.approvalUndefinedInV3 === true ? "UNDEFINED" : b.approvalStatus,
    approvers:
      withApprovers && b.approvers.length > 0
        ? b.approvers.map((a) => ({
            userId: a.userId,
            status: a.status,
            approverOrder: a.order,
            statusChangedTime: formatTimestamp(a.changedTime)
          }))
        : undefined,
    purchaseOrderNumber: b.poNumber,
    createdBy: b.createdBy,
    ...stamps(b)
  }
}

/** The disbursement status and unified `singleStatus` that go with each payment status. */
export const paymentStatuses = {
  APPROVING: { disbursementStatus: "SCHEDULE", singleStatus: "WAITING_ON_APPROVAL" },
  PAID: { disbursementStatus: "DONE", singleStatus: "CLEARED" },
  SCHEDULED: { disbursementStatus: "SCHEDULE", singleStatus: "SCHEDULED" },
  VOID: { disbursementStatus: "VOID", singleStatus: "VOIDED" },
  CANCELLED: { disbursementStatus: "VOID", singleStatus: "CANCELED" },
  ESCHEATED: { disbursementStatus: "ESCHEATED", singleStatus: "FUNDS_ESCHEATED" },
  UNDEFINED: { disbursementStatus: "UNDEFINED", singleStatus: "UNDEFINED" }
} as const satisfies Record<PaymentStatus, { disbursementStatus: string; singleStatus: string }>

const renderPayment = (p: Payment, ctx: RenderContext): Wire<typeof Payables.Payment> => {
  const vendor = ctx.state.get<Vendor>("vendors", p.vendorId)
  const sent = formatDay(p.processDay)
  const arrives = formatDay(p.processDay + (p.disbursementType === "CHECK" ? 5 : 1))
  return {
    id: p.id,
    vendorId: p.vendorId,
    vendorName: vendor?.name,
    billId: p.billPayments.length === 1 ? p.billPayments[0]!.billId : undefined,
    billPayments: p.billPayments.map((bp) => ({
      id: bp.id,
      billId: bp.billId,
      amount: money(bp.amountCents),
      vendorCredits:
        bp.vendorCredits !== undefined && bp.vendorCredits.length > 0
          ? bp.vendorCredits.map((vc) => ({ id: vc.id, amount: money(vc.amountCents) }))
          : undefined
    })),
    description: p.description,
    processDate: formatDay(p.processDay),
    fundingAccount: p.fundingType === "WALLET" ? { type: p.fundingType } : { type: p.fundingType, id: p.fundingId },
    amount: money(p.amountCents),
    fundingAmount: money(fundingCents(p, p.amountCents, p.processDay)),
    exchangeRate: rateNumber(documentRateMicros(p, p.processDay)),
    processingOptions: { requestPayFaster: false, createBill: false, requestCheckDeliveryType: "STANDARD" },
    confirmationNumber: p.confirmationNumber,
    status: p.status,
    onlinePayment: true,
    disbursementType: p.disbursementType,
    ...paymentStatuses[p.status],
    disbursementInfo: {
      isVoidable: p.status === "SCHEDULED",
      // Money left (and, once escheated, went unclaimed): how it was sent.
      ...(p.status === "PAID" || p.status === "ESCHEATED"
        ? p.disbursementType === "CHECK"
          ? { checkDisbursement: { sentDate: sent, arrivesByDate: arrives, checkNumber: p.checkNumber } }
          : { achDisbursement: { sentDate: sent, arrivesByDate: arrives } }
        : {})
    },
    createdBy: p.createdBy,
    ...stamps(p)
  }
}

export const creditApplied = (c: VendorCredit): number => c.usage.reduce((s, u) => s + u.amountCents, 0)

const renderVendorCredit = (c: VendorCredit): Wire<typeof Payables.VendorCredit> => {
  const applied = creditApplied(c)
  return {
    id: c.id,
    vendorId: c.vendorId,
    referenceNumber: c.referenceNumber,
    creditDate: formatDay(c.creditDay),
    description: c.description,
    archived: c.archived,
    applyToChartOfAccountId: c.applyToChartOfAccountId,
    amount: money(c.amountCents),
    appliedAmount: money(applied),
    status: applied === 0 ? "NOT_APPLIED" : applied < c.amountCents ? "PARTIALLY_APPLIED" : "FULLY_APPLIED",
    vendorCreditLineItems: c.lines.map((l) => ({
      id: l.id,
      description: l.description,
      amount: money(l.amountCents),
      classifications: classifications(l.classifications)
    })),
    usage:
      c.usage.length > 0
        ? c.usage.map((u) => ({ billId: u.billId, paymentId: u.paymentId, amount: money(u.amountCents) }))
        : undefined,
    ...stamps(c)
  }
}

export const renderChartOfAccount = (a: ChartOfAccount): Wire<typeof Master.ChartOfAccount> => ({
  id: a.id,
  archived: a.archived,
  name: a.name,
  description: a.description,
  parentId: a.parentId,
  account: compact({ type: a.type, number: a.number }),
  ...stamps(a)
})

const renderItem = (i: Item): Wire<typeof Master.Item> => ({
  id: i.id,
  type: i.type,
  shortName: i.shortName,
  name: i.name,
  description: i.description,
  archived: i.archived,
  parentId: i.parentId,
  price: i.priceCents !== undefined ? money(i.priceCents) : undefined,
  expenseChartOfAccountId: i.expenseChartOfAccountId,
  purchaseDescription: i.purchaseDescription,
  purchaseCost: i.purchaseCostCents !== undefined ? money(i.purchaseCostCents) : undefined,
  chartOfAccountId: i.chartOfAccountId,
  taxable: i.taxable,
  ...stamps(i)
})

const renderClassification = (c: Classification): Wire<typeof Master.Classification> =>
  c.firstName !== undefined
    ? {
        id: c.id,
        firstName: c.firstName,
        lastName: c.lastName,
        shortName: c.shortName,
        parentId: c.parentId,
        archived: c.archived,
        ...stamps(c)
      }
    : {
        id: c.id,
        name: c.name,
        shortName: c.shortName,
        description: c.description,
        parentId: c.parentId,
        archived: c.archived,
        ...stamps(c)
      }

const renderBank = (b: BankAccount): Wire<typeof Master.BankAccount> => ({
  id: b.id,
  archived: b.archived,
  status: b.status,
  createdBy: b.createdBy,
  routingNumber: b.routingNumber,
  accountNumber: b.accountNumber,
  nameOnAccount: b.nameOnAccount,
  type: b.type,
  ownerType: "BUSINESS",
  bankName: b.bankName,
  accessToAdmins: true,
  default: { payables: b.payables, receivables: b.receivables },
  chartOfAccountId: b.chartOfAccountId,
  ...stamps(b)
})

/** `GET /v3/funding-accounts/ap-cards` rows ([OAS] APCardResponseDto). */
export const renderApCard = (c: ApCard): Wire<typeof Master.ApCard> => ({
  id: c.id,
  status: c.status,
  nameOnAccount: c.nameOnAccount,
  ...stamps(c),
  balance: money(c.balanceCents),
  limit: money(c.limitCents)
})

export const renderCard = (c: CardAccount): Wire<typeof Master.CardAccount> => ({
  id: c.id,
  archived: c.archived,
  ...stamps(c),
  createdBy: c.createdBy,
  issuingBankName: c.issuingBankName,
  nameOnAccount: c.nameOnAccount,
  brand: c.brand,
  type: "CREDIT_CARD",
  status: c.status,
  last4: c.last4,
  expiration: { year: String(c.expYear), month: String(c.expMonth).padStart(2, "0") },
  default: { payables: c.payables, receivables: false, funding: c.payables, disbursement: false }
})

const renderUser = (u: User): Json => ({
  id: u.id,
  archived: u.archived,
  firstName: u.firstName,
  lastName: u.lastName,
  email: u.email,
  role: { id: u.roleId, type: u.roleType },
  ...stamps(u)
})

/** Bill documents are derived from the bill id: 0–2 per bill, stable across runs. */
export const documentsOf = (b: Bill): ReadonlyArray<{ id: string; name: string; pages: number; created: number }> => {
  const h = hash32(b.id)
  const count = h % 3
  const out = []
  for (let i = 0; i < count; i++)
    out.push({
      id: `00h02${b.id.slice(6)}${i}`,
      name: i === 0 ? `${b.invoiceNumber}.pdf` : `${b.invoiceNumber}-backup-${i}.pdf`,
      pages: 1 + ((h >>> (4 + i)) % 4),
      created: b.createdTime + 60_000 * (i + 1)
    })
  return out
}

export const renderDocument = (
  d: ReturnType<typeof documentsOf>[number],
  ctx: RenderContext
): Wire<typeof Master.Document> => ({
  id: d.id,
  name: d.name,
  createdTime: formatTimestamp(d.created),
  downloadLink: `${ctx.origin}/connect/v3/documents/${d.id}/download`,
  numOfPages: d.pages,
  scanStatus: "CLEAN"
})

/**
 * Bill.com adds response fields without notice and a client must ignore what it does not know:
 * every fifth record of a collection (by id) carries fields no published schema has, at the top
 * level and inside a nested object. Documented in README.md; the contract allows them (schemas are
 * open) and the contract suite proves the client decodes such records exactly as without them.
 */
export const UNDOCUMENTED_EXTRAS: Readonly<Record<string, Json>> = {
  vendors: { vendorPortalStatus: "INVITED", additionalInfo: { w9OnFileSince: "2024-02-01" } },
  bills: { billSource: "EMAIL_INBOX", invoice: { invoiceTimeZone: "America/Los_Angeles" } },
  payments: { remittanceTrackingId: "RT-00042", processingOptions: { sameDayRequested: false } },
  "vendor-credits": { sourceDocumentCount: 1 },
  "chart-of-accounts": { syncReference: "QBO:118", account: { subtype: "Checking" } },
  "ap-cards": { rewardsProgram: "CASHBACK" },
  default: { sourceSystem: "BILL" }
}

const withExtras = (collection: Collection, record: Stamped, out: Json): Json => {
  if (hash32(`${record.id}/extras`) % 5 !== 0) return out
  for (const [key, value] of Object.entries(UNDOCUMENTED_EXTRAS[collection] ?? UNDOCUMENTED_EXTRAS["default"]!)) {
    const current = out[key]
    // A nested extra joins the documented object (only where the record has it).
    if (typeof value === "object" && value !== null) {
      if (typeof current === "object" && current !== null) out[key] = { ...(current as Json), ...(value as Json) }
    } else out[key] = value
  }
  return out
}

/** Render a record of a collection; `detail` = a single-object GET (bills then carry approvers). */
export const renderRecord = (collection: Collection, record: Stamped, ctx: RenderContext, detail: boolean): Json => {
  const out = (() => {
    switch (collection) {
      case "vendors":
        return renderVendor(record as Vendor)
      case "customers":
        return renderCustomer(record as Customer)
      case "bills":
        return renderBill(record as Bill, ctx, detail)
      case "payments":
        return renderPayment(record as Payment, ctx)
      case "vendor-credits":
        return renderVendorCredit(record as VendorCredit)
      case "chart-of-accounts":
        return renderChartOfAccount(record as ChartOfAccount)
      case "items":
        return renderItem(record as Item)
      case "banks":
        return renderBank(record as BankAccount)
      case "cards":
        return renderCard(record as CardAccount)
      case "ap-cards":
        return renderApCard(record as ApCard)
      case "users":
        return renderUser(record as User)
      default:
        return renderClassification(record as Classification)
    }
  })()
  return withMalformed(record, withExtras(collection, record, out))
}
