import { Data } from "effect"

/**
 * The one error of the Bill.com boundary. `reason` says what kind of failure it is; `code` and
 * `billcomMessage` are Bill.com's own (BDC_xxxx) when it sent one; `advice` is what the user should
 * do. Never carries a secret: no headers, no request bodies, no platform error as `cause`.
 */
export type BillcomErrorReason =
  | "Config" // settings: a missing environment variable, an unknown environment
  | "Credentials" // login rejected (BDC_1101 / BDC_1102 / any 4xx at login)
  | "ReauthCapReached" // the session kept expiring past reauth.maxPerRun
  | "RateLimited" // hourly request budget exhausted (BDC_1144) or rate-limit retries exhausted
  | "Request" // a non-retryable 4xx: Bill.com's code and message
  | "NotFound" // 404 for an object id
  | "Server" // 5xx after every retry
  | "Transport" // connection errors / timeouts / truncated bodies after every retry
  | "Decode" // a response that is not the documented shape (envelope, not a record)
  | "Pagination" // the list repeated a cursor, or kept paging without bringing anything new

export class BillcomError extends Data.TaggedError("BillcomError")<{
  readonly reason: BillcomErrorReason
  readonly message: string
  readonly code?: string | undefined
  readonly billcomMessage?: string | undefined
  readonly status?: number | undefined
  /** "METHOD /path" of the failing call (no query, no headers). */
  readonly endpoint?: string | undefined
  readonly advice?: string | undefined
}> {}

export const CREDENTIALS_ADVICE =
  "Verify the developer key, the username and password (API token name and value) and the organization id in Bill.com; " +
  "regenerate the API token if needed. Sandbox and production keys are not interchangeable."

export const reauthCapAdvice = (cap: number, pipeline: string | undefined) =>
  `The Bill.com session expired and the automatic re-authentication cap (${cap} per run) was reached. ` +
  `Re-run the sync; if it persists, validate the integration with \`billsync connect ${pipeline ?? "<pipeline>"}\`.`

/** One Bill.com error entry, whatever shape it arrived in. */
export interface BdcErrorEntry {
  readonly code?: string | undefined
  readonly message?: string | undefined
}

export type ErrorShape = "BdcErrorArray" | "MessageObject" | "V2Envelope" | "NonJson" | "Empty" | "UnknownJson"

export interface ParsedErrorBody {
  readonly shape: ErrorShape
  readonly entries: ReadonlyArray<BdcErrorEntry>
}

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Trim long non-JSON bodies (HTML error pages) to something fit for a message. */
const snippet = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat
}

/**
 * Parse every error shape Bill.com is known to send (§5): the v3 BdcError array, a gateway's single
 * `{message}` object, the v2 envelope `{response_status: 1, response_data: {error_code, error_message}}`,
 * and non-JSON bodies (proxies, load balancers).
 */
export const parseErrorBody = (text: string): ParsedErrorBody => {
  if (text.trim() === "") return { shape: "Empty", entries: [] }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { shape: "NonJson", entries: [{ message: snippet(text) }] }
  }
  return parseErrorJson(json)
}

export const parseErrorJson = (json: unknown): ParsedErrorBody => {
  if (Array.isArray(json)) {
    const entries = json.filter(isRecord).map((e) => ({ code: str(e["code"]), message: str(e["message"]) }))
    return { shape: "BdcErrorArray", entries }
  }
  if (isRecord(json)) {
    if ("response_status" in json) {
      const data = isRecord(json["response_data"]) ? json["response_data"] : {}
      return {
        shape: "V2Envelope",
        entries: [
          { code: str(data["error_code"]), message: str(data["error_message"]) ?? str(json["response_message"]) }
        ]
      }
    }
    // Some gateways nest it: {error: {code, message}}.
    const inner = isRecord(json["error"]) ? json["error"] : json
    if (str(inner["message"]) !== undefined || str(inner["code"]) !== undefined)
      return { shape: "MessageObject", entries: [{ code: str(inner["code"]), message: str(inner["message"]) }] }
  }
  return { shape: "UnknownJson", entries: [] }
}

/** The first entry with a BDC code (codes classify), else the first entry. */
export const primaryEntry = (parsed: ParsedErrorBody): BdcErrorEntry | undefined =>
  parsed.entries.find((e) => e.code !== undefined) ?? parsed.entries[0]

/** All entries as "CODE: message" joined — validation failures come as one entry per field. */
export const describeEntries = (parsed: ParsedErrorBody): string =>
  parsed.entries
    .map((e) => [e.code, e.message].filter((x) => x !== undefined).join(": "))
    .filter((s) => s !== "")
    .join("; ")

export const SESSION_CODES: ReadonlySet<string> = new Set(["BDC_1109", "BDC_1361"])
export const CREDENTIAL_CODES: ReadonlySet<string> = new Set(["BDC_1101", "BDC_1102"])
export const CONCURRENCY_CODE = "BDC_1322"
export const HOURLY_CODE = "BDC_1144"

/**
 * What kind of failure a response is (verdict.ts turns it into what the transport does next).
 * Bill.com's code decides first, the HTTP status second: the status of the rate-limit codes is
 * undocumented (the emulator defaults to 422, a peer saw 422, 429 is plausible), and v2 reports
 * everything with HTTP 200.
 */
export type ErrorKind =
  | { readonly _tag: "SessionExpired" }
  | { readonly _tag: "ConcurrencyLimited" }
  | { readonly _tag: "HourlyLimited" }
  | { readonly _tag: "Transient" }
  | { readonly _tag: "Credentials" }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "Fatal" }

export const classify = (status: number, code: string | undefined, login: boolean): ErrorKind => {
  if (code !== undefined) {
    if (CREDENTIAL_CODES.has(code)) return { _tag: "Credentials" }
    if (code === CONCURRENCY_CODE) return { _tag: "ConcurrencyLimited" }
    if (code === HOURLY_CODE) return { _tag: "HourlyLimited" }
    if (SESSION_CODES.has(code)) return login ? { _tag: "Credentials" } : { _tag: "SessionExpired" }
  }
  if (status === 429) return { _tag: "ConcurrencyLimited" }
  if (status >= 500 || status === 408) return { _tag: "Transient" }
  if (login && status >= 400) return { _tag: "Credentials" }
  if (status === 401) return { _tag: "SessionExpired" }
  if (status === 404) return { _tag: "NotFound" }
  return { _tag: "Fatal" }
}
