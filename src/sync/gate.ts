import { Effect } from "effect"
import type { IntegrationRow } from "../store/integrations.ts"
import { LedgerMaster } from "../store/ledger-master.ts"
import { Links } from "../store/links.ts"
import { SourceRecords } from "../store/source-records.ts"
import type { UnmetCondition } from "./errors.ts"
import type { SyncSettings } from "./settings.ts"

/** Ledger account types that satisfy each required role among the mapped accounts. */
export const bankTypes = ["bank", "credit-card"]
export const expenseTypes = ["expense", "other-expense", "cost-of-goods-sold"]
export const incomeTypes = ["income", "other-income"]

/**
 * The setup gate (reference, Step 2): every unmet condition, each with how to fix it. An empty
 * list means a full sync may run; otherwise sync stays in setup-incomplete mode (seed stages only).
 */
export const evaluateGate = Effect.fn("Sync.evaluateGate")(function* (
  settings: SyncSettings,
  integration: IntegrationRow
) {
  const records = yield* SourceRecords
  const links = yield* Links
  const ledger = yield* LedgerMaster
  const file = (name: string) => `${settings.mappingsDir}/${name}`
  const unmet: Array<UnmetCondition> = []

  if (integration.companyId === null || integration.companyKey !== settings.company) {
    unmet.push({
      condition: "attached to a company",
      problem: `the integration is not attached to ledger company ${settings.company}`,
      fix: `set \`company:\` in the pipeline file and run \`billsync connect ${settings.pipeline}\``
    })
  }
  if (integration.status !== "connected") {
    unmet.push({
      condition: "connected",
      problem:
        integration.status === "error"
          ? `authentication failed: ${integration.lastError ?? "unknown error"}${integration.lastErrorAdvice ? ` (${integration.lastErrorAdvice})` : ""}`
          : "authentication has not succeeded yet",
      fix: `verify the credentials in Bill.com (developer key, token name and password, organization id), regenerate the API token if needed, then run \`billsync connect ${settings.pipeline}\``
    })
  }

  const coaPulled = yield* records.countPulled(integration.id, "chart-of-account")
  const counts = yield* links.countByKind(integration.id)
  if (coaPulled === 0) {
    unmet.push({
      condition: "chart of accounts pulled",
      problem: "the chart of accounts has not been pulled from Bill.com",
      fix: `enable the accounts stage and run \`billsync sync ${settings.pipeline}\` (the initial seed pulls it)`
    })
  } else if ((counts.get("chart-of-account") ?? 0) === 0) {
    unmet.push({
      condition: "chart of accounts mapped",
      problem: `none of the ${coaPulled} pulled Bill.com chart-of-account rows is mapped to a ledger account`,
      fix: `in ${file("accounts.yaml")}, give ledger accounts the same number and type as the Bill.com rows, or name the row with billcomId`
    })
  }
  if (coaPulled > 0) {
    const types = yield* ledger.mappedAccountTypes(integration.id)
    const roles: Array<[string, ReadonlyArray<string>]> = [
      ["a bank or credit card account", bankTypes],
      ["an expense account", expenseTypes],
      ["an income account", incomeTypes]
    ]
    for (const [role, accepted] of roles) {
      if (!accepted.some((t) => types.has(t))) {
        unmet.push({
          condition: `${role} mapped`,
          problem: `no mapped ledger account is ${role} (types ${accepted.join(" / ")})`,
          fix: `map at least one Bill.com chart-of-account row to ${role} in ${file("accounts.yaml")}`
        })
      }
    }
  }

  const postsToJournal = settings.stages.some((s) => s === "bills" || s === "vendor-credits" || s === "vendor-payments")
  const ap = settings.chart.find((a) => a.number === settings.apAccount)
  if (postsToJournal && (ap === undefined || ap.type !== "accounts-payable" || !ap.active)) {
    unmet.push({
      condition: "AP control account",
      problem: `ledger.apAccount ${settings.apAccount} is ${ap === undefined ? "not an account in the chart" : !ap.active ? "retired (active: false)" : `of type ${ap.type}`}; bills, credits and payments post against it`,
      fix: `add ${settings.apAccount} as an active accounts-payable account to ${file("accounts.yaml")}, or point ledger.apAccount in pipelines/${settings.pipeline}.yaml at one`
    })
  }

  const vendorsPulled = yield* records.countPulled(integration.id, "vendor")
  if (vendorsPulled === 0) {
    unmet.push({
      condition: "vendors pulled and mapped",
      problem: "Bill.com returned no vendors (or the vendors stage has not run)",
      fix: `create or sync at least one vendor in Bill.com first, then map it in ${file("vendors.yaml")}`
    })
  } else if ((counts.get("vendor") ?? 0) === 0) {
    unmet.push({
      condition: "vendors mapped",
      problem: `none of the ${vendorsPulled} pulled Bill.com vendors is mapped to a ledger vendor`,
      fix: `map at least one Bill.com vendor to a ledger vendor in ${file("vendors.yaml")} (try \`billsync mappings suggest ${settings.pipeline}\`)`
    })
  }
  return unmet
})
