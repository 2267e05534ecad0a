import { billcomTypeOf, ledgerTypeOf } from "./account-types.ts"
import { byNumber, norm, viewOfRow, type Matching } from "./matching.ts"
import type { AccountView, LedgerAccount, LedgerDiff } from "./model.ts"

/**
 * With coa.sourceOfTruth: billcom nothing is written to Bill.com; instead the plan lists what the
 * ledger chart (accounts.yaml) would need to change to match Bill.com, with suggested entries.
 */
export const ledgerDiffs = (m: Matching): ReadonlyArray<LedgerDiff> => {
  const diffs: Array<LedgerDiff> = []
  const ledgerNumberOfRow = (id: string | undefined): string | undefined => {
    if (id === undefined) return undefined
    return m.claimedBy.get(id) ?? norm(m.rows.get(id)?.number)
  }

  for (const account of [...m.ledger.values()].sort((a, b) => byNumber(a.number, b.number))) {
    const row = m.match.get(account.number)
    const ledger = viewOfLedger(account, m)
    if (row === undefined) {
      if (account.active) {
        diffs.push({ kind: "ledger-only", account: account.number, fields: [], ledger })
      }
      continue
    }
    const billcom = viewOfRow(row, m.rows)
    if (row.archived && account.active) {
      diffs.push({
        kind: "retire-in-ledger",
        account: account.number,
        id: row.id,
        fields: ["active"],
        ledger,
        billcom,
        suggestion: { active: false }
      })
    } else if (!row.archived && !account.active) {
      diffs.push({
        kind: "activate-in-ledger",
        account: account.number,
        id: row.id,
        fields: ["active"],
        ledger,
        billcom,
        suggestion: { active: true }
      })
    }
    const suggestion: Record<string, unknown> = {}
    if (row.name !== account.name) suggestion["name"] = row.name
    if (norm(row.number) !== undefined && row.number !== account.number) suggestion["number"] = row.number
    const type = ledgerTypeOf(row.type)
    if (type !== undefined && row.type !== billcomTypeOf(account.type)) suggestion["type"] = type
    if (norm(row.description) !== norm(account.description)) suggestion["description"] = row.description ?? ""
    const parent = ledgerNumberOfRow(row.parentId)
    if (parent !== account.parent) suggestion["parent"] = parent ?? null
    const fields = Object.keys(suggestion)
    if (fields.length > 0) {
      diffs.push({ kind: "update-ledger", account: account.number, id: row.id, fields, ledger, billcom, suggestion })
    }
  }

  const unclaimed = [...m.rows.values()]
    .filter((row) => !row.archived && !m.claimedBy.has(row.id))
    .sort((a, b) => byNumber(a.number, b.number) || (a.id < b.id ? -1 : 1))
  for (const row of unclaimed) {
    const type = ledgerTypeOf(row.type)
    const parent = ledgerNumberOfRow(row.parentId)
    const suggestion: Record<string, unknown> = {
      ...(norm(row.number) !== undefined ? { number: row.number } : {}),
      name: row.name,
      ...(type !== undefined ? { type } : {}),
      ...(parent !== undefined ? { parent } : {}),
      ...(norm(row.description) !== undefined ? { description: row.description } : {}),
      // Without a number the row can only be linked explicitly.
      ...(norm(row.number) === undefined ? { billcomId: row.id } : {})
    }
    diffs.push({
      kind: "add-to-ledger",
      id: row.id,
      fields: Object.keys(suggestion),
      billcom: viewOfRow(row, m.rows),
      suggestion
    })
  }
  return diffs
}

const viewOfLedger = (account: LedgerAccount, m: Matching): AccountView => {
  const parentRow = account.parent !== undefined ? m.match.get(account.parent) : undefined
  return {
    name: account.name,
    number: account.number,
    type: billcomTypeOf(account.type),
    ...(norm(account.description) !== undefined ? { description: account.description! } : {}),
    ...(account.parent !== undefined
      ? { parent: { number: account.parent, ...(parentRow !== undefined ? { id: parentRow.id } : {}) } }
      : {}),
    archived: !account.active
  }
}
