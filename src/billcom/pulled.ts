import { Either, ParseResult, Schema } from "effect"

/**
 * One element of a pulled list: the decoded record with its raw JSON, or a record that failed to
 * decode — kept with its raw JSON, its id when readable, and where decoding failed. A bad record
 * never fails the page or the stream; the sync reports it as an integration error.
 */
export type Pulled<A> =
  | { readonly _tag: "Valid"; readonly value: A; readonly raw: unknown }
  | { readonly _tag: "Invalid"; readonly raw: unknown; readonly id?: string; readonly error: string }

export const rawIdOf = (raw: unknown): string | undefined => {
  if (typeof raw !== "object" || raw === null) return undefined
  const id = (raw as { id?: unknown }).id
  return typeof id === "string" && id.length > 0 ? id : undefined
}

const pathText = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0
    ? "(record)"
    : path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("")

/** A type as a person names it: `{ readonly id: … }` → "an object", `ReadonlyArray<…>` → "a list". */
const typeText = (t: string): string =>
  t.startsWith("{")
    ? "an object"
    : t.startsWith("ReadonlyArray<") || t.startsWith("Array<")
      ? "a list"
      : t.length > 60
        ? `${t.slice(0, 59)}…`
        : t

const MAX_CHARS = 400

/**
 * Decoding problems as one line — field path, value, problem — e.g.
 * `amount = "n/a": expected number or null; lines[0].qty = "2": expected number; vendorId: missing`.
 * The alternatives of a union at one path are merged; the schema's full type is never dumped.
 */
export const formatIssues = (error: ParseResult.ParseError): string => {
  const byPath = new Map<string, { actual: string | undefined; expected: Array<string>; other: Array<string> }>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const key = pathText(issue.path)
    const entry = byPath.get(key) ?? { actual: undefined, expected: [], other: [] }
    byPath.set(key, entry)
    const m = /^Expected (.*), actual (.*)$/s.exec(issue.message)
    if (issue._tag === "Missing") entry.other.push("missing")
    else if (m !== null) {
      entry.actual = m[2]!.length > 60 ? `${m[2]!.slice(0, 59)}…` : m[2]!
      const expected = typeText(m[1]!)
      if (!entry.expected.includes(expected)) entry.expected.push(expected)
    } else entry.other.push(issue.message)
  }
  const parts = [...byPath].map(([path, e]) => {
    // `undefined` is how Schema spells "optional": say so only when it is the only alternative.
    const named = e.expected.length > 1 ? e.expected.filter((x) => x !== "undefined") : e.expected
    const problems = [...(named.length > 0 ? [`expected ${named.join(" or ")}`] : []), ...e.other]
    return `${path}${e.actual !== undefined ? ` = ${e.actual}` : ""}: ${problems.join(", ")}`
  })
  let line = ""
  for (const [i, part] of parts.entries()) {
    const next = line === "" ? part : `${line}; ${part}`
    if (next.length > MAX_CHARS && line !== "") return `${line}; … and ${parts.length - i} more`
    line = next
  }
  return line
}

export const decodePulled = <A, I>(schema: Schema.Schema<A, I, never>) => {
  // Stop at the first issue on the hot path; only a failed record is decoded again for every issue.
  const decode = Schema.decodeUnknownEither(schema)
  const explain = Schema.decodeUnknownEither(schema, { errors: "all" })
  return (raw: unknown): Pulled<A> => {
    const result = decode(raw)
    if (Either.isRight(result)) return { _tag: "Valid", value: result.right, raw }
    const id = rawIdOf(raw)
    const all = explain(raw)
    const error = formatIssues(Either.isLeft(all) ? all.left : result.left)
    return id === undefined ? { _tag: "Invalid", raw, error } : { _tag: "Invalid", raw, id, error }
  }
}
