import type { RunSummary } from "../store/runs.ts"
import { formatMoney, fromCents } from "./money.ts"
import type { AgingReport, CurrencyBalance, Form1099Report, LatePosting, TrialBalance } from "./reports.ts"

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
    t.columns
      .map((c, i) => (c.align === "right" ? (r[i] ?? "").padStart(widths[i]!) : (r[i] ?? "").padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
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

/** A bucket key as a column header: current → Current, 31-60 → 31–60, 90+ → 90+. */
export const bucketLabel = (key: string): string =>
  key === "current" ? "Current" : key === "unapplied" ? "Unapplied" : key.replace("-", "–")

const money = (cents: bigint, currency: string) => `${formatMoney(cents)} ${currency}`

/**
 * The tie-out lines every aging shows: the aging total against the AP control account's balance
 * as of the same date, with the difference, overall and per transaction currency.
 */
export const tieOutLines = (r: AgingReport): Array<string> => {
  const t = r.tieOut
  const ok = (d: bigint) => (d === 0n ? "" : "  ← DOES NOT TIE")
  return [
    `Tie-out: aging total ${money(t.aging, r.currency)} = AP control ${t.account} ${t.accountName} ${money(t.control, r.currency)}, difference ${formatMoney(t.difference)}${ok(t.difference)}`,
    ...t.currencies.map((c) =>
      c.currency === r.currency
        ? `Tie-out ${c.currency}: aging ${money(c.aging.functional, r.currency)} = AP control ${money(c.control.functional, r.currency)}, difference ${formatMoney(c.difference)}${ok(c.difference)}`
        : `Tie-out ${c.currency}: aging ${money(c.aging.open, c.currency)} (${money(c.aging.functional, r.currency)}) = AP control ${money(c.control.open, c.currency)} (${money(c.control.functional, r.currency)}), difference ${formatMoney(c.differenceInCurrency)} ${c.currency} / ${formatMoney(c.difference)} ${r.currency}${ok(c.difference + c.differenceInCurrency)}`
    )
  ]
}

/** Foreign-currency vendors' open balances in their own currency. */
const foreignLines = (r: AgingReport): Array<string> =>
  r.rows.flatMap((row) =>
    row.currencies
      .filter((c) => c.currency !== r.currency && (c.open !== 0n || c.functional !== 0n))
      .map(
        (c) =>
          `${row.vendorName} (${row.vendorKey}) open in ${c.currency}: ${money(c.open, c.currency)} = ${money(c.functional, r.currency)}`
      )
  )

export const agingTable = (r: AgingReport): Table => {
  const keys = [...r.bucketKeys, "unapplied"]
  return {
    title: `AP aging as of ${r.asOf} (${r.currency}, days past due)`,
    columns: [
      { header: "Vendor", align: "left" },
      ...keys.map((b) => ({ header: bucketLabel(b), align: "right" as const })),
      { header: "Total", align: "right" },
      { header: "Scheduled", align: "right" }
    ],
    rows: r.rows.map((row) => [
      `${row.vendorName} (${row.vendorKey})`,
      ...keys.map((b) => formatMoney(row.buckets[b] ?? 0n)),
      formatMoney(row.total),
      formatMoney(row.scheduled)
    ]),
    footer: [
      "Total",
      ...keys.map((b) => formatMoney(r.totals[b] ?? 0n)),
      formatMoney(r.totals.total),
      formatMoney(r.totals.scheduled)
    ],
    notes: [
      ...tieOutLines(r),
      ...foreignLines(r),
      "Unapplied: vendor credits and payment amounts not applied to a bill held in the ledger (negative = AP owes less).",
      "Scheduled: payments Bill.com holds as SCHEDULED or APPROVING; no money has left yet, so they are not posted and the bills stay open."
    ]
  }
}

export const trialBalanceTable = (tb: TrialBalance): Table => ({
  title: `Trial balance as of ${tb.asOf} (${tb.currency})`,
  columns: [
    { header: "Account", align: "left" },
    { header: "Name", align: "left" },
    { header: "Type", align: "left" },
    { header: "Debit", align: "right" },
    { header: "Credit", align: "right" }
  ],
  rows: tb.rows.map((r) => [
    r.number,
    r.name,
    r.type,
    r.balance > 0n ? formatMoney(r.balance) : "",
    r.balance < 0n ? formatMoney(-r.balance) : ""
  ]),
  footer: ["Total", "", "", formatMoney(tb.debits), formatMoney(tb.credits)],
  notes: [
    `Debits ${formatMoney(tb.debits)} = credits ${formatMoney(tb.credits)}, difference ${formatMoney(tb.debits - tb.credits)}`,
    ...(tb.debits === tb.credits ? [] : [`OUT OF BALANCE by ${formatMoney(tb.debits - tb.credits)}`])
  ]
})

export const latePostingsTable = (rows: ReadonlyArray<LatePosting>, currency: string, asOf: string): Table => ({
  title: `Late postings through ${asOf} (${rows.length}): entries dated after their document's date because its period was closed`,
  columns: [
    { header: "Entry", align: "right" },
    { header: "Kind", align: "left" },
    { header: "Source", align: "left" },
    { header: "Vendor", align: "left" },
    { header: "Document date", align: "left" },
    { header: "Posted on", align: "left" },
    { header: `Amount (${currency})`, align: "right" },
    { header: "Memo", align: "left" }
  ],
  rows: rows.map((r) => [
    String(r.entryId),
    r.kind,
    `${r.sourceKind} ${r.sourceId}`,
    r.vendorKey ?? "",
    r.documentDate,
    r.postedOn,
    formatMoney(r.amount),
    r.memo ?? ""
  ])
})

export const latePostingsJson = (rows: ReadonlyArray<LatePosting>) =>
  rows.map((r) => ({ ...r, amount: fromCents(r.amount) }))

export const form1099Table = (r: Form1099Report): Table => ({
  title: `1099 payments in ${r.year} (${r.currency}): vendors Bill.com tracks for 1099, card-funded payments excluded`,
  columns: [
    { header: "Vendor", align: "left" },
    { header: "Tax id", align: "left" },
    { header: "Payments", align: "right" },
    { header: "Amount", align: "right" },
    { header: "Card payments (1099-K)", align: "right" },
    { header: "Card amount", align: "right" }
  ],
  rows: r.rows.map((row) => [
    `${row.vendorName} (${row.vendorKey})`,
    row.taxIdOnFile ? `on file${row.taxIdType ? ` (${row.taxIdType})` : ""}` : "MISSING",
    String(row.payments),
    formatMoney(row.amount),
    String(row.cardPayments),
    formatMoney(row.cardAmount)
  ]),
  footer: [
    "Total",
    "",
    String(r.rows.reduce((n, x) => n + x.payments, 0)),
    formatMoney(r.total),
    String(r.rows.reduce((n, x) => n + x.cardPayments, 0)),
    formatMoney(r.rows.reduce((n, x) => n + x.cardAmount, 0n))
  ],
  notes: [
    "Payments count when money moved (PAID, ESCHEATED) with a process date in the year; card-funded payments (CARD_ACCOUNT, AP_CARD) are reported by the card processor on Form 1099-K.",
    ...(r.missingTaxId > 0
      ? [
          `${r.missingTaxId} vendor(s) tracked for 1099 have no tax id on file in Bill.com: request a W-9 before filing.`
        ]
      : [])
  ]
})

export const form1099Json = (r: Form1099Report) => ({
  year: r.year,
  currency: r.currency,
  vendors: r.rows.map((row) => ({ ...row, amount: fromCents(row.amount), cardAmount: fromCents(row.cardAmount) })),
  total: fromCents(r.total),
  missingTaxId: r.missingTaxId
})

/** Run times are stored to the second, so a run under a second reads "< 1 s", never "0 ms". */
const duration = (ms: number | null): string =>
  ms === null
    ? "running"
    : ms < 1000
      ? "< 1 s"
      : ms < 60_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`

/** Wall time from start to finish (to the second), or the stages' measured time when that is longer. */
export const runDurationMs = (r: RunSummary): number | null => {
  if (r.finishedAt === null) return null
  const stages = r.stages.reduce((s, x) => s + (x.durationMs ?? 0), 0)
  return Math.max(Date.parse(r.finishedAt) - Date.parse(r.startedAt), stages)
}

const total = (r: RunSummary, k: "pulled" | "inserted" | "updated" | "skipped" | "errors") =>
  r.stages.reduce((s, x) => s + x[k], 0)

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
    { header: "Errors in run", align: "right" },
    { header: "Open errors after", align: "right" },
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
    r.openErrorsAfter === null ? "—" : String(r.openErrorsAfter),
    r.stages
      .map(
        (s) => `${s.stage} ${s.pulled}/${s.inserted}/${s.updated}/${s.errors}${s.status === "failed" ? " FAILED" : ""}`
      )
      .join(", ") + (r.error ? ` — ${r.error}` : "")
  ]),
  notes: [
    "Errors in run: records that run evaluated and could not import. Open errors after: the integration error log when it finished (all stages)."
  ]
})

const balanceJson = (b: CurrencyBalance) => ({
  currency: b.currency,
  open: fromCents(b.open),
  functional: fromCents(b.functional)
})

/** JSON forms: money as exact decimal strings. */
export const agingJson = (r: AgingReport) => ({
  asOf: r.asOf,
  currency: r.currency,
  buckets: [...r.bucketKeys],
  vendors: r.rows.map((row) => ({
    vendor: row.vendorKey,
    name: row.vendorName,
    buckets: Object.fromEntries(Object.entries(row.buckets).map(([k, v]) => [k, fromCents(v)])),
    total: fromCents(row.total),
    scheduled: fromCents(row.scheduled),
    currencies: row.currencies.map(balanceJson),
    items: row.items.map((i) => ({ ...i, open: fromCents(i.open), openInCurrency: fromCents(i.openInCurrency) }))
  })),
  totals: Object.fromEntries(Object.entries(r.totals).map(([k, v]) => [k, fromCents(v)])),
  currencies: r.currencies.map(balanceJson),
  tieOut: {
    account: r.tieOut.account,
    accountName: r.tieOut.accountName,
    aging: fromCents(r.tieOut.aging),
    control: fromCents(r.tieOut.control),
    difference: fromCents(r.tieOut.difference),
    ties:
      r.tieOut.difference === 0n &&
      r.tieOut.currencies.every((c) => c.difference === 0n && c.differenceInCurrency === 0n),
    currencies: r.tieOut.currencies.map((c) => ({
      currency: c.currency,
      aging: balanceJson(c.aging),
      control: balanceJson(c.control),
      difference: fromCents(c.difference),
      differenceInCurrency: fromCents(c.differenceInCurrency)
    }))
  }
})

export const trialBalanceJson = (tb: TrialBalance) => ({
  asOf: tb.asOf,
  currency: tb.currency,
  accounts: tb.rows.map((r) => ({ number: r.number, name: r.name, type: r.type, balance: fromCents(r.balance) })),
  debits: fromCents(tb.debits),
  credits: fromCents(tb.credits),
  difference: fromCents(tb.debits - tb.credits),
  balanced: tb.debits === tb.credits
})

export const runsJson = (runs: ReadonlyArray<RunSummary>) => runs.map((r) => ({ ...r, durationMs: runDurationMs(r) }))
