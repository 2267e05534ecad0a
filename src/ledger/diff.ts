/**
 * A unified diff of two texts (line-based LCS, 3 lines of context), as `git diff` prints it, for
 * `mappings suggest --dry-run`. Mapping files are small, so the quadratic table is fine.
 */
export const unifiedDiff = (path: string, before: string | undefined, after: string, context = 3): string => {
  const a = before === undefined || before === "" ? [] : before.replace(/\n$/, "").split("\n")
  const b = after.replace(/\n$/, "").split("\n")
  const n = a.length
  const m = b.length
  const lcs: Array<Uint32Array> = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const ops: Array<{ op: " " | "-" | "+"; line: string; ai: number; bi: number }> = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: " ", line: a[i]!, ai: i++, bi: j++ })
    else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ op: "+", line: b[j]!, ai: i, bi: j++ })
    else ops.push({ op: "-", line: a[i]!, ai: i++, bi: j })
  }
  const changed = ops.map((o, k) => (o.op === " " ? -1 : k)).filter((k) => k >= 0)
  if (changed.length === 0) return ""
  const hunks: Array<[number, number]> = []
  for (const k of changed) {
    const start = Math.max(0, k - context)
    const end = Math.min(ops.length - 1, k + context)
    const last = hunks[hunks.length - 1]
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end)
    else hunks.push([start, end])
  }
  const lines = [`--- ${before === undefined ? "/dev/null" : `a/${path}`}`, `+++ b/${path}`]
  for (const [s, e] of hunks) {
    const slice = ops.slice(s, e + 1)
    const aCount = slice.filter((o) => o.op !== "+").length
    const bCount = slice.filter((o) => o.op !== "-").length
    const aStart = aCount === 0 ? slice[0]!.ai : slice[0]!.ai + 1
    const bStart = bCount === 0 ? slice[0]!.bi : slice[0]!.bi + 1
    lines.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`, ...slice.map((o) => `${o.op}${o.line}`))
  }
  return lines.join("\n") + "\n"
}
