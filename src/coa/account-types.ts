import { AccountTypes, type AccountType } from "../config/index.ts"

/**
 * The ledger's closed list of account types and the one Bill.com `account.type` each maps to is
 * owned by the config (mappings/accounts.yaml's schema); the map is one-to-one, so matching
 * "number + type" can compare Bill.com types directly.
 */
export const LEDGER_TO_BILLCOM = AccountTypes

export type LedgerAccountType = AccountType

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
