import { CutoffStages, isStageName, SeedStages, StageNames, type StageName } from "../config/index.ts"

// The fixed order, the initial seed and the cutoff stages are defined once, by the config.
export { isStageName, type StageName }
export const stageOrder = StageNames
export const seedStages = SeedStages
export const cutoffStages = CutoffStages

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
  "funding-accounts": ["bank-accounts", "card-accounts", "ap-cards"],
  accounts: ["chart-of-accounts"],
  bills: ["bills"],
  "vendor-credits": ["vendor-credits"],
  "vendor-payments": ["payments"],
  items: ["items"],
  customers: ["customers"],
  classifications: ["departments", "jobs", "locations", "accounting-classes", "employees"]
} as const satisfies Record<StageName, ReadonlyArray<string>>

export type ListName = (typeof listsOfStage)[StageName][number]
