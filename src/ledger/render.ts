import type { RunSummary } from "../store/runs.ts"
import { formatMoney, fromCents } from "./money.ts"
import { AGING_BUCKETS, type AgingReport, type TrialBalance } from "./reports.ts"

/** A report as a table: rendered as aligned text (terminal), GitHub markdown (job summary) or HTML. */
export interface Table {
  readonly title: string
  readonly columns: ReadonlyArray<{ readonly header: string; readonly align: "left" | "right" }>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly footer?: ReadonlyArray<string>
  readonly notes?: ReadonlyArray<string>
}

export const textTable = (t: Table): string => {
  const all = [t.columns.map((c) => c.header), ...t.rows, ...(t.footer ? [t.footer] : [])]
  const widths = t.columns.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)))
  const fmt = (r: ReadonlyArray<string>) =>
    t.columns.map((c, i) => (c.align === "right" ? (r[i] ?? "").padStart(widths[i]!) : (r[i] ?? "").padEnd(widths[i]!))).join("  ").trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  return [
    t.title,
    "",
    fmt(t.columns.map((c) => c.header)),
    rule,
    ...(t.rows.length === 0 ? ["(nothing to show)"] : t.rows.map(fmt)),
    ...(t.footer ? [rule, fmt(t.footer)] : []),
    ...(t.notes && t.notes.length > 0 ? ["", ...t.notes] : [])
  ].join("\n")
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ")

export const markdownTable = (t: Table): string =>
  [
    `### ${t.title}`,
    "",
    `| ${t.columns.map((c) => mdCell(c.header)).join(" | ")} |`,
    `| ${t.columns.map((c) => (c.align === "right" ? "---:" : ":---")).join(" | ")} |`,
    ...t.rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`),
    ...(t.footer ? [`| ${t.footer.map((c) => (c === "" ? "" : `**${mdCell(c)}**`)).join(" | ")} |`] : []),
    ...(t.rows.length === 0 ? ["", "_Nothing to show._"] : []),
    ...(t.notes && t.notes.length > 0 ? ["", ...t.notes.map((n) => `> ${n}`)] : [])
  ].join("\n")

const bucketHeader: Record<string, string> = { current: "Current", "1-30": "1–30", "31-60": "31–60", "61-90": "61–90", "90+": "90+", unapplied: "Unapplied" }

export const agingTable = (r: AgingReport): Table => ({
  title: `AP aging as of ${r.asOf} (${r.currency}, days past due)`,
  columns: [{ header: "Vendor", align: "left" }, ...[...AGING_BUCKETS, "unapplied" as const].map((b) => ({ header: bucketHeader[b]!, align: "right" as const })), { header: "Total", align: "right" }],
  rows: r.rows.map((row) => [`${row.vendorName} (${row.vendorKey})`, ...[...AGING_BUCKETS, "unapplied" as const].map((b) => formatMoney(row.buckets[b])), formatMoney(row.total)]),
  footer: ["Total", ...[...AGING_BUCKETS, "unapplied" as const].map((b) => formatMoney(r.totals[b])), formatMoney(r.totals.total)],
  notes: ["Unapplied: vendor credits and payment amounts not applied to a bill held in the ledger (negative = AP owes less)."]
})

export const trialBalanceTable = (tb: TrialBalance): Table => ({
  title: `Trial balance as of ${tb.asOf} (${tb.currency})`,
  columns: [
    { header: "Account", align: "left" },
    { header: "Name", align: "left" },
    { header: "Type", align: "left" },
    { header: "Debit", align: "right" },
    { header: "Credit", align: "right" }
  ],
  rows: tb.rows.map((r) => [r.number, r.name, r.type, r.balance > 0n ? formatMoney(r.balance) : "", r.balance < 0n ? formatMoney(-r.balance) : ""]),
  footer: ["Total", "", "", formatMoney(tb.debits), formatMoney(tb.credits)],
  notes: tb.debits === tb.credits ? [] : [`OUT OF BALANCE by ${formatMoney(tb.debits - tb.credits)}`]
})

/** Run times are stored to the second, so a run under a second reads "< 1 s", never "0 ms". */
const duration = (ms: number | null): string =>
  ms === null ? "running" : ms < 1000 ? "< 1 s" : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`

/** Wall time from start to finish (to the second), or the stages' measured time when that is longer. */
export const runDurationMs = (r: RunSummary): number | null => {
  if (r.finishedAt === null) return null
  const stages = r.stages.reduce((s, x) => s + (x.durationMs ?? 0), 0)
  return Math.max(Date.parse(r.finishedAt) - Date.parse(r.startedAt), stages)
}

const total = (r: RunSummary, k: "pulled" | "inserted" | "updated" | "skipped" | "errors") => r.stages.reduce((s, x) => s + x[k], 0)

export const runsTable = (runs: ReadonlyArray<RunSummary>): Table => ({
  title: `Recent sync runs (${runs.length})`,
  columns: [
    { header: "Run", align: "right" },
    { header: "Kind", align: "left" },
    { header: "Status", align: "left" },
    { header: "Started (UTC)", align: "left" },
    { header: "Duration", align: "right" },
    { header: "API calls", align: "right" },
    { header: "Pulled", align: "right" },
    { header: "New", align: "right" },
    { header: "Updated", align: "right" },
    { header: "Skipped", align: "right" },
    { header: "Errors", align: "right" },
    { header: "Stages (pulled/new/updated/errors)", align: "left" }
  ],
  rows: runs.map((r) => [
    String(r.id),
    r.kind,
    r.status,
    r.startedAt.replace("T", " ").slice(0, 19),
    duration(runDurationMs(r)),
    String(r.apiCalls),
    String(total(r, "pulled")),
    String(total(r, "inserted")),
    String(total(r, "updated")),
    String(total(r, "skipped")),
    String(total(r, "errors")),
    r.stages.map((s) => `${s.stage} ${s.pulled}/${s.inserted}/${s.updated}/${s.errors}${s.status === "failed" ? " FAILED" : ""}`).join(", ") + (r.error ? ` — ${r.error}` : "")
  ])
})

/** JSON forms: money as exact decimal strings. */
export const agingJson = (r: AgingReport) => ({
  asOf: r.asOf,
  currency: r.currency,
  vendors: r.rows.map((row) => ({
    vendor: row.vendorKey,
    name: row.vendorName,
    buckets: Object.fromEntries(Object.entries(row.buckets).map(([k, v]) => [k, fromCents(v)])),
    total: fromCents(row.total),
    items: row.items.map((i) => ({ ...i, open: fromCents(i.open) }))
  })),
  totals: Object.fromEntries(Object.entries(r.totals).map(([k, v]) => [k, fromCents(v)]))
})

export const trialBalanceJson = (tb: TrialBalance) => ({
  asOf: tb.asOf,
  currency: tb.currency,
  accounts: tb.rows.map((r) => ({ number: r.number, name: r.name, type: r.type, balance: fromCents(r.balance) })),
  debits: fromCents(tb.debits),
  credits: fromCents(tb.credits),
  balanced: tb.debits === tb.credits
})

export const runsJson = (runs: ReadonlyArray<RunSummary>) => runs.map((r) => ({ ...r, durationMs: runDurationMs(r) }))
