import { describe, expect, it } from "@effect/vitest"
import { CREDENTIALS_ADVICE } from "../../src/billcom/errors.ts"
import { NOT_IDEMPOTENT_ADVICE, type Outcome, type Verdict, verdictOf } from "../../src/billcom/verdict.ts"

/** The pure classification of one attempt: no HTTP, no Effect — outcomes are data. */
const answer = (status: number, body: unknown, retryAfterMs?: number): Outcome => ({
  _tag: "Response",
  status,
  text: typeof body === "string" ? body : JSON.stringify(body),
  retryAfterMs
})
const bdc = (code: string, message = "refused") => [{ code, message, severity: "ERROR" }]
const v2Error = (code: string) => ({
  response_status: 1,
  response_message: "Error",
  response_data: { error_code: code }
})

const v3 = { api: "v3" as const }
const v2 = { api: "v2" as const }
const create = { api: "v3" as const, idempotent: false }
const call = (c: { api: "v3" | "v2"; idempotent?: boolean }, outcome: Outcome): Verdict => verdictOf(c, outcome, false)
const login = (outcome: Outcome): Verdict => verdictOf(v3, outcome, true)

describe("verdictOf: what the transport does with one attempt", () => {
  it("Done: a 2xx with JSON (v3), an empty 2xx, a v2 envelope with response_status 0 (its response_data)", () => {
    expect(call(v3, answer(200, { results: [1] }))).toEqual({ _tag: "Done", json: { results: [1] } })
    expect(call(v3, answer(204, ""))).toEqual({ _tag: "Done", json: undefined })
    expect(call(v2, answer(200, { response_status: 0, response_data: { id: "x" } }))).toEqual({
      _tag: "Done",
      json: { id: "x" }
    })
    expect(call(v2, answer(200, { response_status: "0", response_data: [] }))._tag).toBe("Done")
  })

  it("RetryTransient: timeouts and dropped connections (Transport), 5xx / 408 / unreadable 2xx (Server), Retry-After kept", () => {
    const timeout = call(v3, { _tag: "Failure", kind: "timeout", detail: "no answer within 30s" })
    expect(timeout).toMatchObject({
      _tag: "RetryTransient",
      reason: "Transport",
      retryAfterMs: undefined,
      problem: { status: undefined, detail: "timeout: no answer within 30s" }
    })
    expect(call(v3, { _tag: "Failure", kind: "connection", detail: "ECONNRESET" })).toMatchObject({
      _tag: "RetryTransient",
      reason: "Transport"
    })
    expect(call(v3, answer(503, "<html>busy</html>", 2000))).toMatchObject({
      _tag: "RetryTransient",
      reason: "Server",
      retryAfterMs: 2000,
      problem: { status: 503 }
    })
    expect(call(v3, answer(500, bdc("BDC_1001")))._tag).toBe("RetryTransient")
    expect(call(v3, answer(408, ""))._tag).toBe("RetryTransient")
    expect(call(v3, answer(200, "<html>maintenance</html>"))).toMatchObject({
      _tag: "RetryTransient",
      reason: "Server"
    })
    expect(call(v2, answer(200, { other: 1 }))._tag).toBe("RetryTransient")
    // A login's 5xx is not a credentials problem.
    expect(login(answer(503, ""))._tag).toBe("RetryTransient")
  })

  it("RetryConcurrency: BDC_1322 whatever the status, HTTP 429; Retry-After kept", () => {
    expect(call(v3, answer(422, bdc("BDC_1322")))).toMatchObject({ _tag: "RetryConcurrency", retryAfterMs: undefined })
    expect(call(v3, answer(429, { message: "Too Many Requests" }, 5000))).toMatchObject({
      _tag: "RetryConcurrency",
      retryAfterMs: 5000,
      problem: { status: 429 }
    })
    expect(call(v2, answer(200, v2Error("BDC_1322")))._tag).toBe("RetryConcurrency")
    // Proof that it was not processed: a create is re-sent too.
    expect(call(create, answer(429, ""))._tag).toBe("RetryConcurrency")
  })

  it("WaitForHour: BDC_1144, v3 or v2, calls and logins", () => {
    expect(call(v3, answer(422, bdc("BDC_1144")))._tag).toBe("WaitForHour")
    expect(call(v3, answer(429, bdc("BDC_1144")))._tag).toBe("WaitForHour")
    expect(call(v2, answer(200, v2Error("BDC_1144")))._tag).toBe("WaitForHour")
    expect(login(answer(400, bdc("BDC_1144")))._tag).toBe("WaitForHour")
    expect(call(create, answer(422, bdc("BDC_1144")))._tag).toBe("WaitForHour")
  })

  it("Relogin: an expired session on a call (BDC_1109, BDC_1361, a bare 401) — a create too; never on a login", () => {
    expect(call(v3, answer(401, bdc("BDC_1109")))).toMatchObject({ _tag: "Relogin", problem: { status: 401 } })
    expect(call(v3, answer(403, bdc("BDC_1361")))._tag).toBe("Relogin")
    expect(call(v3, answer(401, ""))._tag).toBe("Relogin")
    expect(call(v2, answer(200, v2Error("BDC_1109")))._tag).toBe("Relogin")
    expect(call(create, answer(401, bdc("BDC_1109")))._tag).toBe("Relogin")
    expect(login(answer(401, bdc("BDC_1109")))).toMatchObject({ _tag: "Fail", reason: "Credentials" })
  })

  it("Fail: credentials (with advice), not found, any other 4xx; a create's transient failure is not re-sent", () => {
    expect(call(v3, answer(401, bdc("BDC_1101")))).toMatchObject({
      _tag: "Fail",
      reason: "Credentials",
      advice: CREDENTIALS_ADVICE
    })
    expect(login(answer(403, ""))).toMatchObject({ _tag: "Fail", reason: "Credentials" })
    expect(call(v3, answer(404, bdc("BDC_1002")))).toMatchObject({
      _tag: "Fail",
      reason: "NotFound",
      advice: undefined
    })
    expect(call(v3, answer(400, bdc("BDC_1001", "name: must not be blank")))).toMatchObject({
      _tag: "Fail",
      reason: "Request",
      problem: { status: 400, parsed: { entries: [{ code: "BDC_1001", message: "name: must not be blank" }] } }
    })
    expect(call(v2, answer(200, v2Error("BDC_1001")))).toMatchObject({ _tag: "Fail", reason: "Request" })
    expect(call(create, answer(502, ""))).toMatchObject({
      _tag: "Fail",
      reason: "Server",
      advice: NOT_IDEMPOTENT_ADVICE
    })
    expect(call(create, { _tag: "Failure", kind: "timeout", detail: "no answer" })).toMatchObject({
      _tag: "Fail",
      reason: "Transport",
      advice: NOT_IDEMPOTENT_ADVICE,
      problem: { detail: "timeout: no answer" }
    })
  })
})
