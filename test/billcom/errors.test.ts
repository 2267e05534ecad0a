import { describe, expect, it } from "@effect/vitest"
import { classify, parseErrorBody, primaryEntry } from "../../src/billcom/errors.ts"
import { parseRetryAfter } from "../../src/billcom/transport.ts"

describe("parseErrorBody", () => {
  it("reads the v3 BdcError array, every entry", () => {
    const body = JSON.stringify([
      {
        timestamp: "2026-12-25T00:00:00.000+00:00",
        code: "BDC_1001",
        severity: "ERROR",
        category: "REQUEST",
        message: "address: must not be null"
      },
      {
        timestamp: "2026-12-25T00:00:00.000+00:00",
        code: "BDC_1001",
        severity: "ERROR",
        category: "REQUEST",
        message: "email: must not be blank"
      }
    ])
    const parsed = parseErrorBody(body)
    expect(parsed.shape).toBe("BdcErrorArray")
    expect(parsed.entries).toEqual([
      { code: "BDC_1001", message: "address: must not be null" },
      { code: "BDC_1001", message: "email: must not be blank" }
    ])
  })

  it("reads entries with only message + severity, and prefers the one with a code", () => {
    const parsed = parseErrorBody(
      JSON.stringify([
        { severity: "ERROR", message: "something" },
        { code: "BDC_1109", message: "Session is invalid.  Please log in." }
      ])
    )
    expect(primaryEntry(parsed)).toEqual({ code: "BDC_1109", message: "Session is invalid.  Please log in." })
  })

  it("reads a gateway's single {message} object", () => {
    expect(parseErrorBody(JSON.stringify({ message: "Internal server error" }))).toEqual({
      shape: "MessageObject",
      entries: [{ code: undefined, message: "Internal server error" }]
    })
  })

  it("reads the v2 envelope", () => {
    const parsed = parseErrorBody(
      JSON.stringify({
        response_status: 1,
        response_message: "Error",
        response_data: { error_code: "BDC_1109", error_message: "Session is invalid.  Please log in." }
      })
    )
    expect(parsed.shape).toBe("V2Envelope")
    expect(primaryEntry(parsed)).toEqual({ code: "BDC_1109", message: "Session is invalid.  Please log in." })
  })

  it("keeps a short snippet of a non-JSON body and handles an empty one", () => {
    const html = `<html><body>${"Bad gateway ".repeat(50)}</body></html>`
    const parsed = parseErrorBody(html)
    expect(parsed.shape).toBe("NonJson")
    expect(parsed.entries[0]!.message!.length).toBeLessThanOrEqual(201)
    expect(parseErrorBody("  ")).toEqual({ shape: "Empty", entries: [] })
  })
})

describe("classify: BDC code first, HTTP status second", () => {
  it("rate-limit codes whatever the status (undocumented; 422 by default in the emulator)", () => {
    for (const status of [400, 422, 429, 503]) {
      expect(classify(status, "BDC_1322", false)._tag).toBe("ConcurrencyLimited")
      expect(classify(status, "BDC_1144", false)._tag).toBe("HourlyLimited")
    }
  })
  it("invalid / expired sessions re-authenticate: 401 BDC_1109, 403 BDC_1361, v2's 200 BDC_1109", () => {
    expect(classify(401, "BDC_1109", false)._tag).toBe("SessionExpired")
    expect(classify(403, "BDC_1361", false)._tag).toBe("SessionExpired")
    expect(classify(200, "BDC_1109", false)._tag).toBe("SessionExpired")
  })
  it("credentials at login are final: BDC_1101 / BDC_1102, any 400/401/403", () => {
    expect(classify(401, "BDC_1101", true)._tag).toBe("Credentials")
    expect(classify(400, "BDC_1102", true)._tag).toBe("Credentials")
    expect(classify(403, undefined, true)._tag).toBe("Credentials")
    expect(classify(503, undefined, true)._tag).toBe("Transient")
  })
  it("5xx, 408 and 429 are transient / rate limited; other 4xx are final", () => {
    expect(classify(500, "BDC_1001", false)._tag).toBe("Transient")
    expect(classify(408, undefined, false)._tag).toBe("Transient")
    expect(classify(429, undefined, false)._tag).toBe("ConcurrencyLimited")
    expect(classify(400, "BDC_1001", false)._tag).toBe("Fatal")
    expect(classify(404, "BDC_1002", false)._tag).toBe("NotFound")
  })
})

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(parseRetryAfter(undefined, 0)).toBeUndefined()
    expect(parseRetryAfter("soon", 0)).toBeUndefined()
  })
})
