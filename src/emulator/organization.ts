import type { Bill, ClassificationKind, Organization, Payment, Stamped, VendorCredit } from "./model.ts"
import { CLASSIFICATION_KINDS } from "./model.ts"
import { IdFactory, Random, RUNTIME_ID_BASE } from "./random.ts"

/** Bill.com's derived payment status of a bill (§4.2), from its amounts. */
export const billPaymentStatus = (
  bill: Bill
): "PAID" | "UNPAID" | "PARTIALLY_PAID" | "SCHEDULED" | "IN_PROCESS" | "UNDEFINED" => {
  if (bill.paymentStatusUndefined === true) return "UNDEFINED"
  if ((bill.inProcessCents ?? 0) > 0) return "IN_PROCESS"
  if (bill.scheduledCents > 0) return "SCHEDULED"
  const settled = bill.clearedCents + bill.creditCents
  if (bill.amountCents > 0 && settled >= bill.amountCents) return "PAID"
  return settled > 0 ? "PARTIALLY_PAID" : "UNPAID"
}

/** dueAmount = amount − credits − scheduled − cleared (§4.2). */
export const billDueCents = (bill: Bill): number =>
  bill.amountCents - bill.creditCents - bill.scheduledCents - bill.clearedCents

/** The collections a list or get route can address, with their record type. */
export type Collection =
  | "vendors"
  | "customers"
  | "bills"
  | "payments"
  | "vendor-credits"
  | "chart-of-accounts"
  | "items"
  | "banks"
  | "cards"
  | "ap-cards"
  | "users"
  | ClassificationKind

/**
 * The organisation plus its lookup indexes and the emulator clock. Every mutation goes through
 * here so indexes and derived bill amounts never drift from the records.
 */
export class OrgState {
  readonly byId = new Map<string, Stamped>()
  private readonly paymentsByBill = new Map<string, Array<Payment>>()
  private readonly creditsByBill = new Map<string, Array<VendorCredit>>()
  readonly ids: IdFactory
  private nextSeq: number
  private lastTick = 0
  private readonly startedAt = Date.now()
  private clockOffsetMs = 0

  constructor(
    readonly org: Organization,
    seed: string
  ) {
    this.ids = new IdFactory(new Random(`${seed}/runtime-ids`), RUNTIME_ID_BASE)
    let seq = 0
    for (const name of COLLECTIONS) {
      for (const record of this.collection(name)) {
        this.byId.set(record.id, record)
        if (record.seq >= seq) seq = record.seq + 1
      }
    }
    this.nextSeq = seq
    for (const payment of org.payments) this.indexPayment(payment)
    for (const credit of org.vendorCredits) this.indexCredit(credit)
  }

  collection(name: Collection): ReadonlyArray<Stamped> {
    const org = this.org
    switch (name) {
      case "vendors":
        return org.vendors
      case "customers":
        return org.customers
      case "bills":
        return org.bills
      case "payments":
        return org.payments
      case "vendor-credits":
        return org.vendorCredits
      case "chart-of-accounts":
        return org.chartOfAccounts
      case "items":
        return org.items
      case "banks":
        return org.banks
      case "cards":
        return org.cards
      case "ap-cards":
        return org.apCards
      case "users":
        return org.users
      default:
        return org.classifications[name]
    }
  }

  get<A extends Stamped>(collection: Collection, id: string): A | undefined {
    const record = this.byId.get(id)
    if (record === undefined) return undefined
    return this.collection(collection).includes(record) ? (record as A) : undefined
  }

  /**
   * The emulator clock: the seed's as-of instant plus real elapsed time (plus any manual advance),
   * strictly increasing so every mutation gets a distinct `updatedTime`.
   */
  now(): number {
    const t = Math.max(this.org.asOf + (Date.now() - this.startedAt) + this.clockOffsetMs, this.lastTick + 1)
    this.lastTick = t
    return t
  }

  advanceClock(ms: number): number {
    this.clockOffsetMs += ms
    return this.now()
  }

  seq(): number {
    return this.nextSeq++
  }

  register(record: Stamped): void {
    this.byId.set(record.id, record)
  }

  indexPayment(payment: Payment): void {
    for (const bp of payment.billPayments) push(this.paymentsByBill, bp.billId, payment)
  }

  indexCredit(credit: VendorCredit): void {
    for (const use of credit.usage) push(this.creditsByBill, use.billId, credit)
  }

  paymentsOf(billId: string): ReadonlyArray<Payment> {
    return this.paymentsByBill.get(billId) ?? []
  }

  /** Recompute a bill's derived amounts from its lines, payments and credit usage. */
  recomputeBill(bill: Bill): void {
    bill.amountCents = bill.lines.reduce((sum, line) => sum + line.amountCents, 0)
    let scheduled = 0
    let cleared = 0
    let inProcess = 0
    for (const payment of new Set(this.paymentsByBill.get(bill.id) ?? [])) {
      for (const bp of payment.billPayments) {
        if (bp.billId !== bill.id) continue
        // Pending clearance: scheduled, or awaiting payment approval (IN_PROCESS).
        if (payment.status === "SCHEDULED" || payment.status === "APPROVING") scheduled += bp.amountCents
        if (payment.status === "APPROVING") inProcess += bp.amountCents
        // Money left: cleared, or cleared and later escheated (unclaimed, turned over to the state).
        else if (payment.status === "PAID" || payment.status === "ESCHEATED") cleared += bp.amountCents
      }
    }
    if (inProcess > 0) bill.inProcessCents = inProcess
    else delete bill.inProcessCents
    let credit = 0
    for (const vc of new Set(this.creditsByBill.get(bill.id) ?? [])) {
      for (const use of vc.usage) if (use.billId === bill.id) credit += use.amountCents
    }
    bill.scheduledCents = scheduled
    bill.clearedCents = cleared
    bill.creditCents = credit
  }
}

export const COLLECTIONS: ReadonlyArray<Collection> = [
  "users",
  "vendors",
  "customers",
  "chart-of-accounts",
  "items",
  ...CLASSIFICATION_KINDS,
  "banks",
  "cards",
  "ap-cards",
  "bills",
  "payments",
  "vendor-credits"
]

const push = <K, V>(map: Map<K, Array<V>>, key: K, value: V): void => {
  const list = map.get(key)
  if (list === undefined) map.set(key, [value])
  else if (!list.includes(value)) list.push(value)
}
