import { createHash } from "node:crypto"
import { convertCents, fromCents, sumCents, toCents, type Cents } from "./money.ts"

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
 *   opening (bill)     DR opening balance equity        CR AP (open item: the bill), its balance open at the cutoff
 *   opening (credit)   DR AP (open item: the credit)    CR opening balance equity
 *   fx rounding        the cents a foreign item keeps in the functional currency once settled in its own, to FX gain/loss
 *
 * Every line's `amount` is in the ledger's functional currency. A document in another currency is
 * converted at its own exchange rate (Bill.com's rate for that transaction), line by line, the
 * line keeping its transaction currency and amount; a settlement (payment, credit application)
 * debits AP at the rate the settled bill was booked at and the difference is a realised FX gain
 * or loss (docs/accounting.md).
 */
export type SourceKind = "bill" | "vendor-credit" | "credit-application" | "payment" | "opening" | "fx-rounding"
export type OpenItemKind = "bill" | "vendor-credit" | "payment"

/** How a document's amounts become functional-currency amounts: its currency and Bill.com's rate (USD per unit). */
export interface Conversion {
  readonly currency: string
  /** Exact decimal text; "1" for a document in the functional currency. */
  readonly rate: string
}

export const FUNCTIONAL: (currency: string) => Conversion = (currency) => ({ currency, rate: "1" })

export interface LineSpec {
  readonly accountId: number
  /** Functional currency; debit positive, credit negative. */
  readonly amount: Cents
  readonly vendorId: number | null
  readonly itemId: number | null
  readonly customerId: number | null
  readonly dimensionIds: ReadonlyArray<number>
  readonly openItem: { readonly kind: OpenItemKind; readonly id: string } | null
  readonly description: string | null
  /** The transaction's currency and amount, and the rate that converted it (`amount` = txnAmount × rate). */
  readonly currency: string
  readonly txnAmount: Cents
  /** Null on a functional-only adjustment (FX rounding of a settled item). */
  readonly rate: string | null
}

export interface EntrySpec {
  readonly sourceKind: SourceKind
  readonly sourceId: string
  /** The document's date; the entry is dated the first open day when that lies in a closed period. */
  readonly entryDate: string
  /** The functional currency. */
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
  /** The functional currency (every entry's currency). */
  readonly currency: string
  readonly conversion: Conversion
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
  readonly conversion: Conversion
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
  readonly conversion: Conversion
  readonly cashAccountId: number
  /** True only when money left (PAID, ESCHEATED: journal_payment_posts in SQL). */
  readonly posts: boolean
  readonly applications: ReadonlyArray<{ readonly billcomBillId: string; readonly amount: string }>
}

/** The accounts a settlement or opening posts to besides AP; undefined when the pipeline names none. */
export interface PostingAccounts {
  readonly ap: number
  readonly fxGainLoss?: number | undefined
  readonly openingBalance?: number | undefined
}

const DIFFERENCE = "difference between the document total and its lines"
const ROUNDING = "rounding at the exchange rate"
const FX = "realised exchange gain (−) or loss (+)"

/** A line of `txn` in the conversion's currency; its functional amount is `txn` at the conversion's rate. */
const line = (
  accountId: number,
  conversion: Conversion,
  txn: Cents,
  vendorId: number,
  rest: Partial<LineSpec> = {}
): LineSpec => ({
  accountId,
  amount: convertCents(txn, conversion.rate),
  vendorId,
  itemId: null,
  customerId: null,
  dimensionIds: [],
  openItem: null,
  description: null,
  currency: conversion.currency,
  txnAmount: txn,
  rate: conversion.rate,
  ...rest
})

/**
 * Document lines with `sign` applied, plus a difference line when they do not add up to the
 * total, each converted; when the converted lines miss the converted total by rounding, a rounding
 * line on the first line's account makes them meet it (Bill.com's total wins, visibly).
 */
const distribution = (
  lines: ReadonlyArray<DocumentLine>,
  total: Cents,
  sign: 1n | -1n,
  vendorId: number,
  conversion: Conversion
): Array<LineSpec> => {
  const out = lines
    .map((l) =>
      line(l.account_id, conversion, sign * toCents(l.amount), vendorId, {
        itemId: l.item_id,
        customerId: l.customer_id,
        dimensionIds: [...l.dimension_ids],
        description: l.description
      })
    )
    .filter((l) => l.txnAmount !== 0n)
  const first = lines[0]
  if (first === undefined) return out
  const difference = sign * total - sumCents(out.map((l) => l.txnAmount))
  if (difference !== 0n) out.push(line(first.account_id, conversion, difference, vendorId, { description: DIFFERENCE }))
  const rounding = convertCents(sign * total, conversion.rate) - sumCents(out.map((l) => l.amount))
  if (rounding !== 0n)
    out.push({ ...line(first.account_id, conversion, 0n, vendorId, { description: ROUNDING }), amount: rounding })
  return out
}

/**
 * At least two non-zero lines, or no entry at all (a zero document moves nothing). A line whose
 * functional amount rounds to zero (a cent at a small rate) carries nothing into the journal.
 */
const entry = (spec: Omit<EntrySpec, "lines">, lines: ReadonlyArray<LineSpec>): EntrySpec | undefined => {
  const kept = lines.filter((l) => l.amount !== 0n)
  return kept.length >= 2 && sumCents(kept.map((l) => l.amount)) === 0n ? { ...spec, lines: kept } : undefined
}

/** The line that balances a settlement at two rates: a realised FX gain or loss. */
const fxLine = (
  lines: ReadonlyArray<LineSpec>,
  accounts: PostingAccounts,
  vendorId: number,
  functional: string,
  what: string
): Array<LineSpec> => {
  const gap = -sumCents(lines.map((l) => l.amount))
  if (gap === 0n) return []
  if (accounts.fxGainLoss === undefined)
    throw new Error(
      `${what} settles at another exchange rate than it was booked at, and the pipeline names no ledger.fxGainLossAccount`
    )
  return [line(accounts.fxGainLoss, FUNCTIONAL(functional), gap, vendorId, { description: FX })]
}

export const billEntry = (bill: BillDocument, apAccountId: number): EntrySpec | undefined => {
  if (bill.archived || bill.lines.length === 0) return undefined
  const total = toCents(bill.amount)
  return entry(
    {
      sourceKind: "bill",
      sourceId: bill.billcomId,
      entryDate: bill.invoiceDate,
      currency: bill.currency,
      vendorId: bill.vendorId,
      memo: `Bill ${bill.invoiceNumber ?? bill.billcomId}`
    },
    [
      ...distribution(bill.lines, total, 1n, bill.vendorId, bill.conversion),
      line(apAccountId, bill.conversion, -total, bill.vendorId, { openItem: { kind: "bill", id: bill.billcomId } })
    ]
  )
}

export const creditEntry = (credit: CreditDocument, apAccountId: number): EntrySpec | undefined => {
  if (credit.archived || credit.lines.length === 0) return undefined
  const total = toCents(credit.amount)
  return entry(
    {
      sourceKind: "vendor-credit",
      sourceId: credit.billcomId,
      entryDate: credit.creditDate,
      currency: credit.currency,
      vendorId: credit.vendorId,
      memo: `Vendor credit ${credit.referenceNumber ?? credit.billcomId}`
    },
    [
      line(apAccountId, credit.conversion, total, credit.vendorId, {
        openItem: { kind: "vendor-credit", id: credit.billcomId }
      }),
      ...distribution(credit.lines, total, -1n, credit.vendorId, credit.conversion)
    ]
  )
}

/** A bill's or credit's balance open at the cutoff, brought in against opening balance equity. */
export const openingEntry = (
  doc: {
    readonly kind: "bill" | "vendor-credit"
    readonly billcomId: string
    readonly vendorId: number
    readonly reference: string | null
    readonly currency: string
    readonly conversion: Conversion
  },
  open: Cents,
  cutoff: string,
  accounts: PostingAccounts
): EntrySpec | undefined => {
  if (open === 0n || accounts.openingBalance === undefined) return undefined
  // AP is credited with what a bill still owes (debited with what a credit still offers).
  const ap = doc.kind === "bill" ? -open : open
  const what = doc.kind === "bill" ? "bill" : "vendor credit"
  return entry(
    {
      sourceKind: "opening",
      sourceId: doc.billcomId,
      entryDate: cutoff,
      currency: doc.currency,
      vendorId: doc.vendorId,
      memo: `Opening balance of ${what} ${doc.reference ?? doc.billcomId} at the cutoff`
    },
    [
      line(accounts.openingBalance, doc.conversion, -ap, doc.vendorId, { description: `open at the cutoff ${cutoff}` }),
      line(accounts.ap, doc.conversion, ap, doc.vendorId, { openItem: { kind: doc.kind, id: doc.billcomId } })
    ]
  )
}

/** When an application of a credit to a bill happened: not before either of them. */
export const applicationDate = (creditDate: string, billDate: string | undefined): string =>
  billDate !== undefined && billDate > creditDate ? billDate : creditDate

/**
 * The credit's applications to bills, one entry per credit, for the applications on or after the
 * cutoff (earlier ones are part of the opening balances). Dated the latest application date (the
 * later of the credit date and the applied bill's invoice date, `billDates` when the ledger has
 * them): an application cannot precede the bill it settles. Each bill is debited at the rate it
 * was booked at (`billRates`), the credit credited at its own; the gap is realised FX.
 */
export const creditApplicationEntry = (
  credit: CreditDocument,
  accounts: PostingAccounts,
  billDates: ReadonlyMap<string, string>,
  billRates: ReadonlyMap<string, Conversion> = new Map(),
  cutoff?: string | undefined
): EntrySpec | undefined => {
  if (credit.archived) return undefined
  const perBill = new Map<string, Cents>()
  for (const u of credit.usage) {
    if (cutoff !== undefined && applicationDate(credit.creditDate, billDates.get(u.billId)) < cutoff) continue
    perBill.set(u.billId, (perBill.get(u.billId) ?? 0n) + toCents(u.amount))
  }
  const bills = [...perBill].filter(([, c]) => c !== 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (bills.length === 0) return undefined
  const date = bills.reduce((d, [id]) => applicationDate(d, billDates.get(id)), credit.creditDate)
  const applied = sumCents(bills.map(([, c]) => c))
  const settled = [
    ...bills.map(([billId, cents]) => {
      const conversion = billRates.get(billId) ?? credit.conversion
      return line(accounts.ap, conversion, cents, credit.vendorId, { openItem: { kind: "bill", id: billId } })
    }),
    line(accounts.ap, credit.conversion, -applied, credit.vendorId, {
      openItem: { kind: "vendor-credit", id: credit.billcomId }
    })
  ]
  return entry(
    {
      sourceKind: "credit-application",
      sourceId: credit.billcomId,
      entryDate: date,
      currency: credit.currency,
      vendorId: credit.vendorId,
      memo: `Vendor credit ${credit.referenceNumber ?? credit.billcomId} applied`
    },
    [...settled, ...fxLine(settled, accounts, credit.vendorId, credit.currency, `vendor credit ${credit.billcomId}`)]
  )
}

/**
 * A payment that moved money: AP debited for each bill paid (at the bill's booked rate), the rest
 * on the payment itself, the funding account credited with what left it (at the payment's rate);
 * the gap is realised FX.
 */
export const paymentEntry = (
  payment: PaymentDocument,
  accounts: PostingAccounts | number,
  billRates: ReadonlyMap<string, Conversion> = new Map()
): EntrySpec | undefined => {
  if (!payment.posts) return undefined
  const acc: PostingAccounts = typeof accounts === "number" ? { ap: accounts } : accounts
  const conversion = payment.conversion
  const total = toCents(payment.amount)
  const perBill = new Map<string, Cents>()
  for (const a of payment.applications)
    perBill.set(a.billcomBillId, (perBill.get(a.billcomBillId) ?? 0n) + toCents(a.amount))
  const applied = [...perBill].map(([billId, cents]) => {
    const billConversion = billRates.get(billId) ?? conversion
    return line(acc.ap, billConversion, cents, payment.vendorId, { openItem: { kind: "bill", id: billId } })
  })
  const rest = total - sumCents(applied.map((l) => l.txnAmount))
  const lines = [
    ...applied,
    line(acc.ap, conversion, rest, payment.vendorId, {
      openItem: { kind: "payment", id: payment.billcomId },
      description: "unapplied part of the payment"
    }),
    line(payment.cashAccountId, conversion, -total, payment.vendorId)
  ].filter((l) => l.txnAmount !== 0n)
  return entry(
    {
      sourceKind: "payment",
      sourceId: payment.billcomId,
      entryDate: payment.processDate,
      currency: payment.currency,
      vendorId: payment.vendorId,
      memo: `Vendor payment ${payment.billcomId}`
    },
    [...lines, ...fxLine(lines, acc, payment.vendorId, payment.currency, `payment ${payment.billcomId}`)]
  )
}

/**
 * A foreign-currency open item settled in its own currency (transaction balance zero) that keeps
 * a functional balance (`residue`, the cents of converting its parts separately): cleared to FX.
 */
export const fxRoundingEntry = (
  item: { readonly kind: OpenItemKind; readonly id: string; readonly vendorId: number; readonly currency: string },
  residue: Cents,
  date: string,
  functional: string,
  accounts: PostingAccounts
): EntrySpec | undefined => {
  if (residue === 0n || accounts.fxGainLoss === undefined) return undefined
  return entry(
    {
      sourceKind: "fx-rounding",
      sourceId: item.id,
      entryDate: date,
      currency: functional,
      vendorId: item.vendorId,
      memo: `Exchange rounding of ${item.kind} ${item.id}, settled in ${item.currency}`
    },
    [
      {
        ...line(accounts.ap, { currency: item.currency, rate: "1" }, 0n, item.vendorId, {
          openItem: { kind: item.kind, id: item.id },
          description: ROUNDING
        }),
        amount: -residue,
        rate: null
      },
      line(accounts.fxGainLoss, FUNCTIONAL(functional), residue, item.vendorId, { description: FX })
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
  lines: spec.lines.map((l) =>
    l.dimensionIds.length < 2 ? l : { ...l, dimensionIds: byKey(l.dimensionIds, keys.dimension) }
  )
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
          l.description,
          // Only a line in another currency (or at another rate) hashes its conversion, so the entries
          // of a single-currency ledger keep the hashes they had before multi-currency.
          ...(l.currency === spec.currency && l.rate === "1" ? [] : [l.currency, fromCents(l.txnAmount), l.rate])
        ])
      ])
    )
    .digest("hex")
