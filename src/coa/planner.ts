import { billcomTypeOf } from "./account-types.ts"
import { ledgerDiffs } from "./ledger-diff.ts"
import { byNumber, matchCharts, norm, rowDepth, viewOfRow } from "./matching.ts"
import type {
  AccountPatch,
  AccountView,
  ArchiveAction,
  ChartRow,
  CoaAction,
  CoaPolicy,
  CreateAction,
  HeldArchive,
  LedgerAccount,
  ParentRef,
  PlanBody,
  PlanWarning,
  RestoreAction,
  UpdateAction
} from "./model.ts"

export interface PlanInput {
  readonly ledger: ReadonlyArray<LedgerAccount>
  readonly chart: ReadonlyArray<ChartRow>
  readonly policy: CoaPolicy
}

/**
 * The pure COA planner: what Bill.com must do so its chart matches the active ledger chart.
 * Order: restores, creates, updates (parents before children), then archives (children first), so
 * every parent a step names already exists and is active when the step runs.
 */
export const planCoa = ({ ledger, chart, policy }: PlanInput): PlanBody => {
  const m = matchCharts(ledger, chart)
  if (policy.sourceOfTruth === "billcom") {
    return { actions: [], held: [], ledgerDiffs: ledgerDiffs(m), warnings: m.warnings, problems: m.problems }
  }
  const warnings: Array<PlanWarning> = [...m.warnings]

  // Inactive ancestors of active accounts are kept in Bill.com as parents (created only with createParents).
  const keptAsParent = new Map<string, Array<string>>()
  for (const account of m.ledger.values()) {
    if (!account.active) continue
    const seen = new Set([account.number])
    for (let p = account.parent; p !== undefined && !seen.has(p); p = m.ledger.get(p)?.parent) {
      seen.add(p)
      const parent = m.ledger.get(p)
      if (parent === undefined || parent.active) break
      keptAsParent.set(p, [...(keptAsParent.get(p) ?? []), account.number])
    }
  }
  const isPresent = (number: string): boolean => {
    const account = m.ledger.get(number)
    if (account === undefined) return false
    if (account.active) return true
    if (!keptAsParent.has(number)) return false
    const row = m.match.get(number)
    return policy.createParents || (row !== undefined && !row.archived)
  }
  for (const [number, children] of keptAsParent) {
    if (!isPresent(number)) continue
    warnings.push({
      code: "kept-as-parent",
      account: number,
      message: `account ${number} is inactive in the ledger but kept active in Bill.com as the parent of ${children.sort(byNumber).join(", ")}`
    })
  }

  const desiredParent = (account: LedgerAccount): ParentRef | null => {
    const p = account.parent
    if (p === undefined || !m.ledger.has(p)) return null
    if (isPresent(p)) {
      const row = m.match.get(p)
      return row === undefined ? { number: p } : { number: p, id: row.id }
    }
    warnings.push({
      code: "parent-not-in-billcom",
      account: account.number,
      message: `account ${account.number}'s parent ${p} is not in Bill.com and coa.createParents is false; it is placed at the top level`
    })
    return null
  }

  const present = [...m.ledger.values()]
    .filter((a) => isPresent(a.number))
    .sort((a, b) => (m.depth.get(a.number) ?? 0) - (m.depth.get(b.number) ?? 0) || byNumber(a.number, b.number))

  // Rows by normalised name, for the duplicate check of each create.
  const byName = new Map<string, Array<ChartRow>>()
  for (const row of chart) byName.set(nameKey(row.name), [...(byName.get(nameKey(row.name)) ?? []), row])

  const restores: Array<RestoreAction> = []
  const creates: Array<CreateAction> = []
  const updates: Array<UpdateAction> = []
  for (const account of present) {
    const parent = desiredParent(account)
    const row = m.match.get(account.number)
    if (row === undefined) {
      creates.push(createOf(account, parent, byName.get(nameKey(account.name)) ?? [], m.claimedBy, warnings))
      continue
    }
    let before = viewOfRow(row, m.rows)
    if (row.archived) {
      const after = { ...before, archived: false }
      restores.push({ _tag: "restore", account: account.number, id: row.id, before, after })
      before = after
    }
    const patch = patchOf(account, row, parent)
    if (Object.keys(patch).length > 0) {
      updates.push({
        _tag: "update",
        account: account.number,
        id: row.id,
        before,
        patch,
        after: applyPatch(before, patch)
      })
    }
  }

  const archives: Array<{ readonly action: ArchiveAction; readonly depth: number }> = []
  const archive = (row: ChartRow, why: ArchiveAction["why"], account?: string) => {
    const before = viewOfRow(row, m.rows)
    archives.push({
      action: {
        _tag: "archive",
        ...(account !== undefined ? { account } : {}),
        id: row.id,
        before,
        after: { ...before, archived: true },
        why
      },
      depth: rowDepth(row, m.rows)
    })
  }
  for (const account of m.ledger.values()) {
    const row = m.match.get(account.number)
    if (row !== undefined && !row.archived && !isPresent(account.number))
      archive(row, "inactive-in-ledger", account.number)
  }
  for (const row of chart) if (!row.archived && !m.claimedBy.has(row.id)) archive(row, "absent-from-ledger")
  archives.sort(
    (a, b) =>
      b.depth - a.depth ||
      byNumber(a.action.before.number, b.action.before.number) ||
      (a.action.id < b.action.id ? -1 : 1)
  )

  const actions: Array<CoaAction> = [...restores, ...creates, ...updates]
  const held: Array<HeldArchive> = []
  for (const { action } of archives) {
    if (policy.allowArchive) actions.push(action)
    else
      held.push({
        ...(action.account !== undefined ? { account: action.account } : {}),
        id: action.id,
        before: action.before,
        why: action.why
      })
  }
  return { actions, held, ledgerDiffs: [], warnings, problems: m.problems }
}

const nameKey = (name: string) => name.trim().toLowerCase()

const createOf = (
  account: LedgerAccount,
  parent: ParentRef | null,
  sameName: ReadonlyArray<ChartRow>,
  claimedBy: ReadonlyMap<string, string>,
  warnings: Array<PlanWarning>
): CreateAction => {
  const type = billcomTypeOf(account.type)
  // The reference's "duplicate chart-of-account rows": no number-and-type match, but the name exists.
  const similar = sameName.map((row) => ({
    id: row.id,
    name: row.name,
    ...(norm(row.number) !== undefined ? { number: row.number } : {}),
    type: row.type,
    archived: row.archived
  }))
  for (const row of similar) {
    const owner = claimedBy.get(row.id)
    warnings.push({
      code: "possible-duplicate",
      account: account.number,
      id: row.id,
      message: `no number-and-type match found for ${account.number} ${account.name} (${type}); Bill.com already has "${row.name}" as ${row.number ?? "no number"} ${row.type}${row.archived ? " (archived)" : ""}${owner !== undefined ? `, mapped to ledger account ${owner}` : ""} — creating would add a duplicate; align the number and type, or set billcomId`
    })
  }
  return {
    _tag: "create",
    account: account.number,
    after: {
      name: account.name,
      number: account.number,
      type,
      ...(norm(account.description) !== undefined ? { description: account.description! } : {}),
      ...(parent !== null ? { parent } : {})
    },
    asParent: !account.active,
    similar
  }
}

const patchOf = (account: LedgerAccount, row: ChartRow, parent: ParentRef | null): AccountPatch => {
  const type = billcomTypeOf(account.type)
  const parentChange: { parent?: ParentRef | null } =
    parent === null
      ? row.parentId !== undefined
        ? { parent: null }
        : {}
      : parent.id === undefined || parent.id !== row.parentId
        ? { parent }
        : {}
  return {
    ...(account.name !== row.name ? { name: account.name } : {}),
    ...(account.number !== norm(row.number) ? { number: account.number } : {}),
    ...(type !== row.type ? { type } : {}),
    // An account without a description leaves Bill.com's alone; "" clears it.
    ...(account.description !== undefined && norm(account.description) !== norm(row.description)
      ? { description: account.description }
      : {}),
    ...parentChange
  }
}

export const applyPatch = (view: AccountView, patch: AccountPatch): AccountView => {
  const { parent, description, ...rest } = { ...view, ...patch }
  return {
    ...rest,
    ...(norm(description) !== undefined ? { description: description! } : {}),
    ...(parent !== undefined && parent !== null ? { parent } : {})
  }
}
