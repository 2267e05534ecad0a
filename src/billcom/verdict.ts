import { Data } from "effect"
import {
  type BillcomErrorReason,
  CREDENTIALS_ADVICE,
  classify,
  type ParsedErrorBody,
  parseErrorBody,
  parseErrorJson,
  primaryEntry
} from "./errors.ts"

/**
 * What one attempt of a Bill.com call came back with, as data: an HTTP answer (status, body text,
 * Retry-After already parsed) or no usable answer at all (timeout, connection, a body cut short).
 */
export type Outcome =
  | {
      readonly _tag: "Response"
      readonly status: number
      readonly text: string
      readonly retryAfterMs: number | undefined
    }
  | { readonly _tag: "Failure"; readonly kind: "timeout" | "connection" | "body"; readonly detail: string }

/** What a failed attempt said, kept to build the final error and the retry log line. */
export interface Problem {
  readonly status: number | undefined
  readonly parsed: ParsedErrorBody | undefined
  /** For a Failure outcome: "timeout: no answer within 30s" and the like. */
  readonly detail: string | undefined
}

/**
 * The verdict on one attempt — what the transport does next. Pure: decided from the call and the
 * outcome alone; how often and how long to retry is the schedules' business (retry.ts).
 * - Done: a success, with its JSON (v2: the envelope's response_data).
 * - RetryTransient: 5xx, 408, timeout, dropped connection, an unreadable 2xx — re-send after a
 *   backoff (Retry-After honoured). `reason` is the error's if the retries run out.
 * - RetryConcurrency: BDC_1322 or HTTP 429 — too many in flight; a short backoff.
 * - WaitForHour: BDC_1144 — the developer key's hourly budget is spent; wait for the next clock hour.
 * - Relogin: the session expired (BDC_1109 / BDC_1361 / 401 on a call): log in again and re-send.
 * - Fail: final — credentials, not found, a 4xx, or a transient failure of a call that is not idempotent.
 */
export type Verdict = Data.TaggedEnum<{
  Done: { readonly json: unknown }
  RetryTransient: {
    readonly problem: Problem
    readonly retryAfterMs: number | undefined
    readonly reason: "Transport" | "Server"
  }
  RetryConcurrency: { readonly problem: Problem; readonly retryAfterMs: number | undefined }
  WaitForHour: { readonly problem: Problem }
  Relogin: { readonly problem: Problem }
  Fail: { readonly problem: Problem; readonly reason: BillcomErrorReason; readonly advice: string | undefined }
}>

export const Verdict = Data.taggedEnum<Verdict>()

/** The verdicts that re-send (the input of the retry schedules). */
export type Retryable = Exclude<Verdict, { readonly _tag: "Done" | "Fail" }>

export const NOT_IDEMPOTENT_ADVICE =
  "Bill.com may or may not have applied this change; it is not re-sent automatically. Re-run the plan to see the current state."

/** Success JSON, or the parsed error; v2 answers HTTP 200 with `response_status: 1` on failure. */
export const interpret = (
  api: "v3" | "v2",
  outcome: Extract<Outcome, { _tag: "Response" }>
): { ok: true; json: unknown } | { ok: false; parsed: ParsedErrorBody; unreadable?: true } => {
  if (outcome.status >= 200 && outcome.status < 300) {
    if (outcome.text.trim() === "") return { ok: true, json: undefined }
    let json: unknown
    try {
      json = JSON.parse(outcome.text)
    } catch {
      return {
        ok: false,
        parsed: { shape: "NonJson", entries: [{ message: "success status with a body that is not JSON" }] },
        unreadable: true
      }
    }
    if (api === "v2") {
      if (typeof json !== "object" || json === null || !("response_status" in json))
        return {
          ok: false,
          parsed: { shape: "UnknownJson", entries: [{ message: "v2 answer without response_status" }] },
          unreadable: true
        }
      const { response_status, response_data } = json as { response_status: unknown; response_data?: unknown }
      if (response_status !== 0 && response_status !== "0") return { ok: false, parsed: parseErrorJson(json) }
      return { ok: true, json: response_data }
    }
    return { ok: true, json }
  }
  return { ok: false, parsed: parseErrorBody(outcome.text) }
}

/**
 * The verdict on one attempt of `call` (`login`: the attempt is a login, whose 4xx are credentials
 * and which has no session to renew). Bill.com's code decides first, the HTTP status second
 * (errors.ts `classify`); a transport failure or an unreadable 2xx is transient.
 */
export const verdictOf = (
  call: { readonly api: "v3" | "v2"; readonly idempotent?: boolean | undefined },
  outcome: Outcome,
  login: boolean
): Verdict => {
  let problem: Problem
  let retryAfterMs: number | undefined
  let kind: ReturnType<typeof classify>["_tag"]
  if (outcome._tag === "Failure") {
    problem = { status: undefined, parsed: undefined, detail: `${outcome.kind}: ${outcome.detail}` }
    kind = "Transient"
  } else {
    const result = interpret(call.api, outcome)
    if (result.ok) return Verdict.Done({ json: result.json })
    problem = { status: outcome.status, parsed: result.parsed, detail: undefined }
    retryAfterMs = outcome.retryAfterMs
    // A 2xx we could not read (cut or non-JSON body) is a transport problem: re-send.
    kind =
      result.unreadable === true ? "Transient" : classify(outcome.status, primaryEntry(result.parsed)?.code, login)._tag
  }
  switch (kind) {
    case "SessionExpired":
      return Verdict.Relogin({ problem })
    case "Credentials":
      return Verdict.Fail({ problem, reason: "Credentials", advice: CREDENTIALS_ADVICE })
    case "NotFound":
      return Verdict.Fail({ problem, reason: "NotFound", advice: undefined })
    case "Fatal":
      return Verdict.Fail({ problem, reason: "Request", advice: undefined })
    case "HourlyLimited":
      return Verdict.WaitForHour({ problem })
    case "ConcurrencyLimited":
      return Verdict.RetryConcurrency({ problem, retryAfterMs })
    case "Transient": {
      const reason = outcome._tag === "Failure" ? "Transport" : "Server"
      // A create may have been applied before the answer was lost: only proof of non-processing re-sends it.
      if (call.idempotent === false) return Verdict.Fail({ problem, reason, advice: NOT_IDEMPOTENT_ADVICE })
      return Verdict.RetryTransient({ problem, retryAfterMs, reason })
    }
  }
}
