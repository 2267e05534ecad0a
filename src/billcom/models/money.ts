/**
 * Money, exactly. Bill.com's v3 sends amounts as JSON numbers and the schemas keep them as the number
 * JSON.parse gives (a string is a wrong type: an invalid record). That number's shortest decimal text
 * is what the JSON had, so no digit is lost until the ledger takes it: numeric(18,2) as a decimal
 * string, rounded half away from zero in decimal, never through float arithmetic (228.995 * 100 is
 * not 22899.5 in binary).
 */
// Built once: toLocaleString builds a formatter per call, ~6% of a first load's CPU.
const shortestText = new Intl.NumberFormat("en-US", { useGrouping: false, maximumFractionDigits: 20 })
const quantityText = new Intl.NumberFormat("en-US", { useGrouping: false, maximumFractionDigits: 4 })

export const toMoney = (n: number): string => {
  if (!Number.isFinite(n)) throw new Error(`not a finite amount: ${n}`)
  const negative = n < 0
  const text = shortestText.format(Math.abs(n))
  const [intPart = "0", frac = ""] = text.split(".")
  let cents = BigInt(intPart) * 100n + BigInt((frac + "00").slice(0, 2))
  if ((frac[2] ?? "0") >= "5") cents += 1n
  const abs = `${cents / 100n}.${String(cents % 100n).padStart(2, "0")}`
  return negative && cents !== 0n ? `-${abs}` : abs
}

/** A quantity or unit price (numeric(18,4)), kept as text. */
export const toDecimal = (n: number): string => quantityText.format(n)

/**
 * An exchange rate as exact decimal text (what numeric keeps): the JSON number's shortest decimal
 * form, never a float product. Undefined when it is not a positive finite number.
 */
export const toRate = (n: number | null | undefined): string | undefined =>
  typeof n === "number" && Number.isFinite(n) && n > 0 ? shortestText.format(n) : undefined
