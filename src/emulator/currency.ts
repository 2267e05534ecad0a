import { formatDay, hash32 } from "./random.ts"

/**
 * Foreign-currency vendors (billcom-api.md §2.1, §4.2, §4.4): a vendor's `billCurrency` is the
 * currency of its bills, credits and payments; `amount` is in that currency, `fundingAmount` in
 * USD, and `exchangeRate` is what converts one into the other. Bill.com does not document the
 * direction of the rate; the emulator (like billsync, docs/accounting.md) uses USD per one unit of
 * the bill currency, so `fundingAmount = amount × exchangeRate`, rounded to the cent.
 *
 * Rates are a pure function of (currency, day) unless a record carries its own: no random stream
 * is consumed, so making a vendor foreign never changes the rest of a seeded organisation.
 * A rate is kept as an integer number of millionths (`rateMicros`), so the arithmetic is exact.
 */
export const FOREIGN_CURRENCIES = ["CAD", "EUR", "GBP"] as const

/** Around the 2024–2026 levels, USD per unit. */
const BASE_MICROS: Readonly<Record<string, number>> = { CAD: 735_000, EUR: 1_085_000, GBP: 1_270_000 }

/** The day's rate (USD per unit, in millionths): the base, a slow swing of ±4 % and a daily wobble of ±0.5 %. */
export const rateMicrosOn = (currency: string, day: number): number => {
  if (currency === "USD") return 1_000_000
  const base = BASE_MICROS[currency] ?? 1_000_000
  const swing = 0.04 * Math.sin(day / 37 + (hash32(currency) % 628) / 100)
  const wobble = ((hash32(`${currency}/${formatDay(day)}`) % 1001) - 500) / 100_000
  return Math.round(base * (1 + swing + wobble))
}

/** A document's rate in millionths: its own, else its currency's rate on its business day. */
export const documentRateMicros = (
  doc: { readonly currency?: string; readonly rateMicros?: number },
  day: number
): number => doc.rateMicros ?? rateMicrosOn(doc.currency ?? "USD", day)

/** A document's `fundingAmount` in USD cents. */
export const fundingCents = (
  doc: { readonly currency?: string; readonly rateMicros?: number },
  amountCents: number,
  day: number
): number =>
  doc.currency === undefined || doc.currency === "USD"
    ? amountCents
    : convertCents(amountCents, documentRateMicros(doc, day))

/** cents × rate, rounded half away from zero, in integer arithmetic. */
export const convertCents = (cents: number, rateMicros: number): number => {
  const product = BigInt(Math.round(cents)) * BigInt(rateMicros)
  const negative = product < 0n
  const abs = negative ? -product : product
  const rounded = (abs + 500_000n) / 1_000_000n
  return Number(negative ? -rounded : rounded)
}

/** The rate as Bill.com renders it: a JSON number (6 decimals at most). */
export const rateNumber = (rateMicros: number): number => rateMicros / 1_000_000

/** An API rate (a JSON number) as millionths; undefined when it is not a positive number with at most 6 decimals. */
export const rateMicrosOf = (rate: unknown): number | undefined => {
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) return undefined
  const micros = Math.round(rate * 1_000_000)
  return Math.abs(micros - rate * 1_000_000) < 1e-6 ? micros : undefined
}
