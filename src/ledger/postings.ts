import { createHash } from "node:crypto"
import { fromCents, sumCents, toCents, type Cents } from "./money.ts"

/**
 * Pure posting rules: a ledger document (as the payables tables hold it) → the journal entry it
 * should have, or none. The Journal service compares the entry's version hash with the live one and
 * posts a reversal + the new entry only when they differ.
 *
 *   bill               DR each line's account           CR AP (open item: the bill)
 *   vendor credit      DR AP (open item: the credit)    CR each line's account
 *   credit application DR AP (open item: each bill)     CR AP (open item: the credit)
 *   vendor payment     DR AP (open item: each bill paid, the rest on the payment itself)
 *                                                       CR the funding account's bank/card account
 */
export type SourceKind = "bill" | "vendor-credit" | "credit-application" | "payment"
export type OpenItemKind = "bill" | "vendor-credit" | "payment"

export interface LineSpec {
  readonly accountId: number
  /** Debit positive, credit negative. */
  readonly amount: Cents
  readonly vendorId: number | null
  readonly itemId: number | null
  readonly customerId: number | null
  readonly dimensionIds: ReadonlyArray<number>
  readonly openItem: { readonly kind: OpenItemKind; readonly id: string } | null
  readonly description: string | null
}

export interface EntrySpec {
  readonly sourceKind: SourceKind
  readonly sourceId: string
  readonly entryDate: string
  readonly currency: string
  readonly vendorId: number | null
  readonly memo: string | null
  readonly lines: ReadonlyArray<LineSpec>
}

export interface DocumentLine {
  readonly account_id: number
  readonly item_id: number | null
  readonly customer_id: number | null
  readonly dimension_ids: ReadonlyArray<number>
  readonly description: string | null
  readonly amount: string
}

export interface BillDocument {
  readonly billcomId: string
  readonly vendorId: number
  readonly invoiceNumber: string | null
  readonly invoiceDate: string
  readonly amount: string
  readonly currency: string
  readonly archived: boolean
  readonly lines: ReadonlyArray<DocumentLine>
}

export interface CreditDocument {
  readonly billcomId: string
  readonly vendorId: number
  readonly referenceNumber: string | null
  readonly creditDate: string
  readonly amount: string
  readonly currency: string
  readonly archived: boolean
  readonly lines: ReadonlyArray<DocumentLine>
  /** Bill.com's `usage`: where the credit was applied (bill id, amount). */
  readonly usage: ReadonlyArray<{ readonly billId: string; readonly amount: string }>
}

export interface PaymentDocument {
  readonly billcomId: string
  readonly vendorId: number
  readonly processDate: string
  readonly amount: string
  readonly currency: string
  readonly cashAccountId: number
  /** False for voided, cancelled or not-yet-approved payments (journal_payment_posts in SQL). */
  readonly posts: boolean
  readonly applications: ReadonlyArray<{ readonly billcomBillId: string; readonly amount: string }>
}

const DIFFERENCE = "difference between the document total and its lines"

const line = (accountId: number, amount: Cents, vendorId: number, rest: Partial<LineSpec> = {}): LineSpec => ({
  accountId,
  amount,
  vendorId,
  itemId: null,
  customerId: null,
  dimensionIds: [],
  openItem: null,
  description: null,
  ...rest
})

/** Document lines with `sign` applied, plus a difference line when they do not add up to the total. */
const distribution = (lines: ReadonlyArray<DocumentLine>, total: Cents, sign: 1n | -1n, vendorId: number): Array<LineSpec> => {
  const out = lines
    .map((l) =>
      line(l.account_id, sign * toCents(l.amount), vendorId, {
        itemId: l.item_id,
        customerId: l.customer_id,
        dimensionIds: [...l.dimension_ids],
        description: l.description
      })
    )
    .filter((l) => l.amount !== 0n)
  const difference = sign * total - sumCents(out.map((l) => l.amount))
  // Bill.com's total wins (it is what AP owes); the gap goes to the first line's account, visibly.
  if (difference !== 0n && lines[0] !== undefined) out.push(line(lines[0].account_id, difference, vendorId, { description: DIFFERENCE }))
  return out
}

/** At least two non-zero lines, or no entry at all (a zero document moves nothing). */
const entry = (spec: Omit<EntrySpec, "lines">, lines: ReadonlyArray<LineSpec>): EntrySpec | undefined => {
  const kept = lines.filter((l) => l.amount !== 0n)
  return kept.length >= 2 && sumCents(kept.map((l) => l.amount)) === 0n ? { ...spec, lines: kept } : undefined
}

export const billEntry = (bill: BillDocument, apAccountId: number): EntrySpec | undefined => {
  if (bill.archived || bill.lines.length === 0) return undefined
  const total = toCents(bill.amount)
  return entry(
    { sourceKind: "bill", sourceId: bill.billcomId, entryDate: bill.invoiceDate, currency: bill.currency, vendorId: bill.vendorId, memo: `Bill ${bill.invoiceNumber ?? bill.billcomId}` },
    [...distribution(bill.lines, total, 1n, bill.vendorId), line(apAccountId, -total, bill.vendorId, { openItem: { kind: "bill", id: bill.billcomId } })]
  )
}

export const creditEntry = (credit: CreditDocument, apAccountId: number): EntrySpec | undefined => {
  if (credit.archived || credit.lines.length === 0) return undefined
  const total = toCents(credit.amount)
  return entry(
    { sourceKind: "vendor-credit", sourceId: credit.billcomId, entryDate: credit.creditDate, currency: credit.currency, vendorId: credit.vendorId, memo: `Vendor credit ${credit.referenceNumber ?? credit.billcomId}` },
    [line(apAccountId, total, credit.vendorId, { openItem: { kind: "vendor-credit", id: credit.billcomId } }), ...distribution(credit.lines, total, -1n, credit.vendorId)]
  )
}

/**
 * The credit's applications to bills, one entry per credit. Dated the later of the credit date and
 * the applied bills' invoice dates (`billDates`, when the ledger has them): an application cannot
 * precede the bill it settles.
 */
export const creditApplicationEntry = (credit: CreditDocument, apAccountId: number, billDates: ReadonlyMap<string, string>): EntrySpec | undefined => {
  if (credit.archived) return undefined
  const perBill = new Map<string, Cents>()
  for (const u of credit.usage) perBill.set(u.billId, (perBill.get(u.billId) ?? 0n) + toCents(u.amount))
  const bills = [...perBill].filter(([, c]) => c !== 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (bills.length === 0) return undefined
  const date = bills.reduce((d, [id]) => {
    const billDate = billDates.get(id)
    return billDate !== undefined && billDate > d ? billDate : d
  }, credit.creditDate)
  return entry(
    { sourceKind: "credit-application", sourceId: credit.billcomId, entryDate: date, currency: credit.currency, vendorId: credit.vendorId, memo: `Vendor credit ${credit.referenceNumber ?? credit.billcomId} applied` },
    [
      ...bills.map(([billId, cents]) => line(apAccountId, cents, credit.vendorId, { openItem: { kind: "bill", id: billId } })),
      line(apAccountId, -sumCents(bills.map(([, c]) => c)), credit.vendorId, { openItem: { kind: "vendor-credit", id: credit.billcomId } })
    ]
  )
}

export const paymentEntry = (payment: PaymentDocument, apAccountId: number): EntrySpec | undefined => {
  if (!payment.posts) return undefined
  const total = toCents(payment.amount)
  const perBill = new Map<string, Cents>()
  for (const a of payment.applications) perBill.set(a.billcomBillId, (perBill.get(a.billcomBillId) ?? 0n) + toCents(a.amount))
  const applied = [...perBill].map(([billId, cents]) => line(apAccountId, cents, payment.vendorId, { openItem: { kind: "bill", id: billId } }))
  const rest = total - sumCents(applied.map((l) => l.amount))
  return entry(
    { sourceKind: "payment", sourceId: payment.billcomId, entryDate: payment.processDate, currency: payment.currency, vendorId: payment.vendorId, memo: `Vendor payment ${payment.billcomId}` },
    [
      ...applied,
      line(apAccountId, rest, payment.vendorId, { openItem: { kind: "payment", id: payment.billcomId }, description: "unapplied part of the payment" }),
      line(payment.cashAccountId, -total, payment.vendorId)
    ]
  )
}

/**
 * Natural keys of the rows a journal line points at (account number, vendor/item/customer key,
 * dimension kind:key). Surrogate ids depend on the order rows were first inserted (a master record
 * that failed to decode and arrived later shifts every id after it), so nothing that must be the
 * same in every database — the version hash, the idempotency key, the line order — may use them.
 */
export interface NaturalKeys {
  readonly account: (id: number) => string
  readonly vendor: (id: number) => string
  readonly item: (id: number) => string
  readonly customer: (id: number) => string
  readonly dimension: (id: number) => string
}

const byKey = (ids: ReadonlyArray<number>, key: (id: number) => string): Array<number> =>
  [...ids].sort((a, b) => {
    const ka = key(a)
    const kb = key(b)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })

/** The spec with its lines' dimensions in natural-key order (what is stored and hashed). */
export const canonicalEntry = (spec: EntrySpec, keys: NaturalKeys): EntrySpec => ({
  ...spec,
  lines: spec.lines.map((l) => (l.dimensionIds.length < 2 ? l : { ...l, dimensionIds: byKey(l.dimensionIds, keys.dimension) }))
})

const nullable = (id: number | null, key: (id: number) => string): string | null => (id === null ? null : key(id))

/**
 * The version hash: everything that lands in the journal, in a canonical order, with every row it
 * references named by its natural key — a function of the documents alone, equal in every database
 * that holds the same documents.
 */
export const versionHash = (spec: EntrySpec, keys: NaturalKeys): string =>
  createHash("sha256")
    .update(
      JSON.stringify([
        spec.sourceKind,
        spec.sourceId,
        spec.entryDate,
        spec.currency,
        nullable(spec.vendorId, keys.vendor),
        spec.memo,
        spec.lines.map((l) => [
          keys.account(l.accountId),
          fromCents(l.amount),
          nullable(l.vendorId, keys.vendor),
          nullable(l.itemId, keys.item),
          nullable(l.customerId, keys.customer),
          l.dimensionIds.map(keys.dimension).sort(),
          l.openItem?.kind ?? null,
          l.openItem?.id ?? null,
          l.description
        ])
      ])
    )
    .digest("hex")
