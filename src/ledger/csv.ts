import type { OpenError } from "../store/integration-errors.ts"
import { fromCents } from "./money.ts"
import { errorContextKey, type AgingReport, type ErrorContext } from "./reports.ts"

/**
 * CSV downloads of the HTML report (RFC 4180: comma-separated, CRLF, a field quoted when it holds a
 * quote, comma or line break). By hand: that rule is three lines, and the two files are flat.
 * Money is a plain decimal (no thousands separators), so a spreadsheet reads it as a number.
 */
const field = (value: string | number | undefined | null): string => {
  const text = value === undefined || value === null ? "" : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}
const csv = (rows: ReadonlyArray<ReadonlyArray<string | number | undefined | null>>) =>
  rows.map((r) => r.map(field).join(",")).join("\r\n") + "\r\n"

/** One row per vendor: the report's buckets (`--buckets`), unapplied, total and scheduled, in the functional currency. */
export const agingCsv = (aging: AgingReport): string => {
  const keys = [...aging.bucketKeys, "unapplied"]
  return csv([
    ["vendor_key", "vendor", ...keys, "total", "scheduled", "currency", "as_of"],
    ...aging.rows.map((r) => [
      r.vendorKey,
      r.vendorName,
      ...keys.map((b) => fromCents(r.buckets[b] ?? 0n)),
      fromCents(r.total),
      fromCents(r.scheduled),
      aging.currency,
      aging.asOf
    ])
  ])
}

export const errorsCsv = (errors: ReadonlyArray<OpenError>, context: ReadonlyMap<string, ErrorContext>): string =>
  csv([
    [
      "cause_code",
      "symptom",
      "cause",
      "vendor",
      "document",
      "detail",
      "resolution",
      "stage",
      "kind",
      "billcom_id",
      "first_seen",
      "last_seen",
      "occurrences"
    ],
    ...errors.map((e) => {
      const c = context.get(errorContextKey(e.kind, e.billcomId))
      return [
        e.code,
        e.symptom,
        e.cause,
        c?.vendor,
        c?.document,
        e.message,
        e.resolution,
        e.stage,
        e.kind,
        e.billcomId,
        e.firstSeenAt,
        e.lastSeenAt,
        e.occurrences
      ]
    })
  ])
