/**
 * Exact money for the journal: decimal text (what numeric(18,2) returns) ⇄ integer cents as
 * bigint. Never a float: sums, negations and differences are integer arithmetic.
 */
export type Cents = bigint

const MONEY = /^(-)?(\d+)(?:\.(\d{1,2})\d*)?$/

/** Parses "1234.5", "-0.07", "12" (numeric(18,2) text) into cents; more than two decimals is a defect upstream. */
export const toCents = (text: string): Cents => {
  const m = MONEY.exec(text.trim())
  if (m === null) throw new Error(`not a decimal amount: ${JSON.stringify(text)}`)
  const cents = BigInt(m[2]!) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"))
  return m[1] === "-" ? -cents : cents
}

/** Cents as decimal text with two places ("-12.30"), the form numeric(18,2) accepts and returns. */
export const fromCents = (cents: Cents): string => {
  const negative = cents < 0n
  const abs = negative ? -cents : cents
  return `${negative ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`
}

export const sumCents = (values: Iterable<Cents>): Cents => {
  let total = 0n
  for (const v of values) total += v
  return total
}

/** Grouped display ("12,345.60", "-7.00") for reports. */
export const formatMoney = (cents: Cents): string => {
  const [int, frac] = fromCents(cents).split(".") as [string, string]
  const negative = int.startsWith("-")
  const digits = negative ? int.slice(1) : int
  return `${negative ? "-" : ""}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${frac}`
}

const RATE = /^(\d+)(?:\.(\d+))?$/

/**
 * An exchange rate as exact decimal text ("1.083742", numeric's text): a positive rate, else
 * undefined. Never a float: Bill.com's JSON number is turned into its shortest decimal text first.
 */
export const parseRate = (text: string): { readonly digits: bigint; readonly scale: bigint } | undefined => {
  const m = RATE.exec(text.trim())
  if (m === null) return undefined
  const frac = m[2] ?? ""
  const digits = BigInt(m[1]! + frac)
  return digits > 0n ? { digits, scale: 10n ** BigInt(frac.length) } : undefined
}

/** cents × rate, rounded half away from zero to the cent (integer arithmetic). */
export const convertCents = (cents: Cents, rate: string): Cents => {
  const r = parseRate(rate)
  if (r === undefined) throw new Error(`not an exchange rate: ${JSON.stringify(rate)}`)
  if (r.digits === r.scale) return cents
  const product = (cents < 0n ? -cents : cents) * r.digits
  const rounded = (product * 2n + r.scale) / (2n * r.scale)
  return cents < 0n ? -rounded : rounded
}
