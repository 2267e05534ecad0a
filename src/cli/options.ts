/**
 * What each command's `run(options)` receives from program.ts (commander camel-cases the flags).
 * Types only, plus the report names: the command modules import these, program.ts declares the
 * flags and loads the command modules lazily, so the arrows run one way.
 */

export const REPORTS = ["aging", "trial-balance", "runs", "late-postings", "1099"] as const

/** Options of `billsync validate [paths...]`. */
export interface ValidateOptions {
  readonly paths: ReadonlyArray<string>
  readonly format: "text" | "github" | "json"
}
export interface ConnectOptions {
  readonly pipeline: string
  readonly seed: boolean
  readonly ephemeral: boolean
  readonly newLedger: boolean
}
export interface StatusOptions {
  readonly pipeline: string
  readonly json: boolean
}
export interface SyncOptions {
  readonly pipeline: string
  readonly stages?: ReadonlyArray<string> | undefined
  readonly fullRefresh: boolean
  readonly dryRun: boolean
  readonly json: boolean
  readonly wait: boolean
  readonly ephemeral: boolean
  readonly newLedger: boolean
  /** Exit 1 when the sync records more than this many new integration errors. */
  readonly failOnNewErrors?: number | undefined
}
export interface ErrorsOptions {
  readonly pipeline: string
  readonly json: boolean
  readonly stage?: string | undefined
}
export interface ReportOptions {
  readonly pipeline: string
  readonly report: (typeof REPORTS)[number]
  readonly asOf?: string | undefined
  readonly json: boolean
  readonly format: "text" | "markdown" | "json"
  readonly html?: string | undefined
  readonly limit: number
  /** Aging bucket boundaries in days past due, as typed (validated by the report). */
  readonly buckets: string
  /** The 1099 report's calendar year. */
  readonly year?: number | undefined
}
export interface SuggestOptions {
  readonly pipeline: string
  readonly dryRun: boolean
  readonly json: boolean
  readonly format: "text" | "markdown"
}
export interface PlanOptions {
  readonly pipeline: string
  readonly out?: string | undefined
  readonly format: "text" | "markdown" | "json"
  readonly detailedExitcode: boolean
  readonly maxCommentChars?: number | undefined
  readonly fullPlanHint?: string | undefined
}
export interface ApplyOptions {
  readonly planFile: string
  readonly autoApprove: boolean
  /** The Bill.com organization id the plan changes, typed out (production without a prompt). */
  readonly confirm?: string | undefined
  readonly ephemeral: boolean
}
export interface WorkerOptions {
  readonly pipelines: string | undefined
  readonly port: number
  readonly host: string
  readonly concurrency: number
}
export interface EnqueueOptions {
  readonly pipeline: string
}
export interface ClusterStatusOptions {
  readonly json: boolean
}
export interface ClusterPlanOptions {
  readonly json: boolean
  readonly requestsPerSync: number
}
export interface FreshnessOptions {
  readonly pipelines: ReadonlyArray<string>
  readonly json: boolean
}
export interface EmulatorCliOptions {
  readonly port: number
  readonly host: string
  readonly seed: string
  readonly vendors?: number | undefined
  readonly bills?: number | undefined
  readonly customers?: number | undefined
  readonly items?: number | undefined
  readonly latency?: number | undefined
  readonly faults?: string | undefined
  readonly strict: boolean
  readonly sessionIdle?: number | undefined
  readonly rateLimit429: boolean
}
