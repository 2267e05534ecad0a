import { formatTimestamp } from "./random.ts"

/**
 * Bill.com error bodies. v3: HTTP 4xx/5xx with a JSON array of BdcError (§5.1). v2: HTTP 200 with
 * `response_status: 1` (§5.3). Handlers throw `ApiError`; the server renders it for the surface.
 */
export type Category = "REQUEST" | "APPLICATION" | "SERVER" | "DOWNSTREAM"

export interface BdcError {
  readonly code: string
  readonly message: string
  readonly category: Category
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ReadonlyArray<BdcError>
  ) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join("; "))
  }
  get code(): string {
    return this.errors[0]?.code ?? "BDC_1001"
  }
}

export const renderV3Errors = (errors: ReadonlyArray<BdcError>, now: number) =>
  errors.map((e) => ({
    timestamp: formatTimestamp(now),
    code: e.code,
    severity: "ERROR",
    category: e.category,
    message: e.message
  }))

export const renderV2Error = (error: BdcError) => ({
  response_status: 1,
  response_message: "Error",
  response_data: { error_code: error.code, error_message: error.message }
})

const one = (status: number, code: string, message: string, category: Category) =>
  new ApiError(status, [{ code, message, category }])

/** Error constructors, one per Bill.com rule the emulator enforces. */
export const Errors = {
  sessionInvalid: () => one(401, "BDC_1109", "Session is invalid.  Please log in.", "DOWNSTREAM"),
  badCredentials: () => one(401, "BDC_1101", "User name and/or password do not match our records.", "REQUEST"),
  badDevKey: () => one(401, "BDC_1102", "Developer key is invalid.", "REQUEST"),
  notSupported: () => one(404, "BDC_1121", "API not supported.", "REQUEST"),
  /** Not-found: 404 with BDC_1002 (Bill.com's code is undocumented; see index.ts "Choices"). */
  notFound: (what: string, id: string) => one(404, "BDC_1002", `${id}: ${what} not found.`, "REQUEST"),
  tooManyConcurrent: (status: number) =>
    one(status, "BDC_1322", "Max number of concurrent requests per organization reached.", "DOWNSTREAM"),
  hourlyLimit: (status: number, limit: number) =>
    one(status, "BDC_1144", `Max number of allowed requests per hour reached: ${limit}.`, "DOWNSTREAM"),
  loginLimit: (status: number, limit: number) =>
    one(status, "BDC_1144", `Max number of allowed logins per hour reached: ${limit}.`, "DOWNSTREAM"),
  serverError: () => one(503, "BDC_1001", "System error occurred.", "SERVER"),
  /** A faulty gateway's answer that quotes the request's credentials back (the echoSecrets fault). */
  echoingSecrets: (status: number, devKey: string, sessionId: string) =>
    one(
      status,
      "BDC_1001",
      `Request rejected: devKey=${devKey} sessionId=${sessionId} is not allowed for this operation.`,
      status >= 500 ? "SERVER" : "REQUEST"
    ),
  /** One entry per invalid field, messages like "field: must not be null" (§5.1). */
  validation: (problems: ReadonlyArray<readonly [field: string, problem: string]>) =>
    new ApiError(
      400,
      problems.map(([field, problem]) => ({
        code: "BDC_1001",
        message: `${field}: ${problem}`,
        category: "REQUEST" as const
      }))
    ),
  badRequest: (message: string) => one(400, "BDC_1001", message, "REQUEST"),
  /** A request the published contract says Bill.com refuses (missing or invalid parameter or body). */
  contract: (problems: ReadonlyArray<{ readonly field: string; readonly problem: string }>) =>
    new ApiError(
      400,
      problems.map((p) => ({ code: "BDC_1001", message: `${p.field}: ${p.problem}`, category: "REQUEST" as const }))
    )
}
