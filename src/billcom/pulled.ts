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

/** "path.to.field: message" for every issue, e.g. `amount: Expected number | string, actual true`. */
export const formatIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(record)"}: ${issue.message}`)
    .join("; ")

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
