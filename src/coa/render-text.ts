import { accountLabel, actionAccount, changesOf, diffAccount, diffChanges, diffTitle, whyText } from "./describe.ts"
import type { CoaPlan } from "./plan-file.ts"

const SYMBOL = { create: "+", update: "~", restore: "↺", archive: "-" } as const

/** The terminal rendering, Terraform-like: one line per action, then the totals. */
export const renderText = (plan: CoaPlan): string => {
  const lines: Array<string> = []
  const s = plan.summary
  lines.push(
    `COA plan for pipeline ${plan.pipeline.name} (company ${plan.pipeline.company}, Bill.com org ${plan.pipeline.organizationId}, ${plan.pipeline.environment})`,
    `  source of truth: ${plan.policy.sourceOfTruth}; Bill.com chart ${plan.billcom.fingerprint.slice(0, 30)}… (${plan.billcom.accounts} rows); mappings ${plan.mappings.gitCommit?.slice(0, 12) ?? plan.mappings.fingerprint.slice(0, 12)}${plan.mappings.gitDirty === true ? " (uncommitted changes)" : ""}; plan ${plan.planId}`,
    ""
  )
  for (const problem of plan.problems) lines.push(`  ! problem: ${problem}`)
  plan.actions.forEach((action, i) => {
    const id = action._tag === "create" ? "" : ` [${action.id}]`
    lines.push(
      `  ${String(i + 1).padStart(4)}. ${SYMBOL[action._tag]} ${action._tag.padEnd(7)} ${actionAccount(action)}${id}`
    )
    for (const change of changesOf(action)) lines.push(`            ${change}`)
  })
  for (const held of plan.held) {
    lines.push(
      `        ! would archive ${accountLabel(held.before)} [${held.id}]: ${whyText(held.why)} (coa.allowArchive is false)`
    )
  }
  for (const diff of plan.ledgerDiffs) {
    lines.push(
      `        ledger: ${diffTitle[diff.kind]}: ${diffAccount(diff)}${diff.id !== undefined ? ` [${diff.id}]` : ""}  ${diffChanges(diff)}`
    )
  }
  if (plan.warnings.length > 0) lines.push("", "Warnings:")
  for (const w of plan.warnings) lines.push(`  - ${w.message}`)
  lines.push("")
  if (plan.policy.sourceOfTruth === "billcom") {
    lines.push(
      plan.ledgerDiffs.length === 0
        ? "No changes. The ledger chart matches Bill.com."
        : `Bill.com is the source of truth: nothing will be written to Bill.com. ${plan.ledgerDiffs.length} ledger-side difference(s) to resolve in accounts.yaml.`
    )
  } else if (plan.actions.length === 0) {
    lines.push(
      `No changes. Bill.com's chart matches the ledger${s.wouldArchive > 0 ? ` (${s.wouldArchive} would be archived with coa.allowArchive)` : ""}.`
    )
  } else {
    lines.push(
      `Plan: ${s.create} to create, ${s.update} to update, ${s.restore} to restore, ${s.archive} to archive${s.wouldArchive > 0 ? `; ${s.wouldArchive} would archive (held: coa.allowArchive is false)` : ""}.`
    )
  }
  return lines.join("\n") + "\n"
}

/** The actions an apply is about to perform, for the approval prompt. */
export const renderPending = (
  plan: CoaPlan,
  pending: ReadonlyArray<{ readonly index: number; readonly action: CoaPlan["actions"][number] }>
): string => {
  const lines = [
    `Bill.com organization ${plan.pipeline.organizationId} (${plan.pipeline.environment}), plan ${plan.planId}:`
  ]
  for (const { index, action } of pending) {
    const id = action._tag === "create" ? "" : ` [${action.id}]`
    lines.push(
      `  ${String(index + 1).padStart(4)}. ${SYMBOL[action._tag]} ${action._tag.padEnd(7)} ${actionAccount(action)}${id}: ${changesOf(action).join("; ")}`
    )
  }
  const skipped = plan.actions.length - pending.length
  if (skipped > 0) lines.push(`  (${skipped} earlier action(s) are already applied)`)
  return lines.join("\n") + "\n"
}
