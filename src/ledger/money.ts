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
