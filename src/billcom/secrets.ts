import { Context } from "effect"

/**
 * The one scrubber of secret values. Credentials are Redacted inside the program, but text from
 * outside — Bill.com's error bodies, a database's messages — may quote them back. Every value the
 * process learns to be secret (the devKey, username and password the pipeline names, each session
 * id, the database password) is registered in the process's registry, and every boundary where
 * text leaves the process passes through its `scrub`: errors from Bill.com, log lines,
 * stdout/stderr, the rows of sync_runs, sync_run_stages and integration_errors, and the HTML/CSV
 * reports.
 *
 * Why one instance per process, not per layer: stdout and stderr are the process's, and what is
 * written to them (scrubStream) must be scrubbed of every secret any part of the run learnt. So the
 * composition root (cli/runtime.ts) creates the registry once, hooks it onto the two streams and
 * provides it as the `Secrets` service to the command; Effect code reads it with `yield* Secrets`,
 * the logger from the logging fiber's context. Outside the CLI (tests, the bench) `Secrets` falls
 * back to one default registry (Context.Reference), or a test provides its own.
 */
export interface SecretRegistry {
  /** Registers a secret value and the forms a server may quote it in (URL-encoded, JSON-escaped). */
  readonly register: (secret: string | undefined) => void
  /** The text with every registered secret replaced by "[redacted]". */
  readonly scrub: (text: string) => string
  /** Whether any registered secret occurs in the text (tests, drills). */
  readonly leaks: (text: string) => boolean
  /** A JSON-like value with every string scrubbed (integration error details). */
  readonly scrubDeep: (value: unknown) => unknown
  /** Scrubs everything written to a stream (the CLI's stdout and stderr): the last boundary before a terminal or a CI log. */
  readonly scrubStream: (stream: NodeJS.WriteStream) => void
}

/** Shorter values would blank ordinary words; every real credential and session id is longer. */
export const MIN_SECRET_LENGTH = 6

export const REDACTED = "[redacted]"

/** A new, empty registry. No Effect inside: the CLI hooks it onto stdout/stderr before any command runs. */
export const makeSecretRegistry = (): SecretRegistry => {
  const known = new Set<string>()
  // Longest first: a secret that contains another is replaced whole.
  let ordered: ReadonlyArray<string> = []

  const scrub = (text: string): string => {
    let out = text
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }

  const scrubDeep = (value: unknown): unknown => {
    if (ordered.length === 0) return value
    if (typeof value === "string") return scrub(value)
    if (typeof value !== "object" || value === null) return value
    if (Array.isArray(value)) return value.map(scrubDeep)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubDeep(v)]))
  }

  return {
    register: (secret) => {
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
      if (known.size !== before) ordered = [...known].sort((a, b) => b.length - a.length)
    },
    scrub,
    leaks: (text) => ordered.some((s) => text.includes(s)),
    scrubDeep,
    scrubStream: (stream) => {
      const write = stream.write.bind(stream) as (chunk: unknown, ...rest: Array<unknown>) => boolean
      stream.write = ((chunk: unknown, ...rest: Array<unknown>) => {
        if (ordered.length === 0) return write(chunk, ...rest)
        if (typeof chunk === "string") return write(scrub(chunk), ...rest)
        if (chunk instanceof Uint8Array)
          return write(Buffer.from(scrub(Buffer.from(chunk).toString("utf8")), "utf8"), ...rest)
        return write(chunk, ...rest)
      }) as typeof stream.write
    }
  }
}

/** The process's secret registry as a service (see above); a Reference, so code that only scrubs needs no layer. */
export class Secrets extends Context.Reference<Secrets>()("billsync/Secrets", {
  defaultValue: makeSecretRegistry
}) {}
