import type { OpenError } from "../store/integration-errors.ts"
import type { RunSummary } from "../store/runs.ts"
import { describeInvariants, invariantsStatus, type InvariantsCheck } from "./invariants.ts"
import { formatMoney } from "./money.ts"
import { agingTable, bucketLabel, latePostingsTable, runsTable, tieOutLines, trialBalanceTable, type Table } from "./render.ts"
import type { AgingReport, LatePosting, TrialBalance, UnmappedRecord } from "./reports.ts"

export interface HtmlReportInput {
  readonly pipeline: string
  readonly company: string
  readonly generatedAt: string
  readonly aging: AgingReport
  readonly trialBalance: TrialBalance
  readonly runs: ReadonlyArray<RunSummary>
  readonly openErrors: ReadonlyArray<OpenError>
  readonly resolved: ReadonlyArray<{ stage: string; billcom_id: string; code: string; symptom: string; resolution: string; message: string; resolved_at: string }>
  readonly unmapped: ReadonlyArray<UnmappedRecord>
  /** Entries dated after their document's date because its period was closed. */
  readonly latePostings: ReadonlyArray<LatePosting>
  /** The journal's invariants; an empty journal reads "no entries to check", never "all hold". */
  readonly invariants: InvariantsCheck
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const PALETTE = ["#2e7d32", "#9e9d24", "#f9a825", "#ef6c00", "#c62828", "#8e24aa", "#4a148c"]
/** Green for current through red for the oldest bucket, whatever the buckets are. */
const colorOf = (keys: ReadonlyArray<string>, key: string): string => {
  const i = keys.indexOf(key)
  if (keys.length <= PALETTE.length) return PALETTE[i === keys.length - 1 ? 4 : Math.min(i, 3)] ?? PALETTE[4]!
  return PALETTE[Math.round((i / Math.max(1, keys.length - 1)) * 4)]!
}
const labelOf = (key: string): string => (key === "current" ? "Current" : key.endsWith("+") ? `Over ${key.slice(0, -1)} days` : `${bucketLabel(key)} days`)

const tableHtml = (t: Table, id: string) => `
<table id="${id}">
  <caption>${esc(t.title)}</caption>
  <thead><tr>${t.columns.map((c) => `<th class="${c.align}">${esc(c.header)}</th>`).join("")}</tr></thead>
  <tbody>${t.rows.length === 0 ? `<tr><td colspan="${t.columns.length}" class="empty">Nothing to show.</td></tr>` : t.rows.map((r) => `<tr>${r.map((c, i) => `<td class="${t.columns[i]?.align ?? "left"}">${esc(c)}</td>`).join("")}</tr>`).join("\n")}</tbody>
  ${t.footer ? `<tfoot><tr>${t.footer.map((c, i) => `<td class="${t.columns[i]?.align ?? "left"}">${esc(c)}</td>`).join("")}</tr></tfoot>` : ""}
</table>${(t.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join("")}`

/**
 * The aging chart as inline SVG: one stacked horizontal bar per vendor (largest open balance
 * first, at most 12), segments by bucket. Numbers are converted to float only for geometry.
 */
export const agingSvg = (aging: AgingReport): string => {
  const keys = aging.bucketKeys
  const rows = [...aging.rows].filter((r) => r.total > 0n).sort((a, b) => (b.total > a.total ? 1 : b.total < a.total ? -1 : 0)).slice(0, 12)
  const max = rows.reduce((m, r) => Math.max(m, keys.reduce((s, b) => s + Math.max(0, Number(r.buckets[b] ?? 0n)), 0)), 1)
  const label = 220
  const width = 860
  const bar = 22
  const top = 34
  const height = top + rows.length * (bar + 8) + 10
  const scale = (width - label - 110) / max
  const legend = keys.map((b, i) => `<rect x="${label + i * 120}" y="6" width="12" height="12" fill="${colorOf(keys, b)}"/><text x="${label + i * 120 + 16}" y="17">${labelOf(b)}</text>`).join("")
  const bars = rows
    .map((r, i) => {
      const y = top + i * (bar + 8)
      let x = label
      const segments = keys.filter((b) => (r.buckets[b] ?? 0n) > 0n)
        .map((b) => {
          const cents = r.buckets[b] ?? 0n
          const w = Number(cents) * scale
          const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${bar}" fill="${colorOf(keys, b)}"><title>${esc(`${r.vendorName}: ${labelOf(b)} ${formatMoney(cents)}`)}</title></rect>`
          x += w
          return rect
        })
        .join("")
      const name = r.vendorName.length > 30 ? `${r.vendorName.slice(0, 29)}…` : r.vendorName
      return `<text x="${label - 8}" y="${y + 15}" text-anchor="end">${esc(name)}</text>${segments}<text x="${(x + 6).toFixed(1)}" y="${y + 15}">${esc(formatMoney(r.total))}</text>`
    })
    .join("\n")
  return `<svg id="aging-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="AP aging by vendor" width="${width}" height="${Math.max(height, 60)}" viewBox="0 0 ${width} ${Math.max(height, 60)}" font-family="system-ui, sans-serif" font-size="12">${legend}${rows.length === 0 ? `<text x="${label}" y="48">No open bills.</text>` : bars}</svg>`
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:13px} .ok{color:#1a7f37;font-weight:600} .bad{color:#cf222e;font-weight:600} .none{color:#57606a;font-weight:600}
table{border-collapse:collapse;font-size:13px;margin:6px 0;width:100%} caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top} th{background:#f6f8fa} td.right,th.right{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-weight:600;background:#f6f8fa} .empty{color:#57606a;font-style:italic} .note{color:#57606a;font-size:12px;margin:2px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap} .card{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:18px}`

/** A self-contained static report (no scripts, fonts or images fetched): run history, errors, aging chart, unmapped records. */
export const renderHtml = (r: HtmlReportInput): string => {
  const openTable: Table = {
    title: `Open integration errors (${r.openErrors.length})`,
    columns: ["Stage", "Record", "Symptom", "Cause", "Resolution", "Detail", "Seen"].map((h) => ({ header: h, align: "left" as const })),
    rows: r.openErrors.map((e) => [e.stage, `${e.kind} ${e.billcomId}`, e.symptom, e.cause, e.resolution, e.message, `${e.occurrences}× since ${e.firstSeenAt.slice(0, 10)}`])
  }
  const resolvedTable: Table = {
    title: `Recently resolved errors (${r.resolved.length})`,
    columns: ["Stage", "Record", "Symptom", "How it was resolved", "Resolved"].map((h) => ({ header: h, align: "left" as const })),
    rows: r.resolved.map((e) => [e.stage, e.billcom_id, e.symptom, e.resolution, e.resolved_at.slice(0, 19)])
  }
  const unmappedTable: Table = {
    title: `Unmapped records (${r.unmapped.length})`,
    columns: ["Kind", "Bill.com id", "Code", "What is missing"].map((h) => ({ header: h, align: "left" as const })),
    rows: r.unmapped.map((u) => [u.kind, u.billcomId, u.code, u.message]),
    notes: ["billsync mappings suggest <pipeline> proposes the missing links as a pull request."]
  }
  const last = r.runs[0]
  const invariants = invariantsStatus(r.invariants)
  const healthy = invariants !== "violated"
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>billsync report — ${esc(r.pipeline)}</title><style>${STYLE}</style></head>
<body>
<h1>billsync report — ${esc(r.pipeline)}</h1>
<p class="meta">Company ${esc(r.company)} · generated ${esc(r.generatedAt)} · aging as of ${esc(r.aging.asOf)}</p>
<div class="cards">
  <div class="card">Open AP<b id="open-ap">${esc(formatMoney(r.aging.totals.total))} ${esc(r.aging.currency)}</b></div>
  <div class="card">${esc(labelOf(r.aging.bucketKeys.at(-1) ?? "90+"))}<b>${esc(formatMoney(r.aging.totals[r.aging.bucketKeys.at(-1) ?? "90+"] ?? 0n))}</b></div>
  <div class="card">Scheduled (not paid)<b>${esc(formatMoney(r.aging.totals.scheduled))}</b></div>
  <div class="card">AP control tie-out<b class="${r.aging.tieOut.difference === 0n ? "ok" : "bad"}" id="tie-out">difference ${esc(formatMoney(r.aging.tieOut.difference))}</b></div>
  <div class="card">Last run<b>${last ? esc(`#${last.id} ${last.status}`) : "none yet"}</b></div>
  <div class="card">Open errors<b>${r.openErrors.length}</b></div>
  <div class="card">Ledger invariants<b class="${invariants === "hold" ? "ok" : invariants === "violated" ? "bad" : "none"}" id="invariants">${esc(describeInvariants(r.invariants))}</b></div>
</div>
${healthy ? "" : `<ul class="bad">${r.invariants.violations.map((v) => `<li>${esc(`${v.check}: ${v.message}`)}</li>`).join("")}</ul>`}
<h2>AP aging</h2>
<ul id="tie-out-lines">${tieOutLines(r.aging).map((l) => `<li>${esc(l)}</li>`).join("")}</ul>
${agingSvg(r.aging)}
${tableHtml(agingTable(r.aging), "aging")}
<h2>Sync runs</h2>
${tableHtml(runsTable(r.runs), "runs")}
<h2>Integration errors</h2>
${tableHtml(openTable, "open-errors")}
${tableHtml(resolvedTable, "resolved-errors")}
<h2>Unmapped records</h2>
${tableHtml(unmappedTable, "unmapped")}
<h2>Trial balance</h2>
${tableHtml(trialBalanceTable(r.trialBalance), "trial-balance")}
<h2>Late postings</h2>
${tableHtml(latePostingsTable(r.latePostings, r.trialBalance.currency, r.trialBalance.asOf), "late-postings")}
</body></html>
`
}
