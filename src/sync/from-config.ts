import type { Mappings } from "../config/mappings.ts"
import type { Pipeline } from "../config/pipeline.ts"
import type { SyncSettings } from "./settings.ts"
import { inPlanOrder } from "./stages.ts"

const links = <L extends { readonly billcomId: string }>(
  rows: ReadonlyArray<L>,
  key: (l: L) => string
): ReadonlyMap<string, string> => new Map(rows.map((l) => [l.billcomId, key(l)]))

/** The sync's view of a loaded pipeline and its mapping files (src/config). */
export const settingsFromConfig = (pipeline: Pipeline, mappings: Mappings, mappingsDir: string): SyncSettings => ({
  pipeline: pipeline.name,
  company: pipeline.company,
  organizationId: pipeline.billcom.organizationId,
  environment: pipeline.billcom.environment,
  cutoff: pipeline.cutoff,
  stages: inPlanOrder(pipeline.sync.stages),
  mappingsDir,
  currency: pipeline.ledger.currency,
  apAccount: pipeline.ledger.apAccount,
  openingBalanceAccount: pipeline.ledger.openingBalanceAccount,
  fxGainLossAccount: pipeline.ledger.fxGainLossAccount,
  walletAccount: pipeline.ledger.walletAccount,
  closedThrough: pipeline.ledger.closedThrough,
  closedPeriodPolicy: pipeline.ledger.closedPeriodPolicy,
  documents: pipeline.sync.documents,
  maxRequestsPerRun: pipeline.sync.maxRequestsPerRun,
  chart: mappings.accounts.map((a) => ({
    number: a.number,
    name: a.name,
    type: a.type,
    parent: a.parent,
    description: a.description,
    billcomId: a.billcomId,
    active: a.active
  })),
  vendors: links(mappings.vendors, (l) => l.ledgerVendor),
  fundingAccounts: links(mappings.fundingAccounts, (l) => l.ledgerAccount),
  items: links(mappings.items, (l) => l.ledgerItem),
  customers: links(mappings.customers, (l) => l.ledgerCustomer),
  classifications: {
    department: links(mappings.classifications.departments, (l) => l.ledgerValue),
    job: links(mappings.classifications.jobs, (l) => l.ledgerValue),
    location: links(mappings.classifications.locations, (l) => l.ledgerValue),
    "accounting-class": links(mappings.classifications.accountingClasses, (l) => l.ledgerValue),
    employee: links(mappings.classifications.employees, (l) => l.ledgerValue)
  }
})
