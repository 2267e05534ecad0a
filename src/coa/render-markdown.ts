import { accountLabel, actionAccount, changesOf, diffAccount, diffChanges, diffTitle, whyText } from "./describe.ts"
import type { CoaPlan } from "./plan-file.ts"

/** GitHub rejects issue and PR comments longer than this many characters. */
export const GITHUB_COMMENT_LIMIT = 65_535

export interface MarkdownOptions {
  /** Budget for this plan's markdown (several pipelines may share one comment). */
  readonly maxChars?: number
  /** Where reviewers find the full plan, e.g. "the `coa-plan-demo` artifact of this run". */
  readonly fullPlanHint?: string
}

const LABEL = { create: "➕ create", update: "✏️ update", restore: "♻️ restore", archive: "🗄️ **archive** ⚠️" } as const

const cell = (s: string): string =>
  s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;")
const code = (s: string): string => "`" + s.replace(/`/g, "'") + "`"

/**
 * The plan as a PR comment: counts, destructive actions and possible duplicates called out, a
 * table of actions. Every list is cut to the same number of rows, the largest that keeps the whole
 * comment within the budget; cut lists say how many rows they omit and point to the full plan.
 */
export const renderMarkdown = (plan: CoaPlan, options: MarkdownOptions = {}): string => {
  const budget = Math.min(options.maxChars ?? 60_000, GITHUB_COMMENT_LIMIT)
  const longest = Math.max(
    plan.actions.length,
    plan.held.length,
    plan.ledgerDiffs.length,
    plan.warnings.length,
    plan.problems.length
  )
  const full = render(plan, longest, options)
  if (full.length <= budget) return full
  let lo = 0
  let hi = longest
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (render(plan, mid, options).length <= budget) lo = mid
    else hi = mid - 1
  }
  const cut = render(plan, lo, options)
  // Only pathological text (enormous names in the header) can still overflow; never exceed the limit.
  return cut.length <= budget ? cut : cut.slice(0, budget - 80) + "\n\n… (truncated; see the full plan)\n"
}

const render = (plan: CoaPlan, limit: number, options: MarkdownOptions): string => {
  const out: Array<string> = []
  const s = plan.summary
  const hint = options.fullPlanHint ?? "the plan file (`--out plan.json`)"
  const more = (total: number, what: string) =>
    total > limit ? [``, `_… and ${total - limit} more ${what} — see ${hint}._`] : []

  out.push(`### Chart-of-accounts plan: ${code(plan.pipeline.name)}`, "")
  const mode =
    plan.policy.sourceOfTruth === "billcom"
      ? "Bill.com is the source of truth — **nothing will be written to Bill.com**"
      : "the ledger is the source of truth"
  out.push(
    `Company ${code(plan.pipeline.company)} → Bill.com organization ${code(plan.pipeline.organizationId)} (${plan.pipeline.environment}); ${mode}.`
  )
  if (plan.policy.sourceOfTruth === "billcom") {
    out.push(
      "",
      `**${plan.ledgerDiffs.length} ledger-side difference(s)** to resolve in ${code(`${plan.mappings.dir}/accounts.yaml`)}.`
    )
  } else {
    const parts = [
      `**${s.create} to create**`,
      `**${s.update} to update**`,
      `**${s.restore} to restore**`,
      `**${s.archive} to archive**`
    ]
    if (s.wouldArchive > 0) parts.push(`${s.wouldArchive} would archive (held: \`coa.allowArchive\` is false)`)
    if (s.possibleDuplicates > 0) parts.push(`⚠️ ${s.possibleDuplicates} possible duplicate(s)`)
    out.push("", parts.join(" · "))
  }
  const mappings =
    plan.mappings.gitCommit !== undefined
      ? `commit ${code(plan.mappings.gitCommit.slice(0, 12))}${plan.mappings.gitDirty === true ? " + uncommitted changes" : ""}`
      : code(plan.mappings.fingerprint.slice(0, 12))
  out.push(
    "",
    `<sub>Computed from Bill.com chart ${code(plan.billcom.fingerprint.slice(0, 28) + "…")} (${plan.billcom.accounts} rows) and mappings ${mappings}. Plan ${code(plan.planId)}; applied only after approval, and refused if Bill.com changes first.</sub>`
  )

  if (plan.problems.length > 0) {
    out.push("", `> [!CAUTION]`, `> **${plan.problems.length} problem(s) — this plan cannot be applied:**`)
    for (const p of plan.problems.slice(0, limit)) out.push(`> - ${cell(p)}`)
    if (plan.problems.length > limit) out.push(`> - … and ${plan.problems.length - limit} more`)
  }

  const archives = plan.actions.flatMap((a, i) => (a._tag === "archive" ? [{ a, i }] : []))
  if (archives.length > 0) {
    out.push(
      "",
      `> [!WARNING]`,
      `> **Destructive: ${archives.length} account(s) will be archived in Bill.com.** Bills and payments can no longer be coded to them.`
    )
    for (const { a, i } of archives.slice(0, limit))
      out.push(`> - #${i + 1} ${cell(accountLabel(a.before))} (${code(a.id)}): ${whyText(a.why)}`)
    if (archives.length > limit) out.push(`> - … and ${archives.length - limit} more`)
  }

  const duplicates = plan.actions.flatMap((a, i) => (a._tag === "create" && a.similar.length > 0 ? [{ a, i }] : []))
  if (duplicates.length > 0) {
    out.push(
      "",
      `> [!WARNING]`,
      `> **Possible duplicates: no number-and-type match found in Bill.com**, but a row with the same name exists. Creating these adds duplicate rows; align the number and type, or set \`billcomId\` in accounts.yaml.`
    )
    for (const { a, i } of duplicates.slice(0, limit)) {
      const rows = a.similar
        .map((r) => `${code(r.id)} ${cell(r.number ?? "no number")} ${r.type}${r.archived ? " (archived)" : ""}`)
        .join(", ")
      out.push(`> - #${i + 1} ${cell(accountLabel(a.after))} ${a.after.type} — Bill.com has ${rows}`)
    }
    if (duplicates.length > limit) out.push(`> - … and ${duplicates.length - limit} more`)
  }

  if (plan.actions.length > 0) {
    out.push("", "| # | Action | Account | Bill.com id | Change |", "|---:|---|---|---|---|")
    plan.actions.slice(0, limit).forEach((a, i) => {
      const id = a._tag === "create" ? "—" : code(a.id)
      out.push(`| ${i + 1} | ${LABEL[a._tag]} | ${cell(actionAccount(a))} | ${id} | ${cell(changesOf(a).join("; "))} |`)
    })
    out.push(...more(plan.actions.length, "actions"))
  } else if (plan.policy.sourceOfTruth === "ledger") {
    out.push("", "No changes: Bill.com's chart of accounts matches the ledger.")
  }

  if (plan.held.length > 0) {
    out.push(
      "",
      `<details><summary>Would archive (${plan.held.length}) — held because <code>coa.allowArchive</code> is false</summary>`,
      ""
    )
    out.push("| Account | Bill.com id | Why |", "|---|---|---|")
    for (const h of plan.held.slice(0, limit))
      out.push(`| ${cell(accountLabel(h.before))} | ${code(h.id)} | ${whyText(h.why)} |`)
    out.push(...more(plan.held.length, "held archives"), "", "</details>")
  }

  if (plan.ledgerDiffs.length > 0) {
    out.push("", "| Ledger change | Account | Bill.com id | Suggested accounts.yaml values |", "|---|---|---|---|")
    for (const d of plan.ledgerDiffs.slice(0, limit)) {
      out.push(
        `| ${diffTitle[d.kind]} | ${cell(diffAccount(d))} | ${d.id !== undefined ? code(d.id) : "—"} | ${cell(diffChanges(d))} |`
      )
    }
    out.push(...more(plan.ledgerDiffs.length, "ledger differences"))
  }

  const warnings = plan.warnings.filter((w) => w.code !== "possible-duplicate")
  if (warnings.length > 0) {
    out.push("", `<details><summary>Notes (${warnings.length})</summary>`, "")
    for (const w of warnings.slice(0, limit)) out.push(`- ${cell(w.message)}`)
    out.push(...more(warnings.length, "notes"), "", "</details>")
  }
  out.push("", `<sub>Full plan: ${hint}.</sub>`)
  return out.join("\n") + "\n"
}
