import type { Problem } from "./errors.ts"
import type { MappingKind } from "./files.ts"
import { positionOf, problemAt, type Path, type SourceFile } from "./source.ts"
import { cronProblem } from "./cron.ts"
import { StageNames } from "./stages.ts"

/**
 * Checks that need more than one value or more than one file: everything JSON Schema cannot say.
 * They read the raw parsed values, not the decoded config, so a file with a schema problem still
 * gets its cross-file checks and one run reports everything. Each problem points at the node to
 * fix; a duplicate points at its second occurrence and names the first as `file:line:col`.
 */

export type MappingSources = Partial<Record<MappingKind, SourceFile>>

const where = (source: SourceFile, path: Path): string => {
  const { line, col } = positionOf(source, path)
  return `${source.file}:${line}:${col}`
}

export { cronProblem } from "./cron.ts"

type Raw = Record<string, unknown>

const record = (v: unknown): Raw => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : {})
const list = (v: unknown): ReadonlyArray<Raw> => (Array.isArray(v) ? v.map(record) : [])
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)
const at = (raw: Raw, ...path: ReadonlyArray<string>): unknown => path.reduce<unknown>((v, k) => record(v)[k], raw)

/** Checks within the pipeline file itself. */
export const checkPipeline = (source: SourceFile, expectedName: string | undefined): Array<Problem> => {
  const raw = record(source.value)
  const problems: Array<Problem> = []
  const name = text(raw["name"])
  if (expectedName !== undefined && name !== undefined && name !== expectedName) {
    problems.push(
      problemAt(
        source,
        ["name"],
        `name ${JSON.stringify(name)} must match the file name (${expectedName}), so \`billsync sync ${expectedName}\` finds this pipeline`
      )
    )
  }
  const stages = at(raw, "sync", "stages")
  if (Array.isArray(stages)) {
    // Unknown and repeated stages are schema problems; here only the order matters.
    const seen = new Set<unknown>()
    let last = -1
    for (let i = 0; i < stages.length; i++) {
      const position = (StageNames as ReadonlyArray<unknown>).indexOf(stages[i])
      if (position < 0 || seen.has(stages[i])) continue
      seen.add(stages[i])
      if (position < last) {
        problems.push(
          problemAt(
            source,
            ["sync", "stages", i],
            `stage ${String(stages[i])} is out of order: stages always run as ${StageNames.join(", ")}; leave stages out to disable them, but keep this order`
          )
        )
        break
      }
      last = position
    }
  }
  const schedule = text(raw["schedule"])
  if (schedule !== undefined) {
    const problem = cronProblem(schedule)
    if (problem !== undefined) problems.push(problemAt(source, ["schedule"], `schedule: ${problem}`))
  }
  const billcom = record(raw["billcom"])
  const environment = text(billcom["environment"])
  if (billcom["emulator"] !== undefined && environment !== undefined && environment !== "emulator") {
    problems.push(
      problemAt(
        source,
        ["billcom", "emulator"],
        `billcom.emulator only applies to environment emulator (this pipeline uses ${environment})`,
        "key"
      )
    )
  } else if (billcom["emulator"] !== undefined && billcom["baseUrl"] !== undefined) {
    problems.push(
      problemAt(
        source,
        ["billcom", "emulator"],
        "billcom.emulator starts an in-process emulator, which billcom.baseUrl overrides: keep one of them",
        "key"
      )
    )
  }
  if (billcom["v2BaseUrl"] !== undefined && billcom["baseUrl"] === undefined && environment === "emulator") {
    problems.push(
      problemAt(
        source,
        ["billcom", "v2BaseUrl"],
        "billcom.v2BaseUrl needs billcom.baseUrl for an external emulator (without baseUrl the in-process emulator serves both)",
        "key"
      )
    )
  }
  return problems
}

const accountsOf = (sources: MappingSources): ReadonlyArray<Raw> => list(record(sources.accounts?.value)["accounts"])

/** What each account setting of the pipeline's `ledger` section must point at in accounts.yaml. */
const LEDGER_ACCOUNT_SETTINGS = [
  { key: "apAccount", types: ["accounts-payable"], what: "the AP control account must be of type accounts-payable" },
  { key: "openingBalanceAccount", types: ["equity"], what: "opening balances at the cutoff go to an equity account" },
  {
    key: "fxGainLossAccount",
    types: ["income", "other-income", "expense", "other-expense"],
    what: "realised FX gains and losses go to an income or expense account (income, other-income, expense, other-expense)"
  },
  { key: "walletAccount", types: ["bank"], what: "wallet-funded payments come out of a bank account" }
] as const

/**
 * The accounts the pipeline's `ledger` section names (AP control, opening balances, FX gain/loss,
 * wallet) must be active accounts of its chart, of the right type; a cutoff needs an opening
 * balance account (the bills still open at the cutoff are brought in against it).
 */
export const checkLedgerAccounts = (source: SourceFile, sources: MappingSources): Array<Problem> => {
  const raw = record(source.value)
  const problems: Array<Problem> = []
  const ledger = raw["ledger"]
  if (
    text(raw["cutoff"]) !== undefined &&
    typeof ledger === "object" &&
    ledger !== null &&
    at(raw, "ledger", "openingBalanceAccount") === undefined
  ) {
    problems.push(
      problemAt(
        source,
        ["cutoff"],
        "a cutoff needs ledger.openingBalanceAccount (an equity account): bills dated before the cutoff that are still open at it come in as opening items against that account"
      )
    )
  }
  const accountsSource = sources.accounts
  if (accountsSource === undefined) return problems
  const accounts = accountsOf(sources)
  for (const setting of LEDGER_ACCOUNT_SETTINGS) {
    const number = text(at(raw, "ledger", setting.key))
    if (number === undefined) continue
    const index = accounts.findIndex((a) => a["number"] === number)
    const account = accounts[index]
    const path: Path = ["ledger", setting.key]
    const name = `ledger.${setting.key} ${JSON.stringify(number)}`
    if (account === undefined) {
      problems.push(problemAt(source, path, `${name} is not an account in ${accountsSource.file}`))
    } else if (!(setting.types as ReadonlyArray<unknown>).includes(account["type"])) {
      problems.push(
        problemAt(
          source,
          path,
          `${name} has type ${String(account["type"])} (${where(accountsSource, ["accounts", index, "type"])}); ${setting.what}`
        )
      )
    } else if (account["active"] === false) {
      problems.push(
        problemAt(
          source,
          path,
          `${name} is retired (active: false at ${where(accountsSource, ["accounts", index, "active"])})`
        )
      )
    }
  }
  return problems
}

const checkChart = (accounts: ReadonlyArray<Raw>, source: SourceFile): Array<Problem> => {
  const problems: Array<Problem> = []
  const byNumber = new Map<string, number>()
  accounts.forEach((account, i) => {
    const number = text(account["number"])
    if (number === undefined) return
    const first = byNumber.get(number)
    if (first !== undefined) {
      problems.push(
        problemAt(
          source,
          ["accounts", i, "number"],
          `duplicate account number ${JSON.stringify(number)}: already defined at ${where(source, ["accounts", first, "number"])}`
        )
      )
    } else byNumber.set(number, i)
  })
  accounts.forEach((account, i) => {
    const parent = text(account["parent"])
    if (parent === undefined) return
    if (parent === account["number"]) {
      problems.push(problemAt(source, ["accounts", i, "parent"], `account ${parent} cannot be its own parent`))
    } else if (!byNumber.has(parent)) {
      problems.push(
        problemAt(
          source,
          ["accounts", i, "parent"],
          `parent ${JSON.stringify(parent)} of account ${String(account["number"])} is not an account in this file`
        )
      )
    }
  })
  // Walk up from each account; a walk that comes back to its start is a cycle, reported once, at
  // the \`parent\` of the cycle's first account in file order.
  const reported = new Set<number>()
  accounts.forEach((_, start) => {
    if (reported.has(start)) return
    const chain = [start]
    let current = start
    for (;;) {
      const parent = text(accounts[current]?.["parent"])
      const next = parent === undefined ? undefined : byNumber.get(parent)
      if (next === undefined || next === current) return
      if (next === start) {
        for (const i of chain) reported.add(i)
        const numbers = [...chain, start].map((i) => String(accounts[i]?.["number"]))
        problems.push(problemAt(source, ["accounts", start, "parent"], `parent cycle: ${numbers.join(" → ")}`))
        return
      }
      if (chain.includes(next)) return // a cycle further up, reported from its own first account
      chain.push(next)
      current = next
    }
  })
  return problems
}

interface IdUse {
  readonly source: SourceFile
  readonly path: Path
}

const CLASSIFICATION_KEYS = ["departments", "jobs", "locations", "accountingClasses", "employees"] as const

/** Checks across the files of one mappings folder (accounts.yaml is the chart everything refers to). */
export const checkMappings = (sources: MappingSources): Array<Problem> => {
  const problems: Array<Problem> = []
  const accountsSource = sources.accounts
  const accounts = accountsOf(sources)
  if (accountsSource !== undefined) problems.push(...checkChart(accounts, accountsSource))
  const byNumber = new Map<string, number>()
  accounts.forEach((a, i) => {
    const n = text(a["number"])
    if (n !== undefined && !byNumber.has(n)) byNumber.set(n, i)
  })

  const fundingSource = sources["funding-accounts"]
  if (fundingSource !== undefined && accountsSource !== undefined) {
    list(record(fundingSource.value)["fundingAccounts"]).forEach((link, i) => {
      const ledgerAccount = text(link["ledgerAccount"])
      if (ledgerAccount === undefined) return
      const index = byNumber.get(ledgerAccount)
      const account = index === undefined ? undefined : accounts[index]
      const path: Path = ["fundingAccounts", i, "ledgerAccount"]
      if (index === undefined || account === undefined) {
        problems.push(
          problemAt(
            fundingSource,
            path,
            `ledgerAccount ${JSON.stringify(ledgerAccount)} is not an account in ${accountsSource.file}`
          )
        )
      } else if (account["type"] !== "bank" && account["type"] !== "credit-card") {
        problems.push(
          problemAt(
            fundingSource,
            path,
            `ledgerAccount ${JSON.stringify(ledgerAccount)} has type ${String(account["type"])} (${where(accountsSource, ["accounts", index, "type"])}); a funding account must map to a bank or credit-card account`
          )
        )
      } else if (account["active"] === false) {
        problems.push(
          problemAt(
            fundingSource,
            path,
            `ledgerAccount ${JSON.stringify(ledgerAccount)} is retired (active: false at ${where(accountsSource, ["accounts", index, "active"])})`
          )
        )
      }
    })
  }

  // A Bill.com record maps to one ledger record: the same id twice, in one file or across files, is ambiguous.
  const ids = new Map<string, IdUse>()
  const use = (source: SourceFile | undefined, key: string) => {
    if (source === undefined) return
    list(record(source.value)[key]).forEach((item, i) => {
      const id = text(item["billcomId"])
      if (id === undefined) return
      const path: Path = [key, i, "billcomId"]
      const first = ids.get(id)
      if (first !== undefined) {
        problems.push(
          problemAt(
            source,
            path,
            `Bill.com id ${id} is mapped twice: already mapped at ${where(first.source, first.path)}`
          )
        )
      } else ids.set(id, { source, path })
    })
  }
  use(accountsSource, "accounts")
  use(sources.vendors, "vendors")
  use(fundingSource, "fundingAccounts")
  use(sources.items, "items")
  use(sources.customers, "customers")
  for (const key of CLASSIFICATION_KEYS) use(sources.classifications, key)
  return problems
}
