import { billcomTypeOf } from "./account-types.ts"
import type { AccountView, ChartRow, LedgerAccount, PlanWarning } from "./model.ts"

/**
 * Pairs ledger accounts with Bill.com rows, the rule from docs/design.md: an explicit `billcomId`
 * first, else exactly one row with the same number and type, else none. Rows claimed explicitly
 * never take part in number+type matching.
 */
export interface Matching {
  readonly ledger: ReadonlyMap<string, LedgerAccount>
  readonly rows: ReadonlyMap<string, ChartRow>
  /** Ledger number → the Bill.com row it is paired with. */
  readonly match: ReadonlyMap<string, ChartRow>
  /** Bill.com row id → the ledger number that claimed it. */
  readonly claimedBy: ReadonlyMap<string, string>
  /** Ledger number → depth in the ledger tree (roots are 0). */
  readonly depth: ReadonlyMap<string, number>
  readonly warnings: ReadonlyArray<PlanWarning>
  readonly problems: ReadonlyArray<string>
}

const collator = new Intl.Collator("en", { numeric: true })
/** Account numbers sort the way accountants read them: "2" < "10" < "1000". */
export const byNumber = (a: string | undefined, b: string | undefined): number => collator.compare(a ?? "", b ?? "")

/** Bill.com omits empty fields; an empty string and an absent field mean the same. */
export const norm = (s: string | undefined): string | undefined => (s === undefined || s === "" ? undefined : s)

export const matchCharts = (ledgerAccounts: ReadonlyArray<LedgerAccount>, chart: ReadonlyArray<ChartRow>): Matching => {
  const problems: Array<string> = []
  const warnings: Array<PlanWarning> = []
  const ledger = new Map<string, LedgerAccount>()
  for (const account of ledgerAccounts) {
    if (ledger.has(account.number))
      problems.push(`account ${account.number} appears more than once in the ledger chart`)
    else ledger.set(account.number, account)
  }
  const rows = new Map(chart.map((row) => [row.id, row] as const))
  const match = new Map<string, ChartRow>()
  const claimedBy = new Map<string, string>()

  for (const account of ledger.values()) {
    if (account.billcomId === undefined) continue
    const row = rows.get(account.billcomId)
    const other = claimedBy.get(account.billcomId)
    if (row === undefined) {
      problems.push(
        `account ${account.number} names billcomId ${account.billcomId}, which is not in Bill.com's chart of accounts`
      )
    } else if (other !== undefined) {
      problems.push(`accounts ${other} and ${account.number} both name billcomId ${account.billcomId}`)
    } else {
      match.set(account.number, row)
      claimedBy.set(row.id, account.number)
    }
  }

  const byKey = new Map<string, Array<ChartRow>>()
  for (const row of chart) {
    if (claimedBy.has(row.id) || norm(row.number) === undefined) continue
    const key = `${row.number}\u0000${row.type}`
    const list = byKey.get(key)
    if (list === undefined) byKey.set(key, [row])
    else list.push(row)
  }
  for (const account of ledger.values()) {
    if (account.billcomId !== undefined) continue
    const candidates = byKey.get(`${account.number}\u0000${billcomTypeOf(account.type)}`)
    if (candidates === undefined) continue
    // Duplicates in Bill.com: prefer the active row, then the lowest id, so the choice is stable.
    const [chosen, ...others] = [...candidates].sort((a, b) =>
      a.archived === b.archived ? (a.id < b.id ? -1 : 1) : a.archived ? 1 : -1
    )
    if (chosen === undefined) continue
    match.set(account.number, chosen)
    claimedBy.set(chosen.id, account.number)
    if (others.length > 0) {
      warnings.push({
        code: "ambiguous-match",
        account: account.number,
        id: chosen.id,
        message: `${candidates.length} Bill.com rows have number ${account.number} and type ${chosen.type}; using ${chosen.id}, the others (${others.map((r) => r.id).join(", ")}) are treated as absent from the ledger — set billcomId in accounts.yaml to choose explicitly`
      })
    }
  }

  const depth = new Map<string, number>()
  const depthOf = (number: string, seen: Set<string>): number => {
    const known = depth.get(number)
    if (known !== undefined) return known
    const parent = ledger.get(number)?.parent
    if (parent === undefined || !ledger.has(parent)) {
      if (parent !== undefined)
        problems.push(`account ${number} names parent ${parent}, which is not in the ledger chart`)
      depth.set(number, 0)
      return 0
    }
    if (seen.has(parent)) {
      problems.push(`the ledger chart has a parent cycle through account ${number}`)
      depth.set(number, 0)
      return 0
    }
    seen.add(number)
    const d = depthOf(parent, seen) + 1
    depth.set(number, d)
    return d
  }
  for (const number of ledger.keys()) depthOf(number, new Set([number]))

  return { ledger, rows, match, claimedBy, depth, warnings, problems }
}

/** A Bill.com row as the reviewer reads it, its parent named by the parent row's number. */
export const viewOfRow = (row: ChartRow, rows: ReadonlyMap<string, ChartRow>): AccountView => {
  const parent = row.parentId === undefined ? undefined : rows.get(row.parentId)
  const parentNumber = norm(parent?.number)
  return {
    name: row.name,
    ...(norm(row.number) !== undefined ? { number: row.number } : {}),
    type: row.type,
    ...(norm(row.description) !== undefined ? { description: row.description } : {}),
    ...(row.parentId !== undefined
      ? { parent: { id: row.parentId, ...(parentNumber !== undefined ? { number: parentNumber } : {}) } }
      : {}),
    archived: row.archived
  }
}

/** Depth of a row in Bill.com's own tree (archives run deepest first). */
export const rowDepth = (row: ChartRow, rows: ReadonlyMap<string, ChartRow>): number => {
  let depth = 0
  let current = row
  const seen = new Set([row.id])
  while (current.parentId !== undefined) {
    const parent = rows.get(current.parentId)
    if (parent === undefined || seen.has(parent.id)) break
    seen.add(parent.id)
    current = parent
    depth++
  }
  return depth
}
