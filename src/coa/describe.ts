import type { AccountView, CoaAction, HeldArchive, LedgerDiff, ParentRef } from "./model.ts"

/** Shared wording of the text and markdown renderers. */

export const parentLabel = (parent: ParentRef | undefined | null): string =>
  parent === undefined || parent === null ? "(top level)" : (parent.number ?? parent.id ?? "?")

export const accountLabel = (v: { readonly number?: string | undefined; readonly name: string }): string =>
  v.number !== undefined ? `${v.number} ${v.name}` : v.name

export const quote = (s: string | undefined): string => (s === undefined ? "(none)" : JSON.stringify(s))

/** One line per changed field: `name: "A" → "B"`. */
export const changesOf = (action: CoaAction): ReadonlyArray<string> => {
  switch (action._tag) {
    case "create": {
      const a = action.after
      return [
        `type ${a.type}`,
        ...(a.parent !== undefined
          ? [`parent ${parentLabel(a.parent)}${a.parent.id === undefined ? " (created above)" : ""}`]
          : []),
        ...(a.description !== undefined ? [`description ${quote(a.description)}`] : []),
        ...(action.asParent ? ["inactive in the ledger; created as a parent (coa.createParents)"] : [])
      ]
    }
    case "update": {
      const { before, patch } = action
      return [
        ...(patch.name !== undefined ? [`name: ${quote(before.name)} → ${quote(patch.name)}`] : []),
        ...(patch.number !== undefined ? [`number: ${before.number ?? "(none)"} → ${patch.number}`] : []),
        ...(patch.type !== undefined ? [`type: ${before.type} → ${patch.type}`] : []),
        ...(patch.description !== undefined
          ? [`description: ${quote(before.description)} → ${quote(patch.description)}`]
          : []),
        ...(patch.parent !== undefined ? [`parent: ${parentLabel(before.parent)} → ${parentLabel(patch.parent)}`] : [])
      ]
    }
    case "restore":
      return ["archived → active"]
    case "archive":
      return [whyText(action.why)]
  }
}

export const whyText = (why: HeldArchive["why"]): string =>
  why === "absent-from-ledger" ? "not in the ledger chart" : "inactive in the ledger (active: false)"

export const actionAccount = (action: CoaAction): string =>
  action._tag === "create"
    ? accountLabel(action.after)
    : accountLabel(action._tag === "update" ? action.after : action.before)

export const diffTitle: Record<LedgerDiff["kind"], string> = {
  "add-to-ledger": "add to accounts.yaml",
  "update-ledger": "update in accounts.yaml",
  "retire-in-ledger": "archived in Bill.com: set active: false",
  "activate-in-ledger": "active in Bill.com: set active: true",
  "ledger-only": "only in the ledger (not in Bill.com)"
}

export const diffAccount = (d: LedgerDiff): string => {
  const view: AccountView | undefined = d.ledger ?? d.billcom
  return view === undefined ? (d.id ?? "?") : accountLabel(view)
}

export const diffChanges = (d: LedgerDiff): string =>
  d.suggestion === undefined
    ? ""
    : Object.entries(d.suggestion)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? quote(v) : JSON.stringify(v)}`)
        .join(", ")
