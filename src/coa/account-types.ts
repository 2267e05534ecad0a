/**
 * The ledger's closed list of account types and the one Bill.com `account.type` each maps to
 * (docs/design.md, billcom-api.md §4.6). The map is one-to-one, so matching "number + type" can
 * compare Bill.com types directly.
 */
export const LEDGER_TO_BILLCOM = {
  bank: "BANK",
  "credit-card": "CREDIT_CARD",
  "accounts-payable": "ACCOUNTS_PAYABLE",
  "accounts-receivable": "ACCOUNTS_RECEIVABLE",
  expense: "EXPENSE",
  "other-expense": "OTHER_EXPENSE",
  income: "INCOME",
  "other-income": "OTHER_INCOME",
  "cost-of-goods-sold": "COST_OF_GOODS_SOLD",
  equity: "EQUITY",
  asset: "OTHER_ASSET",
  "fixed-asset": "FIXED_ASSET",
  "other-current-asset": "OTHER_CURRENT_ASSET",
  liability: "OTHER_CURRENT_LIABILITY",
  "long-term-liability": "LONG_TERM_LIABILITY",
  "non-posting": "NON_POSTING"
} as const

export type LedgerAccountType = keyof typeof LEDGER_TO_BILLCOM

/** Every `account.type` Bill.com may return (UNSPECIFIED/UNDEFINED have no ledger counterpart). */
export const BILLCOM_ACCOUNT_TYPES = [
  "UNSPECIFIED",
  "ACCOUNTS_PAYABLE",
  "ACCOUNTS_RECEIVABLE",
  "BANK",
  "COST_OF_GOODS_SOLD",
  "CREDIT_CARD",
  "EQUITY",
  "EXPENSE",
  "FIXED_ASSET",
  "INCOME",
  "LONG_TERM_LIABILITY",
  "OTHER_ASSET",
  "OTHER_CURRENT_ASSET",
  "OTHER_CURRENT_LIABILITY",
  "OTHER_EXPENSE",
  "OTHER_INCOME",
  "NON_POSTING",
  "UNDEFINED"
] as const

export type BillcomAccountType = (typeof BILLCOM_ACCOUNT_TYPES)[number]

export const billcomTypeOf = (type: LedgerAccountType): BillcomAccountType => LEDGER_TO_BILLCOM[type]

const BILLCOM_TO_LEDGER = new Map<string, LedgerAccountType>(
  Object.entries(LEDGER_TO_BILLCOM).map(([ledger, billcom]) => [billcom, ledger as LedgerAccountType])
)

/** The ledger type for a Bill.com type, or undefined for UNSPECIFIED/UNDEFINED. */
export const ledgerTypeOf = (type: string): LedgerAccountType | undefined => BILLCOM_TO_LEDGER.get(type)
