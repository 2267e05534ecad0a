/** The nine stages of the full plan, in the reference's fixed order. */
export const stageOrder = [
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

export type StageName = (typeof stageOrder)[number]

/** The initial seed (first run, and setup-incomplete mode): master data only. */
export const seedStages: ReadonlyArray<StageName> = ["vendors", "funding-accounts", "accounts", "items", "classifications"]

/** Stages whose records respect the integration cutoff, and the business date each uses. */
export const cutoffStages: ReadonlyArray<StageName> = ["bills", "vendor-credits", "vendor-payments"]

export const isStageName = (s: string): s is StageName => (stageOrder as ReadonlyArray<string>).includes(s)

/** Keeps the fixed order whatever order the caller listed stages in. */
export const inPlanOrder = (stages: Iterable<StageName>): Array<StageName> => {
  const wanted = new Set(stages)
  return stageOrder.filter((s) => wanted.has(s))
}

/**
 * Every Bill.com list the sync reads. Each has its own incremental cursor and its own kind of
 * source record; a stage reads one or more of them.
 */
export const listsOfStage = {
  vendors: ["vendors"],
  "funding-accounts": ["bank-accounts", "card-accounts"],
  accounts: ["chart-of-accounts"],
  bills: ["bills"],
  "vendor-credits": ["vendor-credits"],
  "vendor-payments": ["payments"],
  items: ["items"],
  customers: ["customers"],
  classifications: ["departments", "jobs", "locations", "accounting-classes", "employees"]
} as const satisfies Record<StageName, ReadonlyArray<string>>

export type ListName = (typeof listsOfStage)[StageName][number]
