/** Plain-text tables for the bench and drill reports (right-aligned numbers, a rule under the header). */
export type Cell = string | number | undefined

const show = (c: Cell): string =>
  c === undefined ? "—" : typeof c === "number" ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c

export const renderTable = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Cell>>): string => {
  const cells = rows.map((r) => r.map(show))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)))
  const numeric = headers.map((_, i) => rows.every((r) => r[i] === undefined || typeof r[i] === "number"))
  const line = (r: ReadonlyArray<string>) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n")
}
