import { AccountTypes } from "../config/index.ts"
import type { StageName } from "./stages.ts"

/** Ledger account type → Bill.com `account.type`: the config's one-to-one map (docs/design.md). */
export const billcomAccountType: Readonly<Record<string, string>> = AccountTypes

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
  /** Pipeline `ledger.openingBalanceAccount`: bills open at the cutoff come in against it (undefined: pre-cutoff records are skipped). */
  readonly openingBalanceAccount?: string | undefined
  /** Pipeline `ledger.fxGainLossAccount`: realised FX gains and losses. */
  readonly fxGainLossAccount?: string | undefined
  /** Pipeline `ledger.walletAccount`: the ledger bank account of BILL-wallet-funded payments. */
  readonly walletAccount?: string | undefined
  /** Pipeline `ledger.closedThrough`: no entry dated on or before it. */
  readonly closedThrough?: string | undefined
  /** Pipeline `ledger.closedPeriodPolicy` (default next-open-period). */
  readonly closedPeriodPolicy?: "next-open-period" | "error" | undefined
  /** Bill documents metadata reads: off, or at most maxPerRun a run (pipeline `sync.documents`). */
  readonly documents: { readonly enabled: boolean; readonly maxPerRun: number }
  /** Pipeline `sync.maxRequestsPerRun` (undefined: derived from the last full run, see requestCapFor). */
  readonly maxRequestsPerRun?: number | undefined
  readonly chart: ReadonlyArray<LedgerAccountSpec>
  readonly vendors: ReadonlyMap<string, string>
  readonly fundingAccounts: ReadonlyMap<string, string>
  readonly items: ReadonlyMap<string, string>
  readonly customers: ReadonlyMap<string, string>
  readonly classifications: Readonly<Record<ClassificationKind, ReadonlyMap<string, string>>>
}
