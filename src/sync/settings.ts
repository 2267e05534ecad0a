import type { StageName } from "./stages.ts"

/** Ledger account types (closed list, docs/design.md) and their Bill.com `account.type`. */
export const billcomAccountType: Record<string, string> = {
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
}

export interface LedgerAccountSpec {
  readonly number: string
  readonly name: string
  readonly type: string
  readonly parent?: string | undefined
  readonly description?: string | undefined
  readonly billcomId?: string | undefined
  readonly active: boolean
}

export type ClassificationKind = "department" | "job" | "location" | "accounting-class" | "employee"

/**
 * Everything the sync needs from a pipeline and its mappings, independent of how config is
 * loaded (see fromLoadedPipeline). Links are Bill.com id → ledger key.
 */
export interface SyncSettings {
  readonly pipeline: string
  readonly company: string
  readonly organizationId: string
  readonly environment: string
  readonly cutoff: string | undefined
  readonly stages: ReadonlyArray<StageName>
  readonly mappingsDir: string
  readonly currency: string
  /** Number of the accounts-payable control account (pipeline `ledger.apAccount`). */
  readonly apAccount: string
  /** Bill documents metadata reads: off, or at most maxPerRun a run (pipeline `sync.documents`). */
  readonly documents: { readonly enabled: boolean; readonly maxPerRun: number }
  readonly chart: ReadonlyArray<LedgerAccountSpec>
  readonly vendors: ReadonlyMap<string, string>
  readonly fundingAccounts: ReadonlyMap<string, string>
  readonly items: ReadonlyMap<string, string>
  readonly customers: ReadonlyMap<string, string>
  readonly classifications: Readonly<Record<ClassificationKind, ReadonlyMap<string, string>>>
}
