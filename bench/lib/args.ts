/** `--name value`, `--name=value` and bare `--flag` arguments (no dependency for two scripts). */
export const parseArgs = (argv: ReadonlyArray<string>): Map<string, string> => {
  const out = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (!a.startsWith("--")) continue
    const eq = a.indexOf("=")
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1))
    else if (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) out.set(a.slice(2), argv[++i]!)
    else out.set(a.slice(2), "true")
  }
  return out
}

/** "10k" → 10000, "1.5m" → 1500000. */
export const parseSize = (text: string): number => {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim())
  if (m === null) throw new Error(`bad size '${text}' (e.g. 10k, 50k, 200k)`)
  const mult = m[2]?.toLowerCase() === "k" ? 1_000 : m[2]?.toLowerCase() === "m" ? 1_000_000 : 1
  return Math.round(Number(m[1]) * mult)
}
