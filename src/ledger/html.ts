import type { OpenError } from "../store/integration-errors.ts"
import type { RunSummary } from "../store/runs.ts"
import { describeInvariants, invariantsStatus, type InvariantsCheck } from "./invariants.ts"
import { formatMoney } from "./money.ts"
import {
  agingTable,
  bucketLabel,
  latePostingsTable,
  runsTable,
  tieOutLines,
  trialBalanceTable,
  type Table
} from "./render.ts"
import {
  errorContextKey,
  type AgingReport,
  type AgingRow,
  type ErrorContext,
  type LatePosting,
  type OpenItem,
  type TrialBalance,
  type UnmappedRecord
} from "./reports.ts"

export interface HtmlReportInput {
  readonly pipeline: string
  readonly company: string
  readonly generatedAt: string
  readonly aging: AgingReport
  readonly trialBalance: TrialBalance
  readonly runs: ReadonlyArray<RunSummary>
  readonly openErrors: ReadonlyArray<OpenError>
  readonly resolved: ReadonlyArray<{
    stage: string
    kind: string
    billcom_id: string
    code: string
    symptom: string
    resolution: string
    message: string
    resolved_at: string
  }>
  readonly unmapped: ReadonlyArray<UnmappedRecord>
  /** Entries dated after their document's date because its period was closed. */
  readonly latePostings: ReadonlyArray<LatePosting>
  /** The journal's invariants; an empty journal reads "no entries to check", never "all hold". */
  readonly invariants: InvariantsCheck
  /** Vendor and document of each open error's record (errorContextKey → context). */
  readonly errorContext: ReadonlyMap<string, ErrorContext>
  /** Link the CSV downloads (aging.csv, errors.csv) written beside the page. */
  readonly csv?: boolean
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const PALETTE = ["#2e7d32", "#9e9d24", "#f9a825", "#ef6c00", "#c62828", "#8e24aa", "#4a148c"]
const UNAPPLIED_COLOR = "#8c959f"
/** Green for current through red for the oldest bucket, whatever the buckets are (`--buckets`). */
const colorOf = (keys: ReadonlyArray<string>, key: string): string => {
  if (key === "unapplied") return UNAPPLIED_COLOR
  const i = keys.indexOf(key)
  if (keys.length <= PALETTE.length) return PALETTE[i === keys.length - 1 ? 4 : Math.min(i, 3)] ?? PALETTE[4]!
  return PALETTE[Math.round((i / Math.max(1, keys.length - 1)) * 4)]!
}
/** "Current", "1–30 days", "Over 90 days", "Unapplied" for a bucket key. */
const labelOf = (key: string): string =>
  key === "current" || key === "unapplied"
    ? bucketLabel(key)
    : key.endsWith("+")
      ? `Over ${key.slice(0, -1)} days`
      : `${bucketLabel(key)} days`

const tableHtml = (t: Table, id: string) => `
<table id="${id}">
  <caption>${esc(t.title)}</caption>
  <thead><tr>${t.columns.map((c) => `<th class="${c.align}">${esc(c.header)}</th>`).join("")}</tr></thead>
  <tbody>${t.rows.length === 0 ? `<tr><td colspan="${t.columns.length}" class="empty">Nothing to show.</td></tr>` : t.rows.map((r) => `<tr>${r.map((c, i) => `<td class="${t.columns[i]?.align ?? "left"}">${esc(c)}</td>`).join("")}</tr>`).join("\n")}</tbody>
  ${t.footer ? `<tfoot><tr>${t.footer.map((c, i) => `<td class="${t.columns[i]?.align ?? "left"}">${esc(c)}</td>`).join("")}</tr></tfoot>` : ""}
</table>${(t.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join("")}`

/** A table without one column: the page names documents by vendor and number (the memo), never by Bill.com's internal ids. */
const withoutColumn = (t: Table, header: string): Table => {
  const i = t.columns.findIndex((c) => c.header === header)
  return i < 0
    ? t
    : { ...t, columns: t.columns.filter((_, j) => j !== i), rows: t.rows.map((row) => row.filter((_, j) => j !== i)) }
}

/** What AP owes a vendor before its unapplied credits and payments: the sum of its aged buckets. */
const gross = (keys: ReadonlyArray<string>, r: AgingRow): bigint =>
  keys.reduce((s, b) => s + ((r.buckets[b] ?? 0n) > 0n ? r.buckets[b]! : 0n), 0n)

/**
 * The aging chart as inline SVG: one bar per vendor, every vendor of the aging (a zero or negative
 * net too), largest aged balance first. Aged buckets extend right of a zero axis; unapplied credits
 * and payments (negative) extend left of it, so a vendor whose net is small or negative still shows
 * what is overdue. Numbers are converted to float only for geometry.
 */
export const agingSvg = (aging: AgingReport): string => {
  const aged = aging.bucketKeys
  const g = (r: AgingRow) => gross(aged, r)
  const unappliedOf = (r: AgingRow) => r.buckets["unapplied"] ?? 0n
  const rows = [...aging.rows].sort((a, b) =>
    g(b) > g(a) ? 1 : g(b) < g(a) ? -1 : a.vendorName.localeCompare(b.vendorName)
  )
  const maxRight = rows.reduce((m, r) => Math.max(m, Number(g(r))), 1)
  const maxLeft = rows.reduce((m, r) => Math.max(m, unappliedOf(r) < 0n ? -Number(unappliedOf(r)) : 0), 0)
  const label = 220
  const width = 900
  const bar = 20
  const top = 34
  const height = top + rows.length * (bar + 6) + 10
  const scale = (width - label - 150) / (maxRight + maxLeft)
  const axis = label + maxLeft * scale
  const keys = [...aged, "unapplied"]
  const legend = keys
    .map(
      (b, i) =>
        `<rect x="${label + i * 110}" y="6" width="12" height="12" fill="${colorOf(aged, b)}"/><text x="${label + i * 110 + 16}" y="17">${esc(labelOf(b))}</text>`
    )
    .join("")
  const bars = rows
    .map((r, i) => {
      const y = top + i * (bar + 6)
      let x = axis
      const segments = aged
        .filter((b) => (r.buckets[b] ?? 0n) > 0n)
        .map((b) => {
          const cents = r.buckets[b] ?? 0n
          const w = Number(cents) * scale
          const rect = `<rect class="segment" x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${bar}" fill="${colorOf(aged, b)}"><title>${esc(`${r.vendorName}: ${labelOf(b)} ${formatMoney(cents)}`)}</title></rect>`
          x += w
          return rect
        })
        .join("")
      const unapplied =
        unappliedOf(r) < 0n
          ? (() => {
              const w = -Number(unappliedOf(r)) * scale
              return `<rect class="segment" x="${(axis - w).toFixed(1)}" y="${y}" width="${Math.max(w, 1).toFixed(1)}" height="${bar}" fill="${UNAPPLIED_COLOR}"><title>${esc(`${r.vendorName}: unapplied credits and payments ${formatMoney(unappliedOf(r))}`)}</title></rect>`
            })()
          : ""
      const name = r.vendorName.length > 30 ? `${r.vendorName.slice(0, 29)}…` : r.vendorName
      return `<text x="${label - 8}" y="${y + 14}" text-anchor="end">${esc(name)}</text>${unapplied}${segments}<text x="${(Math.max(x, axis) + 6).toFixed(1)}" y="${y + 14}">net ${esc(formatMoney(r.total))}</text>`
    })
    .join("\n")
  const h = Math.max(height, 60)
  return `<svg id="aging-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="AP aging by vendor" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" font-family="system-ui, sans-serif" font-size="12">${legend}${rows.length === 0 ? `<text x="${label}" y="48">No open bills.</text>` : `<line x1="${axis.toFixed(1)}" x2="${axis.toFixed(1)}" y1="${top - 4}" y2="${h - 6}" stroke="#57606a"/>${bars}`}</svg>`
}

const itemLabel = (i: OpenItem): string =>
  i.kind === "bill"
    ? `Invoice ${i.reference ?? "(no number)"}`
    : i.kind === "vendor-credit"
      ? `Credit ${i.reference ?? "(no reference)"}`
      : "Payment not applied to a bill in the ledger"

/** One vendor's open items: the drill-down under its aging row, and the print appendix. */
const itemsTable = (r: AgingRow): string => `<table class="items">
  <thead><tr><th class="left">Document</th><th class="left">Due</th><th class="right">Days past due</th><th class="left">Bucket</th><th class="right">Open</th></tr></thead>
  <tbody>${r.items
    .map(
      (i) =>
        `<tr title="${esc(`Bill.com ${i.kind} ${i.billcomId}`)}"><td class="left">${esc(itemLabel(i))}</td><td class="left">${esc(i.dueDate ?? "")}</td><td class="right">${i.daysPastDue === null ? "" : i.daysPastDue}</td><td class="left">${esc(labelOf(i.bucket))}</td><td class="right">${esc(formatMoney(i.open))}</td></tr>`
    )
    .join("")}</tbody>
</table>`

const vendorId = (key: string) => `vendor-${key.replace(/[^A-Za-z0-9_-]/g, "_")}`

/**
 * The aging table (the text report's columns: the buckets, unapplied, total, scheduled); each vendor
 * opens (a click on its name) onto its open bills, credits and payments.
 */
const agingTableHtml = (aging: AgingReport): string => {
  const t = agingTable(aging)
  const cells = (row: AgingRow) =>
    [...aging.bucketKeys, "unapplied"]
      .map((b) => formatMoney(row.buckets[b] ?? 0n))
      .concat(formatMoney(row.total), formatMoney(row.scheduled))
  return `
<table id="aging">
  <caption>${esc(t.title)}</caption>
  <thead><tr>${t.columns.map((c) => `<th class="${c.align}">${esc(c.header)}</th>`).join("")}</tr></thead>
  <tbody>${
    aging.rows.length === 0
      ? `<tr><td colspan="${t.columns.length}" class="empty">Nothing to show.</td></tr>`
      : aging.rows
          .map(
            (row) =>
              `<tr><td class="left vendor"><details class="drill" id="${vendorId(row.vendorKey)}"><summary>${esc(`${row.vendorName} (${row.vendorKey})`)} <span class="count">${row.items.length} open item(s)</span></summary>${itemsTable(row)}</details></td>${cells(
                row
              )
                .map((c) => `<td class="right">${esc(c)}</td>`)
                .join("")}</tr>`
          )
          .join("\n")
  }</tbody>
  ${t.footer ? `<tfoot><tr>${t.footer.map((c, i) => `<td class="${t.columns[i]?.align ?? "left"}">${esc(c)}</td>`).join("")}</tr></tfoot>` : ""}
</table>${(t.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join("")}`
}

/** The oldest bucket ("90+" by default, whatever `--buckets` makes it). */
const oldestOf = (aging: AgingReport): string => aging.bucketKeys.at(-1) ?? "current"

/**
 * Why the oldest bucket ("Over 90") can be larger than open AP: open AP is net of credits and
 * payments that are not applied to a bill the ledger holds, while the buckets age only what bills
 * still owe.
 */
const agingExplanation = (aging: AgingReport): string => {
  const t = aging.totals
  const unapplied = t["unapplied"] ?? 0n
  const aged = aging.bucketKeys.reduce((s, b) => s + (t[b] ?? 0n), 0n)
  const oldest = oldestOf(aging)
  const oldestTotal = t[oldest] ?? 0n
  const lines = [
    `Open AP ${formatMoney(t.total)} = bills still owed ${formatMoney(aged)} ${unapplied < 0n ? "−" : "+"} unapplied credits and payments ${formatMoney(unapplied < 0n ? -unapplied : unapplied)}.`
  ]
  if (oldestTotal > t.total) {
    lines.push(
      `${labelOf(oldest)} (${formatMoney(oldestTotal)}) is more than open AP (${formatMoney(t.total)}) because ${formatMoney(-unapplied)} of vendor credits and payments are not applied to any bill in the ledger: they lower open AP but not the age of the bills they have not been matched to. Apply them in Bill.com to settle the oldest bills.`
    )
  }
  return `<div class="aging-summary">${lines.map((l, i) => `<p class="explain"${i === 1 ? ' id="oldest-note"' : ""}>${esc(l)}</p>`).join("")}</div>`
}

/** How a person names a record: its vendor and document (Bill.com's internal id only when nothing else is known). */
const recordOf = (r: HtmlReportInput, kind: string, billcomId: string): [string, string] => {
  const c = r.errorContext.get(errorContextKey(kind, billcomId))
  return [
    c?.vendor ?? "—",
    c?.document ?? (c === undefined ? `${kind} ${billcomId} (not in the pulled records)` : kind)
  ]
}

interface ErrorGroup {
  readonly code: string
  readonly errors: ReadonlyArray<OpenError>
}

/** Open errors grouped by cause (their code), largest group first; each group says once how to resolve it. */
const errorGroups = (errors: ReadonlyArray<OpenError>): ReadonlyArray<ErrorGroup> => {
  const byCode = new Map<string, Array<OpenError>>()
  for (const e of errors) byCode.set(e.code, [...(byCode.get(e.code) ?? []), e])
  return [...byCode]
    .map(([code, list]) => ({ code, errors: list }))
    .sort((a, b) => b.errors.length - a.errors.length || a.code.localeCompare(b.code))
}

const errorsHtml = (r: HtmlReportInput): string => {
  if (r.openErrors.length === 0) return `<p class="empty" id="open-errors">No open integration errors.</p>`
  const groups = errorGroups(r.openErrors)
  return `<div id="open-errors">${groups
    .map((g) => {
      const first = g.errors[0]!
      const resolutions = [...new Set(g.errors.map((e) => e.resolution))]
      const rows = g.errors
        .map((e) => {
          const [vendor, what] = recordOf(r, e.kind, e.billcomId)
          return `<tr title="${esc(`Bill.com ${e.kind} ${e.billcomId}`)}"><td class="left">${esc(vendor)}</td><td class="left">${esc(what)}</td><td class="left">${esc(e.message)}</td><td class="left">${esc(`${e.occurrences}× since ${e.firstSeenAt.slice(0, 10)}`)}</td></tr>`
        })
        .join("")
      return `<section class="error-group" id="errors-${esc(g.code)}">
<h3>${esc(first.symptom)} <span class="count">${g.errors.length} record(s)</span></h3>
<p><b>Cause:</b> ${esc(first.cause)}</p>
${resolutions.length === 1 ? `<p class="resolution"><b>Resolution:</b> ${esc(resolutions[0]!)}</p>` : `<div class="resolution"><b>Resolution:</b><ul>${resolutions.map((x) => `<li>${esc(x)}</li>`).join("")}</ul></div>`}
<table><thead><tr><th class="left">Vendor</th><th class="left">Document</th><th class="left">Detail</th><th class="left">Seen</th></tr></thead><tbody>${rows}</tbody></table>
</section>`
    })
    .join("\n")}</div>`
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px} h3{font-size:15px;margin:16px 0 4px}
.meta{color:#57606a;font-size:13px} .ok{color:#1a7f37;font-weight:600} .bad{color:#cf222e;font-weight:600} .none{color:#57606a;font-weight:600}
table{border-collapse:collapse;font-size:13px;margin:6px 0;width:100%} caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top} th{background:#f6f8fa} td.right,th.right{text-align:right;font-variant-numeric:tabular-nums}
th.left{text-align:left} tfoot td{font-weight:600;background:#f6f8fa} .empty{color:#57606a;font-style:italic} .note{color:#57606a;font-size:12px;margin:2px 0}
.cards{display:flex;gap:12px;flex-wrap:wrap} .card{border:1px solid #d0d7de;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:18px} .count{color:#57606a;font-weight:normal;font-size:12px}
.explain{font-size:13px;margin:4px 0} #oldest-note{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:6px 10px} #tie-out-lines{font-size:13px;margin:4px 0 8px}
td.vendor{min-width:280px} details.drill summary{cursor:pointer;color:#0969da} details.drill[open] summary{font-weight:600}
table.items{font-size:12px;margin:6px 0 2px} .error-group{border:1px solid #d0d7de;border-radius:6px;padding:4px 12px 8px;margin:10px 0}
.resolution{background:#ddf4ff;border-radius:6px;padding:6px 10px;margin:6px 0} .downloads a{margin-right:12px}
.print-only{display:none}
@media print{
  body{margin:0;max-width:none;font-size:11px} a{color:inherit;text-decoration:none}
  .downloads,details.drill table.items{display:none} details.drill summary{color:inherit;list-style:none}
  .print-only{display:block} h2{break-after:avoid} tr,.card,.error-group,svg{break-inside:avoid}
  .cards{gap:6px} .card{padding:4px 8px;min-width:0} #oldest-note{background:none}
}`

/**
 * A self-contained static report (no scripts, fonts or images fetched): the aging (the report's
 * buckets, scheduled payments, the tie-out to AP control) with a drill-down per vendor, errors
 * grouped by cause, run history, unmapped records, trial balance, late postings, the ledger
 * invariants; a print stylesheet, and links to the CSV files `billsync report --html` writes
 * beside it.
 */
export const renderHtml = (r: HtmlReportInput): string => {
  const record = (kind: string, billcomId: string) => recordOf(r, kind, billcomId)
  const resolvedTable: Table = {
    title: `Recently resolved errors (${r.resolved.length})`,
    columns: ["Vendor", "Record", "Symptom", "How it was resolved", "Resolved"].map((h) => ({
      header: h,
      align: "left" as const
    })),
    rows: r.resolved.map((e) => [...record(e.kind, e.billcom_id), e.symptom, e.resolution, e.resolved_at.slice(0, 19)])
  }
  const unmappedTable: Table = {
    title: `Unmapped records (${r.unmapped.length})`,
    columns: ["Vendor", "Record", "What is missing"].map((h) => ({ header: h, align: "left" as const })),
    rows: r.unmapped.map((u) => [...record(u.kind, u.billcomId), u.message]),
    notes: [`billsync mappings suggest ${r.pipeline} proposes the missing links as a pull request.`]
  }
  const last = r.runs[0]
  const invariants = invariantsStatus(r.invariants)
  const healthy = invariants !== "violated"
  const oldest = oldestOf(r.aging)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>billsync report — ${esc(r.pipeline)}</title><style>${STYLE}</style></head>
<body>
<h1>billsync report — ${esc(r.pipeline)}</h1>
<p class="meta">Company ${esc(r.company)} · generated ${esc(r.generatedAt)} · aging as of ${esc(r.aging.asOf)}</p>
${r.csv === true ? `<p class="downloads">Download: <a href="aging.csv" download>aging.csv</a><a href="errors.csv" download>errors.csv</a></p>` : ""}
<div class="cards">
  <div class="card">Open AP<b id="open-ap">${esc(formatMoney(r.aging.totals.total))} ${esc(r.aging.currency)}</b></div>
  <div class="card">${esc(labelOf(oldest))}<b id="oldest-bucket">${esc(formatMoney(r.aging.totals[oldest] ?? 0n))}</b></div>
  <div class="card">Unapplied credits and payments<b id="unapplied">${esc(formatMoney(r.aging.totals["unapplied"] ?? 0n))}</b></div>
  <div class="card">Scheduled (not paid)<b id="scheduled">${esc(formatMoney(r.aging.totals.scheduled))}</b></div>
  <div class="card">AP control tie-out<b class="${r.aging.tieOut.difference === 0n ? "ok" : "bad"}" id="tie-out">difference ${esc(formatMoney(r.aging.tieOut.difference))}</b></div>
  <div class="card">Last run<b>${last ? esc(`#${last.id} ${last.status}`) : "none yet"}</b></div>
  <div class="card">Open errors<b>${r.openErrors.length}</b></div>
  <div class="card">Ledger invariants<b class="${invariants === "hold" ? "ok" : invariants === "violated" ? "bad" : "none"}" id="invariants">${esc(describeInvariants(r.invariants))}</b></div>
</div>
${healthy ? "" : `<ul class="bad">${r.invariants.violations.map((v) => `<li>${esc(`${v.check}: ${v.message}`)}</li>`).join("")}</ul>`}
<h2>AP aging</h2>
<ul id="tie-out-lines">${tieOutLines(r.aging)
    .map((l) => `<li>${esc(l)}</li>`)
    .join("")}</ul>
${agingExplanation(r.aging)}
${agingSvg(r.aging)}
${agingTableHtml(r.aging)}
<p class="note">Click a vendor to see its open bills, credits and payments.</p>
<h2>Integration errors by cause (${r.openErrors.length})</h2>
${errorsHtml(r)}
${tableHtml(resolvedTable, "resolved-errors")}
<h2>Sync runs</h2>
${tableHtml(runsTable(r.runs), "runs")}
<h2>Unmapped records</h2>
${tableHtml(unmappedTable, "unmapped")}
<h2>Trial balance</h2>
${tableHtml(trialBalanceTable(r.trialBalance), "trial-balance")}
<h2>Late postings</h2>
${tableHtml(withoutColumn(latePostingsTable(r.latePostings, r.trialBalance.currency, r.trialBalance.asOf), "Source"), "late-postings")}
<section class="print-only" id="open-items-print">
<h2>Open items by vendor</h2>
${r.aging.rows.map((row) => `<h3>${esc(`${row.vendorName} (${row.vendorKey})`)} — net ${esc(formatMoney(row.total))}</h3>${itemsTable(row)}`).join("\n")}
</section>
</body></html>
`
}
