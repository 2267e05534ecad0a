import type { Failure } from "../handler.ts"
import type { SyncSettings } from "../settings.ts"
import { toRate } from "../money.ts"

/**
 * The currency rules every payables record goes through (docs/accounting.md, "Currencies"):
 * a record in the ledger's functional currency needs no rate; any other needs Bill.com's rate for
 * that transaction — USD per one unit of the record's currency, so `amount × exchangeRate =
 * fundingAmount` — which must be present and positive (never guessed), must agree with Bill.com's
 * own USD `fundingAmount` when there is one, and needs a ledger that is in USD (Bill.com's rates
 * convert into USD only) with an account for realised exchange differences.
 */
export type Conversion =
  | { readonly _tag: "Ok"; readonly currency: string; readonly exchangeRate: string | null }
  | { readonly _tag: "Fail"; readonly failure: Failure }

/** How far amount × rate may be from fundingAmount: a cent of rounding, or 0.5 % (a rate quoted to fewer digits). */
const agrees = (amount: number, rate: number, funding: number): boolean =>
  Math.abs(amount * rate - funding) <= Math.max(0.011, Math.abs(funding) * 0.005)

/**
 * A vendor's Bill.com bill currency as the ledger reads it: absent or blank is USD (Bill.com's
 * default); anything else as written (trimmed, upper case) — an unreadable one is refused by conversionFor, never read as USD.
 */
export const vendorCurrency = (billCurrency: string | null | undefined): string =>
  typeof billCurrency === "string" && billCurrency.trim() !== "" ? billCurrency.trim().toUpperCase() : "USD"

export const conversionFor = (
  settings: SyncSettings,
  what: string,
  currency: string,
  rate: number | null | undefined,
  amount: number | null | undefined,
  fundingAmount: number | null | undefined
): Conversion => {
  if (currency === settings.currency) return { _tag: "Ok", currency, exchangeRate: null }
  const fail = (code: Failure["code"], message: string): Conversion => ({
    _tag: "Fail",
    failure: {
      code,
      message,
      detail: { currency, exchangeRate: rate ?? null, amount: amount ?? null, fundingAmount: fundingAmount ?? null }
    }
  })
  if (!/^[A-Z]{3}$/.test(currency))
    return fail(
      "currency-unreadable",
      `${what}: its vendor's currency ${JSON.stringify(currency)} is not a three-letter ISO 4217 code; it is not posted (the ledger never mixes currencies)`
    )
  if (settings.currency !== "USD") {
    return fail(
      "fx-no-functional-rate",
      `${what} is in ${currency}; Bill.com's exchange rates convert into USD and the ledger's functional currency is ${settings.currency}, so there is no rate to post it at`
    )
  }
  const text = toRate(rate)
  if (text === undefined)
    return fail(
      "fx-rate-missing",
      `${what} is in ${currency} and Bill.com gave no usable exchange rate (exchangeRate ${rate === undefined || rate === null ? "missing" : JSON.stringify(rate)}); a rate is never guessed`
    )
  if (typeof amount === "number" && typeof fundingAmount === "number" && !agrees(amount, rate!, fundingAmount)) {
    return fail(
      "fx-rate-inconsistent",
      `${what}: amount ${amount} ${currency} × exchangeRate ${rate} is not its fundingAmount ${fundingAmount} USD`
    )
  }
  if (settings.fxGainLossAccount === undefined) {
    return fail(
      "fx-account-missing",
      `${what} is in ${currency}; posting it needs ledger.fxGainLossAccount for realised exchange gains and losses`
    )
  }
  return { _tag: "Ok", currency, exchangeRate: text }
}
