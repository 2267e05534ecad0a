import { Errors } from "./errors.ts"
import { NO_CLASSIFICATIONS } from "./model.ts"
import type {
  ApprovalStatus,
  Bill,
  BillLine,
  LineClassifications,
  Payment,
  PaymentStatus,
  Stamped,
  Vendor,
  VendorCredit
} from "./model.ts"
import { rateMicrosOf } from "./currency.ts"
import { billDueCents, type Collection, type OrgState } from "./organization.ts"
import { DAY_MS, dayOf, parseDay, Random } from "./random.ts"

/**
 * Changes to the organisation over time (control API and in-process `mutate()`): what a
 * Bill.com user would do in the web app between two syncs. Every change bumps `updatedTime`
 * to the emulator clock, so incremental syncs (`updatedTime:gte:`) see it.
 */
export interface LineInput {
  readonly amount: number
  readonly description?: string
  readonly chartOfAccountId?: string
  readonly departmentId?: string
  readonly locationId?: string
  readonly accountingClassId?: string
  readonly itemId?: string
}

export type Mutation =
  | { readonly op: "createVendor"; readonly name?: string; readonly billCurrency?: string }
  | {
      readonly op: "updateVendor"
      readonly id: string
      readonly name?: string
      readonly email?: string
      readonly phone?: string
    }
  | {
      readonly op: "createBill"
      readonly vendorId?: string
      readonly invoiceDate?: string
      readonly dueDate?: string
      readonly amount?: number
      readonly lines?: ReadonlyArray<LineInput>
      readonly approvalStatus?: ApprovalStatus
      readonly description?: string
      /** USD per unit of the vendor's currency (foreign-currency vendors); default: the day's rate. */
      readonly exchangeRate?: number
    }
  | {
      readonly op: "editBill"
      readonly id: string
      readonly amount?: number
      readonly lines?: ReadonlyArray<LineInput>
      readonly invoiceDate?: string
      readonly dueDate?: string
      readonly description?: string
    }
  | { readonly op: "setApproval"; readonly billId: string; readonly status: ApprovalStatus }
  | {
      readonly op: "payBill"
      readonly billId: string
      readonly amount?: number
      readonly status?: PaymentStatus
      readonly fundingAccountId?: string
      /** WALLET: funded from the BILL balance (no funding account id). */
      readonly fundingType?: "WALLET"
      readonly processDate?: string
      readonly exchangeRate?: number
    }
  | { readonly op: "clearPayment"; readonly id: string }
  | { readonly op: "voidPayment"; readonly id: string }
  | { readonly op: "setPaymentStatus"; readonly id: string; readonly status: PaymentStatus }
  | {
      readonly op: "createVendorCredit"
      readonly vendorId: string
      readonly amount: number
      readonly creditDate?: string
      readonly chartOfAccountId?: string
      readonly exchangeRate?: number
    }
  | { readonly op: "applyCredit"; readonly vendorCreditId: string; readonly billId: string; readonly amount?: number }
  | { readonly op: "archive"; readonly collection: Collection; readonly id: string }
  | { readonly op: "restore"; readonly collection: Collection; readonly id: string }
  | { readonly op: "generateBills"; readonly count: number }
  /**
   * A record Bill.com holds with data its API should never send (legacy imports, a Bill.com bug):
   * from now on it is rendered with `set` (dotted path → raw JSON value) over its JSON, and with
   * `duplicate` its list pages carry a second copy (same updatedTime) with those values over it.
   * Empty `set` and no `duplicate` heal the record. Bumps updatedTime like any change.
   */
  | {
      readonly op: "poison"
      readonly collection: Collection
      readonly id: string
      readonly set?: Readonly<Record<string, unknown>>
      readonly duplicate?: Readonly<Record<string, unknown>>
    }

export interface MutationResult {
  readonly op: Mutation["op"]
  /** Ids created or changed, in order. */
  readonly ids: ReadonlyArray<string>
}

const cents = (amount: number, field: string): number => {
  if (typeof amount !== "number" || !Number.isFinite(amount) || amount <= 0)
    throw Errors.validation([[field, "must be a positive number"]])
  return Math.round(amount * 100)
}

const PAYMENT_STATUSES: ReadonlyArray<PaymentStatus> = [
  "APPROVING",
  "SCHEDULED",
  "PAID",
  "CANCELLED",
  "VOID",
  "ESCHEATED",
  "UNDEFINED"
]

/** An explicit exchange rate of a mutation, in millionths (undefined: the day's rate). */
const rateOf = (rate: number | undefined): { rateMicros?: number } => {
  if (rate === undefined) return {}
  const micros = rateMicrosOf(rate)
  if (micros === undefined)
    throw Errors.validation([["exchangeRate", "must be a positive number with at most 6 decimals"]])
  return { rateMicros: micros }
}

/** The currency a new document of the vendor is in (absent = USD). */
const currencyOf = (vendor: Vendor): { currency?: string } =>
  vendor.billCurrency !== undefined && vendor.billCurrency !== "USD" ? { currency: vendor.billCurrency } : {}

export const applyMutation = (state: OrgState, m: Mutation, random: Random): MutationResult => {
  const org = state.org
  const find = <A extends Stamped>(collection: Collection, id: string, label: string): A => {
    const record = state.get<A>(collection, id)
    if (record === undefined) throw Errors.notFound(label, id)
    return record
  }
  const touch = (...records: ReadonlyArray<Stamped>) => {
    const now = state.now()
    for (const r of records) r.updatedTime = now
  }
  const today = () => dayOf(state.now())
  const day = (text: string | undefined, fallback: number) => (text === undefined ? fallback : parseDay(text))
  const expenseAccount = () =>
    org.chartOfAccounts.find((a) => a.type === "EXPENSE" && !a.archived && a.parentId !== undefined)?.id
  const toLines = (inputs: ReadonlyArray<LineInput>): Array<BillLine> =>
    inputs.map((l, i) => {
      const amountCents = cents(l.amount, `lines[${i}].amount`)
      const classifications: LineClassifications = {}
      const coa = l.chartOfAccountId ?? expenseAccount()
      if (coa !== undefined) classifications.chartOfAccountId = coa
      if (l.departmentId !== undefined) classifications.departmentId = l.departmentId
      if (l.locationId !== undefined) classifications.locationId = l.locationId
      if (l.accountingClassId !== undefined) classifications.accountingClassId = l.accountingClassId
      if (l.itemId !== undefined) classifications.itemId = l.itemId
      return {
        id: state.ids.make("bli"),
        amountCents,
        quantity: 1,
        priceCents: amountCents,
        description: l.description ?? "Line item",
        classifications
      }
    })
  const scaleLines = (bill: Bill, amountCents: number) => {
    const total = bill.amountCents
    let left = amountCents
    bill.lines.forEach((line, i) => {
      const share =
        i === bill.lines.length - 1 ? left : Math.round((line.amountCents * amountCents) / Math.max(1, total))
      left -= share
      line.amountCents = share
      line.priceCents = Math.round(share / Math.max(1, line.quantity))
    })
  }
  const newBill = (
    vendor: Vendor,
    invoiceDay: number,
    dueDay: number,
    lines: Array<BillLine>,
    approvalStatus: ApprovalStatus,
    description?: string,
    rate: { rateMicros?: number } = {}
  ): Bill => {
    const now = state.now()
    const bill: Bill = {
      id: state.ids.make("00n"),
      archived: false,
      createdTime: now,
      updatedTime: now,
      seq: state.seq(),
      vendorId: vendor.id,
      invoiceNumber: `EMU-${random.digits(6)}`,
      invoiceDay,
      dueDay,
      ...(description !== undefined ? { description } : {}),
      lines,
      classifications: NO_CLASSIFICATIONS,
      approvalStatus,
      approvers:
        approvalStatus === "UNASSIGNED"
          ? []
          : [
              {
                userId: org.users[1]?.id ?? org.userId,
                status: approvalStatus === "APPROVED" ? "APPROVED" : "WAITING",
                order: 0,
                changedTime: now
              }
            ],
      createdBy: org.userId,
      ...currencyOf(vendor),
      ...rate,
      amountCents: 0,
      creditCents: 0,
      scheduledCents: 0,
      clearedCents: 0
    }
    state.recomputeBill(bill)
    org.bills.push(bill)
    state.register(bill)
    return bill
  }

  switch (m.op) {
    case "createVendor": {
      const now = state.now()
      const template = org.vendors[0]!
      const name = m.name ?? `New Vendor ${random.alnum(4).toUpperCase()}`
      if (m.billCurrency !== undefined && !/^[A-Z]{3}$/.test(m.billCurrency))
        throw Errors.validation([["billCurrency", "must be a three-letter ISO 4217 code"]])
      const vendor: Vendor = {
        ...template,
        address: { ...template.address },
        id: state.ids.make("009"),
        archived: false,
        createdTime: now,
        updatedTime: now,
        seq: state.seq(),
        name,
        shortName: name
          .replace(/[^A-Za-z0-9]/g, "")
          .slice(0, 12)
          .toUpperCase(),
        email: `billing@${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.example`
      }
      delete vendor.malformed
      delete vendor.billCurrency
      if (m.billCurrency !== undefined) vendor.billCurrency = m.billCurrency
      org.vendors.push(vendor)
      state.register(vendor)
      return { op: m.op, ids: [vendor.id] }
    }
    case "updateVendor": {
      const vendor = find<Vendor>("vendors", m.id, "Vendor")
      if (m.name !== undefined) vendor.name = m.name
      if (m.email !== undefined) vendor.email = m.email
      if (m.phone !== undefined) vendor.phone = m.phone
      touch(vendor)
      return { op: m.op, ids: [vendor.id] }
    }
    case "createBill": {
      const vendor =
        m.vendorId !== undefined ? find<Vendor>("vendors", m.vendorId, "Vendor") : org.vendors.find((v) => !v.archived)!
      const invoiceDay = day(m.invoiceDate, today())
      const lines = toLines(m.lines ?? [{ amount: m.amount ?? 100 }])
      const bill = newBill(
        vendor,
        invoiceDay,
        day(m.dueDate, invoiceDay + 30),
        lines,
        m.approvalStatus ?? "APPROVED",
        m.description,
        rateOf(m.exchangeRate)
      )
      return { op: m.op, ids: [bill.id] }
    }
    case "editBill": {
      const bill = find<Bill>("bills", m.id, "Bill")
      if (m.lines !== undefined) bill.lines = toLines(m.lines)
      else if (m.amount !== undefined) scaleLines(bill, cents(m.amount, "amount"))
      if (m.invoiceDate !== undefined) bill.invoiceDay = parseDay(m.invoiceDate)
      if (m.dueDate !== undefined) bill.dueDay = parseDay(m.dueDate)
      if (m.description !== undefined) bill.description = m.description
      state.recomputeBill(bill)
      touch(bill)
      return { op: m.op, ids: [bill.id] }
    }
    case "setApproval": {
      const bill = find<Bill>("bills", m.billId, "Bill")
      bill.approvalStatus = m.status
      const now = state.now()
      const status = m.status === "APPROVED" ? "APPROVED" : m.status === "DENIED" ? "DENIED" : "WAITING"
      bill.approvers =
        m.status === "UNASSIGNED"
          ? []
          : bill.approvers.length > 0
            ? bill.approvers.map((a) => ({ ...a, status, changedTime: now }))
            : [{ userId: org.users[1]?.id ?? org.userId, status, order: 0, changedTime: now }]
      touch(bill)
      return { op: m.op, ids: [bill.id] }
    }
    case "payBill": {
      const bill = find<Bill>("bills", m.billId, "Bill")
      const due = billDueCents(bill)
      const amountCents = m.amount !== undefined ? cents(m.amount, "amount") : due
      if (amountCents <= 0 || amountCents > due)
        throw Errors.validation([["amount", `must be between 0.01 and the due amount ${(due / 100).toFixed(2)}`]])
      const wallet = m.fundingType === "WALLET"
      if (wallet && m.fundingAccountId !== undefined)
        throw Errors.validation([["fundingAccountId", "a WALLET payment has no funding account id"]])
      const funding = wallet
        ? undefined
        : (m.fundingAccountId ?? org.banks.find((b) => b.payables)?.id ?? org.banks[0]?.id ?? "")
      const fundingType =
        funding === undefined
          ? "WALLET"
          : funding.startsWith("cat")
            ? "CARD_ACCOUNT"
            : funding.startsWith("dva")
              ? "AP_CARD"
              : "BANK_ACCOUNT"
      const status = m.status ?? "PAID"
      if (!PAYMENT_STATUSES.includes(status))
        throw Errors.validation([["status", `must be one of ${PAYMENT_STATUSES.join(", ")}`]])
      const vendor = find<Vendor>("vendors", bill.vendorId, "Vendor")
      const now = state.now()
      const payment: Payment = {
        id: state.ids.make("stp"),
        archived: false,
        createdTime: now,
        updatedTime: now,
        seq: state.seq(),
        vendorId: bill.vendorId,
        billPayments: [{ id: state.ids.make("blp"), billId: bill.id, amountCents }],
        processDay: day(m.processDate, status === "PAID" ? dayOf(now) : dayOf(now) + 3),
        fundingType,
        ...(funding !== undefined ? { fundingId: funding } : {}),
        amountCents,
        status,
        disbursementType: "ACH",
        confirmationNumber: `P${random.digits(10)}`,
        createdBy: org.userId,
        ...currencyOf(vendor),
        ...rateOf(m.exchangeRate)
      }
      org.payments.push(payment)
      state.register(payment)
      state.indexPayment(payment)
      state.recomputeBill(bill)
      touch(bill)
      return { op: m.op, ids: [payment.id, bill.id] }
    }
    case "clearPayment":
    case "voidPayment":
    case "setPaymentStatus": {
      const payment = find<Payment>("payments", m.id, "Payment")
      const status = m.op === "clearPayment" ? "PAID" : m.op === "voidPayment" ? "VOID" : m.status
      if (!PAYMENT_STATUSES.includes(status))
        throw Errors.validation([["status", `must be one of ${PAYMENT_STATUSES.join(", ")}`]])
      payment.status = status
      const bills = payment.billPayments.map((bp) => find<Bill>("bills", bp.billId, "Bill"))
      for (const b of bills) state.recomputeBill(b)
      touch(payment, ...bills)
      return { op: m.op, ids: [payment.id, ...bills.map((b) => b.id)] }
    }
    case "createVendorCredit": {
      const vendor = find<Vendor>("vendors", m.vendorId, "Vendor")
      const amountCents = cents(m.amount, "amount")
      const now = state.now()
      const coa = m.chartOfAccountId ?? expenseAccount()
      const credit: VendorCredit = {
        id: state.ids.make("vcr"),
        archived: false,
        createdTime: now,
        updatedTime: now,
        seq: state.seq(),
        vendorId: vendor.id,
        referenceNumber: `CM-${random.digits(6)}`,
        creditDay: day(m.creditDate, dayOf(now)),
        ...currencyOf(vendor),
        ...rateOf(m.exchangeRate),
        amountCents,
        lines: [
          {
            id: state.ids.make("vci"),
            description: "Credit",
            amountCents,
            classifications: coa !== undefined ? { chartOfAccountId: coa } : {}
          }
        ],
        usage: []
      }
      org.vendorCredits.push(credit)
      state.register(credit)
      return { op: m.op, ids: [credit.id] }
    }
    case "applyCredit": {
      const credit = find<VendorCredit>("vendor-credits", m.vendorCreditId, "Vendor credit")
      const bill = find<Bill>("bills", m.billId, "Bill")
      if (bill.vendorId !== credit.vendorId) throw Errors.validation([["billId", "must belong to the credit's vendor"]])
      const available = credit.amountCents - credit.usage.reduce((s, u) => s + u.amountCents, 0)
      const amountCents = m.amount !== undefined ? cents(m.amount, "amount") : Math.min(available, billDueCents(bill))
      if (amountCents <= 0 || amountCents > available || amountCents > billDueCents(bill))
        throw Errors.validation([["amount", "exceeds the credit's unapplied amount or the bill's due amount"]])
      credit.usage.push({ billId: bill.id, amountCents })
      state.indexCredit(credit)
      state.recomputeBill(bill)
      touch(credit, bill)
      return { op: m.op, ids: [credit.id, bill.id] }
    }
    case "archive":
    case "restore": {
      const record = find<Stamped>(m.collection, m.id, m.collection)
      if (m.op === "restore" && m.collection === "vendor-credits")
        throw Errors.badRequest("Vendor credits cannot be restored.")
      record.archived = m.op === "archive"
      touch(record)
      return { op: m.op, ids: [record.id] }
    }
    case "poison": {
      const record = find<Stamped>(m.collection, m.id, m.collection)
      if (m.set !== undefined && Object.keys(m.set).length > 0) record.poison = { ...m.set }
      else delete record.poison
      if (m.duplicate !== undefined) record.duplicate = { ...m.duplicate }
      else delete record.duplicate
      touch(record)
      return { op: m.op, ids: [record.id] }
    }
    case "generateBills": {
      const ids: Array<string> = []
      const vendors = org.vendors.filter((v) => !v.archived)
      const count = Math.max(0, Math.min(100_000, Math.floor(m.count)))
      for (let i = 0; i < count; i++) {
        const vendor = random.pick(vendors)
        const invoiceDay = today() - random.int(0, 20)
        const lines = toLines([{ amount: random.int(2_000, 500_000) / 100, description: "Generated line" }])
        ids.push(newBill(vendor, invoiceDay, invoiceDay + 30, lines, "APPROVED").id)
      }
      return { op: m.op, ids }
    }
  }
}

export { DAY_MS }
