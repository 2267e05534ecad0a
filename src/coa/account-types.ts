import { CHART_OF_ACCOUNT_TYPES } from "../billcom/models/master.ts"
import { AccountTypes, ledgerTypeOf, type AccountType } from "../config/index.ts"

/**
 * The ledger's closed list of account types and the one Bill.com `account.type` each maps to is
 * owned by the config (mappings/accounts.yaml's schema); the map is one-to-one, so matching
 * "number + type" can compare Bill.com types directly.
 */
export const LEDGER_TO_BILLCOM = AccountTypes

export type LedgerAccountType = AccountType

/** Every `account.type` Bill.com may return (UNSPECIFIED/UNDEFINED have no ledger counterpart): the client's enum. */
export const BILLCOM_ACCOUNT_TYPES = [...CHART_OF_ACCOUNT_TYPES, "UNDEFINED"] as const

export type BillcomAccountType = (typeof BILLCOM_ACCOUNT_TYPES)[number]

export const billcomTypeOf = (type: LedgerAccountType): BillcomAccountType => LEDGER_TO_BILLCOM[type]

/** The ledger type for a Bill.com type, or undefined for UNSPECIFIED/UNDEFINED (owned by src/config). */
export { ledgerTypeOf }
