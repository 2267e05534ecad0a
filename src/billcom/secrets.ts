/**
 * The one scrubber of secret values. Credentials are Redacted inside the program, but text from
 * outside — Bill.com's error bodies, a database's messages — may quote them back. Every value the
 * process learns to be secret (the devKey, username and password the pipeline names, each session
 * id, the database password) is registered here, and every boundary where text leaves the process
 * passes through `scrub`: errors from Bill.com, log lines, stdout/stderr, the rows of sync_runs,
 * sync_run_stages and integration_errors, and the HTML/CSV reports.
 * No Effect import: the CLI's entry installs scrubStream before any command (and Effect) loads.
 */
const known = new Set<string>()
let ordered: ReadonlyArray<string> = []

/** Shorter values would blank ordinary words; every real credential and session id is longer. */
export const MIN_SECRET_LENGTH = 6

export const REDACTED = "[redacted]"

/** Registers a secret value and the forms a server may quote it in (URL-encoded, JSON-escaped). */
export const registerSecret = (secret: string | undefined): void => {
  const value = secret ?? ""
  if (value.length < MIN_SECRET_LENGTH) return
  const before = known.size
  for (const form of [
    value,
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1)
  ])
    known.add(form)
  // Longest first: a secret that contains another is replaced whole.
  if (known.size !== before) ordered = [...known].sort((a, b) => b.length - a.length)
}

/** The text with every registered secret replaced by "[redacted]". */
export const scrub = (text: string): string => {
  let out = text
  for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
  return out
}

/** Whether any registered secret occurs in the text (tests, drills). */
export const leaksSecret = (text: string): boolean => ordered.some((s) => text.includes(s))

/** A JSON-like value with every string scrubbed (integration error details). */
export const scrubDeep = (value: unknown): unknown => {
  if (ordered.length === 0) return value
  if (typeof value === "string") return scrub(value)
  if (typeof value !== "object" || value === null) return value
  if (Array.isArray(value)) return value.map(scrubDeep)
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubDeep(v)]))
}

/** Scrubs everything written to a stream (the CLI's stdout and stderr): the last boundary before a terminal or a CI log. */
export const scrubStream = (stream: NodeJS.WriteStream): void => {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: Array<unknown>) => boolean
  stream.write = ((chunk: unknown, ...rest: Array<unknown>) => {
    if (ordered.length === 0) return write(chunk, ...rest)
    if (typeof chunk === "string") return write(scrub(chunk), ...rest)
    if (chunk instanceof Uint8Array)
      return write(Buffer.from(scrub(Buffer.from(chunk).toString("utf8")), "utf8"), ...rest)
    return write(chunk, ...rest)
  }) as typeof stream.write
}
