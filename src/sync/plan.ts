import type { KindHandler } from "./handler.ts"
import { contentHash } from "./hash.ts"
import type { SyncSettings } from "./settings.ts"
import type { StageName } from "./stages.ts"
import { accountsHandler } from "./stages/accounts.ts"
import { billsHandler } from "./stages/bills.ts"
import { apCardsHandler, bankAccountsHandler, cardAccountsHandler } from "./stages/funding-accounts.ts"
import { classificationHandlers, customersHandler, itemsHandler, vendorsHandler } from "./stages/master.ts"
import { vendorCreditsHandler } from "./stages/vendor-credits.ts"
import { vendorPaymentsHandler } from "./stages/vendor-payments.ts"

type AnyHandler = KindHandler<any, any, any, any>

/** The kinds each stage reads, in order. */
export const handlersOf: Record<StageName, ReadonlyArray<AnyHandler>> = {
  vendors: [vendorsHandler],
  "funding-accounts": [bankAccountsHandler, cardAccountsHandler, apCardsHandler],
  accounts: [accountsHandler],
  bills: [billsHandler],
  "vendor-credits": [vendorCreditsHandler],
  "vendor-payments": [vendorPaymentsHandler],
  items: [itemsHandler],
  customers: [customersHandler],
  classifications: classificationHandlers
}

const sorted = (m: ReadonlyMap<string, string>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1))

/**
 * What a stage's evaluation depends on in the mappings. When it differs from the previous run
 * (a mapping pull request), every stored record of the stage is re-evaluated from its raw copy.
 */
/**
 * Version of the evaluation rules: bumping it re-evaluates every stored record once (2: payments
 * post only when money moved, records before the cutoff come in for opening items, currencies and
 * exchange rates are read, vendors keep their 1099 facts).
 */
const RULES = 2

export const fingerprintOf = (stage: StageName, s: SyncSettings): string => {
  const chart = s.chart.map((a) => [a.number, a.type, a.billcomId ?? null, a.active])
  // What the payables stages' evaluation reads from the pipeline's ledger section and cutoff.
  const ledger = [
    RULES,
    s.cutoff ?? null,
    s.currency,
    s.openingBalanceAccount ?? null,
    s.fxGainLossAccount ?? null,
    s.walletAccount ?? null
  ]
  const classifications = Object.entries(s.classifications).map(([k, m]) => [k, sorted(m)])
  const parts: Record<StageName, unknown> = {
    vendors: [RULES, sorted(s.vendors)],
    "funding-accounts": [sorted(s.fundingAccounts), chart],
    accounts: chart,
    bills: [sorted(s.vendors), sorted(s.items), classifications, chart, ledger],
    "vendor-credits": [sorted(s.vendors), sorted(s.items), classifications, chart, ledger],
    "vendor-payments": [sorted(s.vendors), sorted(s.fundingAccounts), chart, ledger],
    items: sorted(s.items),
    customers: sorted(s.customers),
    classifications
  }
  return contentHash(parts[stage])
}
