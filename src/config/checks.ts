import type { Problem } from "./errors.ts"
import type { MappingKind } from "./files.ts"
import { AccountTypes, type LedgerAccount, type Mappings } from "./mappings.ts"
import type { Pipeline } from "./pipeline.ts"
import { positionOf, problemAt, type Path, type SourceFile } from "./source.ts"
import { StageNames } from "./stages.ts"

/**
 * Checks that need more than one value or more than one file: everything JSON Schema cannot say.
 * Each problem points at the node to fix; a duplicate points at its second occurrence and names
 * the first as `file:line:col`.
 */

export type MappingSources = Partial<Record<MappingKind, SourceFile>>

const where = (source: SourceFile, path: Path): string => {
  const { line, col } = positionOf(source, path)
  return `${source.file}:${line}:${col}`
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { name: "day of week", min: 0, max: 6, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] }
] as const

/** Why a 5-field cron expression (as GitHub Actions reads it) is invalid, or undefined. */
export const cronProblem = (expression: string): string | undefined => {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`
  for (let i = 0; i < 5; i++) {
    const spec = CRON_FIELDS[i]!
    const names: ReadonlyArray<string> = "names" in spec ? spec.names : []
    const num = (s: string): number | undefined => {
      const idx = names.indexOf(s.toUpperCase())
      if (idx >= 0) return spec.min + idx
      return /^\d+$/.test(s) ? Number(s) : undefined
    }
    for (const part of (fields[i] ?? "").split(",")) {
      const m = /^(\*|([^-/]+)(?:-([^-/]+))?)(?:\/(\d+))?$/.exec(part)
      if (m === null) return `${spec.name} field "${fields[i]}" is not valid cron syntax`
      if (m[4] !== undefined && Number(m[4]) === 0) return `${spec.name} step must be at least 1`
      if (m[1] === "*") continue
      const lo = num(m[2] ?? "")
      const hi = m[3] === undefined ? lo : num(m[3])
      const max = spec.name === "day of week" ? 7 : spec.max
      if (lo === undefined || hi === undefined || lo < spec.min || hi > max || lo > hi) {
        return `${spec.name} field "${fields[i]}" is out of range (${spec.min}–${max})`
      }
    }
  }
  return undefined
}

/** Checks within the pipeline file itself. */
export const checkPipeline = (pipeline: Pipeline, source: SourceFile, expectedName: string | undefined): Array<Problem> => {
  const problems: Array<Problem> = []
  if (expectedName !== undefined && pipeline.name !== expectedName) {
    problems.push(problemAt(source, ["name"], `name ${JSON.stringify(pipeline.name)} must match the file name (${expectedName}), so \`billsync sync ${expectedName}\` finds this pipeline`))
  }
  const stages = pipeline.sync.stages
  let last = -1
  for (let i = 0; i < stages.length; i++) {
    const position = StageNames.indexOf(stages[i]!)
    if (position < last) {
      problems.push(problemAt(source, ["sync", "stages", i], `stage ${stages[i]} is out of order: stages always run as ${StageNames.join(", ")}; leave stages out to disable them, but keep this order`))
      break
    }
    last = position
  }
  if (pipeline.schedule !== undefined) {
    const problem = cronProblem(pipeline.schedule)
    if (problem !== undefined) problems.push(problemAt(source, ["schedule"], `schedule: ${problem}`))
  }
  const billcom = pipeline.billcom
  if (billcom.emulator !== undefined && billcom.environment !== "emulator") {
    problems.push(problemAt(source, ["billcom", "emulator"], `billcom.emulator only applies to environment emulator (this pipeline uses ${billcom.environment})`, "key"))
  } else if (billcom.emulator !== undefined && billcom.baseUrl !== undefined) {
    problems.push(problemAt(source, ["billcom", "emulator"], "billcom.emulator starts an in-process emulator, which billcom.baseUrl overrides: keep one of them", "key"))
  }
  if (billcom.v2BaseUrl !== undefined && billcom.baseUrl === undefined && billcom.environment === "emulator") {
    problems.push(problemAt(source, ["billcom", "v2BaseUrl"], "billcom.v2BaseUrl needs billcom.baseUrl for an external emulator (without baseUrl the in-process emulator serves both)"))
  }
  return problems
}

/** The pipeline's AP control account must be an active accounts-payable account of its chart. */
export const checkApAccount = (pipeline: Pipeline, source: SourceFile, mappings: Mappings, accountsFile: string): Array<Problem> => {
  const ap = pipeline.ledger.apAccount
  const account = mappings.accounts.find((a) => a.number === ap)
  if (account === undefined) {
    return [problemAt(source, ["ledger", "apAccount"], `ledger.apAccount ${JSON.stringify(ap)} is not an account in ${accountsFile}`)]
  }
  if (account.type !== "accounts-payable") {
    return [problemAt(source, ["ledger", "apAccount"], `ledger.apAccount ${JSON.stringify(ap)} is a ${account.type} account in ${accountsFile}; the AP control account must be of type accounts-payable`)]
  }
  if (!account.active) {
    return [problemAt(source, ["ledger", "apAccount"], `ledger.apAccount ${JSON.stringify(ap)} is retired (active: false) in ${accountsFile}`)]
  }
  return []
}

const checkChart = (accounts: ReadonlyArray<LedgerAccount>, source: SourceFile): Array<Problem> => {
  const problems: Array<Problem> = []
  const byNumber = new Map<string, number>()
  accounts.forEach((account, i) => {
    const first = byNumber.get(account.number)
    if (first !== undefined) {
      problems.push(problemAt(source, ["accounts", i, "number"], `duplicate account number ${JSON.stringify(account.number)}: already defined at ${where(source, ["accounts", first, "number"])}`))
    } else byNumber.set(account.number, i)
  })
  accounts.forEach((account, i) => {
    if (account.parent === undefined) return
    if (account.parent === account.number) {
      problems.push(problemAt(source, ["accounts", i, "parent"], `account ${account.number} cannot be its own parent`))
    } else if (!byNumber.has(account.parent)) {
      problems.push(problemAt(source, ["accounts", i, "parent"], `parent ${JSON.stringify(account.parent)} of account ${account.number} is not an account in this file`))
    }
  })
  // Walk up from each account; a walk that revisits an account is a cycle, reported once at the
  // `parent` of its first account in file order.
  const reported = new Set<string>()
  accounts.forEach((account, i) => {
    const chain = [account.number]
    let current = account
    while (current.parent !== undefined && current.parent !== current.number) {
      const index = byNumber.get(current.parent)
      if (index === undefined) return
      const parent = accounts[index]!
      if (chain.includes(parent.number)) {
        const cycle = chain.slice(chain.indexOf(parent.number))
        if (cycle[0] === account.number && !cycle.some((n) => reported.has(n))) {
          cycle.forEach((n) => reported.add(n))
          problems.push(problemAt(source, ["accounts", i, "parent"], `parent cycle: ${[...cycle, parent.number].join(" → ")}`))
        }
        return
      }
      chain.push(parent.number)
      current = parent
    }
  })
  return problems
}

interface IdUse {
  readonly source: SourceFile
  readonly path: Path
}

/** Checks across the files of one mappings folder (accounts.yaml is the chart everything refers to). */
export const checkMappings = (mappings: Mappings, sources: MappingSources): Array<Problem> => {
  const problems: Array<Problem> = []
  const accountsSource = sources.accounts
  if (accountsSource !== undefined) problems.push(...checkChart(mappings.accounts, accountsSource))
  const byNumber = new Map(mappings.accounts.map((a) => [a.number, a]))

  const fundingSource = sources["funding-accounts"]
  if (fundingSource !== undefined && accountsSource !== undefined) {
    mappings.fundingAccounts.forEach((link, i) => {
      const account = byNumber.get(link.ledgerAccount)
      const path: Path = ["fundingAccounts", i, "ledgerAccount"]
      if (account === undefined) {
        problems.push(problemAt(fundingSource, path, `ledgerAccount ${JSON.stringify(link.ledgerAccount)} is not an account in ${accountsSource.file}`))
      } else if (account.type !== "bank" && account.type !== "credit-card") {
        problems.push(problemAt(fundingSource, path, `ledgerAccount ${JSON.stringify(link.ledgerAccount)} is a ${account.type} account; a funding account must map to a bank or credit-card account`))
      } else if (!account.active) {
        problems.push(problemAt(fundingSource, path, `ledgerAccount ${JSON.stringify(link.ledgerAccount)} is retired (active: false) in ${accountsSource.file}`))
      }
    })
  }

  // A Bill.com record maps to one ledger record: the same id twice, in one file or across files, is ambiguous.
  const ids = new Map<string, IdUse>()
  const use = (id: string | undefined, source: SourceFile | undefined, path: Path) => {
    if (id === undefined || source === undefined) return
    const first = ids.get(id)
    if (first !== undefined) {
      problems.push(problemAt(source, path, `Bill.com id ${id} is mapped twice: already mapped at ${where(first.source, first.path)}`))
    } else ids.set(id, { source, path })
  }
  mappings.accounts.forEach((a, i) => use(a.billcomId, accountsSource, ["accounts", i, "billcomId"]))
  mappings.vendors.forEach((v, i) => use(v.billcomId, sources.vendors, ["vendors", i, "billcomId"]))
  mappings.fundingAccounts.forEach((f, i) => use(f.billcomId, fundingSource, ["fundingAccounts", i, "billcomId"]))
  mappings.items.forEach((x, i) => use(x.billcomId, sources.items, ["items", i, "billcomId"]))
  mappings.customers.forEach((c, i) => use(c.billcomId, sources.customers, ["customers", i, "billcomId"]))
  for (const kind of ["departments", "jobs", "locations", "accountingClasses", "employees"] as const) {
    mappings.classifications[kind].forEach((c, i) => use(c.billcomId, sources.classifications, [kind, i, "billcomId"]))
  }
  return problems
}

/** The Bill.com `account.type` of a ledger account type. */
export const billcomAccountType = (type: LedgerAccount["type"]): string => AccountTypes[type]
