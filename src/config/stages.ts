/** The nine stages of the full sync plan, in the reference's fixed order (docs/design.md). */
export const StageNames = [
  "vendors",
  "funding-accounts",
  "accounts",
  "bills",
  "vendor-credits",
  "vendor-payments",
  "items",
  "customers",
  "classifications"
] as const

export type StageName = (typeof StageNames)[number]

/** The initial seed (first run only): master data before the transactional pulls. */
export const SeedStages: ReadonlyArray<StageName> = [
  "vendors",
  "funding-accounts",
  "accounts",
  "items",
  "classifications"
]

/** Stages whose records respect the pipeline's cutoff date. */
export const CutoffStages: ReadonlyArray<StageName> = ["bills", "vendor-credits", "vendor-payments"]

export const isStageName = (s: unknown): s is StageName =>
  typeof s === "string" && (StageNames as ReadonlyArray<string>).includes(s)
