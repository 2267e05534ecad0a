import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Context, Duration, Effect, Layer, Option, Random, Redacted, Ref } from "effect"
import {
  BillcomError,
  classify,
  CREDENTIALS_ADVICE,
  describeEntries,
  parseErrorBody,
  parseErrorJson,
  primaryEntry,
  type ParsedErrorBody,
  type Verdict
} from "./errors.ts"
import { KeyBudgets } from "./budget.ts"
import { makeLimiter, type Limiter } from "./limiter.ts"
import { registerSecret, scrub } from "./secrets.ts"
import { makeSessionManager, type LoginResult, type SessionManager } from "./session.ts"
import type { BillcomSettings } from "./settings.ts"
import { makeStats, type BillcomStats } from "./stats.ts"

/**
 * The one Bill.com transport of a run: base URLs + session headers → limiter → send with timeout →
 * classify (BDC code first, HTTP status second) → re-auth (capped) or backoff and re-send through
 * the same path. BillcomClient (reads) and BillcomWriter (COA writes) both sit on it, so they share
 * one session, one limiter and one set of counters.
 */
export interface Call {
  readonly api: "v3" | "v2"
  readonly method: "GET" | "POST" | "PATCH"
  /** v3: "/v3/bills"; v2: "/Crud/Read/Bill.json". */
  readonly path: string
  /** Stats / log key with ids templated out, e.g. "GET /v3/bills/{id}". */
  readonly endpoint: string
  readonly query?: Readonly<Record<string, string>> | undefined
  /** v3: the JSON body; v2: the `data` object (sent as a JSON string in the form). */
  readonly body?: unknown
  /**
   * false for creates: after a 5xx, a timeout or a dropped connection Bill.com may have applied it,
   * so only answers that prove it was not processed (rate limit, invalid session) are re-sent.
   */
  readonly idempotent?: boolean | undefined
}

/** Backoff for 5xx, timeouts, connection errors, HTTP 429: exponential from settings.retry, equal jitter. */
export const TRANSIENT_BACKOFF = { factor: 2, jitter: 0.5 } as const
/** Backoff for BDC_1322 (too many in flight): short, since a slot frees within one request's latency. */
export const CONCURRENCY_BACKOFF = {
  base: Duration.millis(250),
  max: Duration.seconds(8),
  factor: 2,
  jitter: 0.5,
  attempts: 12
} as const

const LOGIN_PATH = "/v3/login"

/** The logout at the end of a run waits at most this long (or the request timeout, if shorter). */
export const LOGOUT_MAX_WAIT = Duration.seconds(5)

/** A call refused for the hourly budget again right after waiting for the next hour is not waited for twice. */
export const MAX_HOURLY_WAITS = 1

export interface Transport {
  readonly settings: BillcomSettings
  readonly execute: (call: Call) => Effect.Effect<unknown, BillcomError>
  readonly session: SessionManager
  readonly limiter: Limiter
  readonly stats: Effect.Effect<BillcomStats>
  /**
   * From now on, refuse to send once this process has sent `limit` requests in all (a run's cap,
   * `sync.maxRequestsPerRun`); `why` says where the limit comes from. undefined lifts it.
   */
  readonly capRequests: (cap: RequestCap | undefined) => Effect.Effect<void>
}

export interface RequestCap {
  readonly limit: number
  readonly why: string
}

export class BillcomTransport extends Context.Tag("billsync/BillcomTransport")<BillcomTransport, Transport>() {
  /** Scoped: when the layer is released (the command ends — success, failure or interruption) the session is logged out. */
  static layer(settings: BillcomSettings): Layer.Layer<BillcomTransport, never, HttpClient.HttpClient> {
    return Layer.scoped(BillcomTransport, makeTransport(settings))
  }
}

type Outcome =
  | {
      readonly _tag: "Response"
      readonly status: number
      readonly text: string
      readonly retryAfterMs: number | undefined
    }
  | { readonly _tag: "Failure"; readonly kind: "timeout" | "connection" | "body"; readonly detail: string }

const SECRET_HEADERS = ["sessionid", "devkey"]

/** Retry-After: delta-seconds or an HTTP date (§7 documents none; honoured when a proxy sends it). */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

const backoff = (attempt: number, base: number, max: number, factor: number, jitter: number) =>
  Effect.map(Random.next, (u) => {
    const d = Math.min(max, base * Math.pow(factor, Math.max(0, attempt - 1)))
    return Math.round(d * (1 - jitter) + d * jitter * u)
  })

export const makeTransport = (settings: BillcomSettings) =>
  Effect.gen(function* () {
    const http = yield* HttpClient.HttpClient
    const stats = yield* makeStats
    const timeout = settings.requestTimeout
    // On a Postgres server ledger the devKey's limits are shared with every process using the key.
    const budgets = yield* Effect.serviceOption(KeyBudgets)
    const shared = Option.isSome(budgets)
      ? yield* budgets.value.forKey({
          devKey: settings.credentials.devKey,
          organizationId: settings.organizationId,
          maxWait: settings.hourlyLimitMaxWait,
          lease: Duration.sum(timeout, Duration.seconds(1))
        })
      : undefined
    const limiter = yield* makeLimiter({ ...settings, shared })
    const devKey = settings.credentials.devKey
    // Whatever Bill.com quotes back, these never leave the process (secrets.ts).
    for (const secret of Object.values(settings.credentials)) registerSecret(Redacted.value(secret))

    const cap = yield* Ref.make<RequestCap | undefined>(undefined)
    /** The run's request cap: a call past it is not sent (the logout at the end is exempt: it frees a session). */
    const checkCap = (call: Call) =>
      Effect.gen(function* () {
        const limit = yield* Ref.get(cap)
        if (limit === undefined || call.path === "/v3/logout") return
        const sent = (yield* stats.get).requests
        if (sent >= limit.limit)
          return yield* new BillcomError({
            reason: "RateLimited",
            message: `this run reached its request cap before ${call.endpoint}: ${limit.why}; stopped so that no server behaviour can spend the developer key's hourly budget`,
            endpoint: call.endpoint,
            advice:
              "if the run legitimately needs more requests (a first load of a large organisation), raise sync.maxRequestsPerRun in the pipeline; the next run resumes from the committed cursors"
          })
      })

    const urlOf = (call: Call) => `${call.api === "v3" ? settings.v3BaseUrl : settings.v2BaseUrl}${call.path}`

    const buildRequest = (
      call: Call,
      sessionId: Redacted.Redacted<string> | undefined
    ): HttpClientRequest.HttpClientRequest => {
      if (call.api === "v2") {
        const form: Record<string, string> = { devKey: Redacted.value(devKey) }
        if (sessionId !== undefined) form["sessionId"] = Redacted.value(sessionId)
        if (call.body !== undefined) form["data"] = JSON.stringify(call.body)
        return HttpClientRequest.post(urlOf(call)).pipe(HttpClientRequest.bodyUrlParams(form))
      }
      let req = HttpClientRequest.make(call.method)(urlOf(call)).pipe(HttpClientRequest.acceptJson)
      if (sessionId !== undefined)
        req = HttpClientRequest.setHeaders(req, {
          devKey: Redacted.value(devKey),
          sessionId: Redacted.value(sessionId)
        })
      if (call.query !== undefined) req = HttpClientRequest.setUrlParams(req, call.query)
      if (call.body !== undefined) req = HttpClientRequest.bodyUnsafeJson(req, call.body)
      return req
    }

    /** One attempt, holding a limiter permit until the body is fully read. Never fails: outcomes are data. */
    const sendOnce = (
      call: Call,
      sessionId: Redacted.Redacted<string> | undefined
    ): Effect.Effect<Outcome, BillcomError> =>
      Effect.zipRight(
        checkCap(call),
        limiter.run(
          Effect.gen(function* () {
            yield* stats.request(call.endpoint)
            const response = yield* http.execute(buildRequest(call, sessionId))
            const text = yield* response.text
            const now = yield* Clock.currentTimeMillis
            return {
              _tag: "Response",
              status: response.status,
              text,
              retryAfterMs: parseRetryAfter(response.headers["retry-after"], now)
            } as Outcome
          }).pipe(
            Effect.scoped,
            Effect.timeoutFail({ duration: timeout, onTimeout: () => "timeout" as const }),
            Effect.catchAll((e): Effect.Effect<Outcome> => {
              if (e === "timeout")
                return Effect.as(stats.bump("timeouts"), {
                  _tag: "Failure",
                  kind: "timeout",
                  detail: `no answer within ${Duration.format(timeout)}`
                })
              // Only the reason and description: the platform error's request carries the session headers.
              const detail = `${e.reason}${e.description !== undefined ? `: ${e.description}` : ""}`
              return Effect.succeed({
                _tag: "Failure",
                kind: e._tag === "ResponseError" ? "body" : "connection",
                detail
              })
            }),
            Effect.locally(Headers.currentRedactedNames, [
              ...SECRET_HEADERS,
              "authorization",
              "cookie",
              "set-cookie",
              "x-api-key"
            ])
          ),
          call.path === LOGIN_PATH ? "login" : "request"
        )
      )

    /** Success JSON, or the parsed error; v2 answers HTTP 200 with `response_status: 1` on failure. */
    const interpret = (
      call: Call,
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
        if (call.api === "v2") {
          const envelope = json as { response_status?: unknown; response_data?: unknown }
          if (typeof json !== "object" || json === null || !("response_status" in envelope))
            return {
              ok: false,
              parsed: { shape: "UnknownJson", entries: [{ message: "v2 answer without response_status" }] },
              unreadable: true
            }
          if (envelope.response_status !== 0 && envelope.response_status !== "0")
            return { ok: false, parsed: parseErrorJson(json) }
          return { ok: true, json: envelope.response_data }
        }
        return { ok: true, json }
      }
      return { ok: false, parsed: parseErrorBody(outcome.text) }
    }

    const errorFor = (
      call: Call,
      reason: BillcomError["reason"],
      status: number | undefined,
      parsed: ParsedErrorBody | undefined,
      detail?: string,
      advice?: string
    ) => {
      const entry = parsed === undefined ? undefined : primaryEntry(parsed)
      const described = parsed === undefined ? "" : describeEntries(parsed)
      const what =
        described !== ""
          ? detail !== undefined
            ? `${described} (${detail})`
            : described
          : (detail ?? (status !== undefined ? `HTTP ${status}` : "no answer"))
      // Bill.com's text is quoted, so it is scrubbed: an error body may repeat the request's devKey or sessionId.
      return new BillcomError({
        reason,
        message: scrub(`Bill.com ${call.endpoint} failed${status !== undefined ? ` (HTTP ${status})` : ""}: ${what}`),
        code: entry?.code,
        billcomMessage: entry?.message === undefined ? undefined : scrub(entry.message),
        status,
        endpoint: call.endpoint,
        advice
      })
    }

    /** Retry loop shared by logins and calls; `onSession` handles invalid-session verdicts (calls only). */
    const run = <A>(
      call: Call,
      attemptOnce: () => Effect.Effect<{ outcome: Outcome; ticket: A }, BillcomError>,
      onSession: ((ticket: A) => Effect.Effect<void, BillcomError>) | undefined
    ): Effect.Effect<unknown, BillcomError> =>
      Effect.gen(function* () {
        let transient = 0
        let concurrency = 0
        let hourly = 0
        const login = onSession === undefined
        for (;;) {
          const { outcome, ticket } = yield* attemptOnce()
          let verdict: Verdict
          let parsed: ParsedErrorBody | undefined
          let status: number | undefined
          let retryAfterMs: number | undefined
          if (outcome._tag === "Failure") {
            verdict = { _tag: "Transient" }
          } else {
            const result = interpret(call, outcome)
            if (result.ok) return result.json
            parsed = result.parsed
            status = outcome.status
            retryAfterMs = outcome.retryAfterMs
            verdict = classify(outcome.status, primaryEntry(parsed)?.code, login)
            // A 2xx we could not read (cut or non-JSON body) is a transport problem: re-send.
            if (result.unreadable === true) verdict = { _tag: "Transient" }
          }
          const detail = outcome._tag === "Failure" ? `${outcome.kind}: ${outcome.detail}` : undefined
          switch (verdict._tag) {
            case "SessionExpired": {
              yield* onSession!(ticket)
              continue
            }
            case "Credentials":
              return yield* errorFor(call, "Credentials", status, parsed, detail, CREDENTIALS_ADVICE)
            case "NotFound":
              return yield* errorFor(call, "NotFound", status, parsed, detail)
            case "Fatal":
              return yield* errorFor(call, "Request", status, parsed, detail)
            case "HourlyLimited": {
              yield* stats.bump("rateLimitErrors")
              hourly++
              // Logins have their own budget (200/h): a refused login must not stop every other request.
              yield* login ? limiter.exhaustLogins : limiter.exhaustHour
              if (hourly > MAX_HOURLY_WAITS) return yield* errorFor(call, "RateLimited", status, parsed, detail)
              yield* limiter.awaitNextHour
              continue
            }
            case "ConcurrencyLimited": {
              yield* stats.bump("rateLimitErrors")
              concurrency++
              if (concurrency >= CONCURRENCY_BACKOFF.attempts)
                return yield* errorFor(
                  call,
                  "RateLimited",
                  status,
                  parsed,
                  detail,
                  "Bill.com kept refusing requests for concurrency (BDC_1322); another client is probably using the same developer key and organization."
                )
              const computed = yield* backoff(
                concurrency,
                Duration.toMillis(CONCURRENCY_BACKOFF.base),
                Duration.toMillis(CONCURRENCY_BACKOFF.max),
                CONCURRENCY_BACKOFF.factor,
                CONCURRENCY_BACKOFF.jitter
              )
              yield* retryPause(call, computed, retryAfterMs, status, parsed, detail, concurrency)
              continue
            }
            case "Transient": {
              transient++
              if (call.idempotent === false)
                return yield* errorFor(
                  call,
                  outcome._tag === "Failure" ? "Transport" : "Server",
                  status,
                  parsed,
                  detail,
                  "Bill.com may or may not have applied this change; it is not re-sent automatically. Re-run the plan to see the current state."
                )
              if (transient > settings.retry.retries)
                return yield* errorFor(
                  call,
                  outcome._tag === "Failure" ? "Transport" : "Server",
                  status,
                  parsed,
                  detail ? `${detail} (after ${transient} attempts)` : undefined
                )
              const computed = yield* backoff(
                transient,
                Duration.toMillis(settings.retry.baseDelay),
                Duration.toMillis(settings.retry.maxDelay),
                TRANSIENT_BACKOFF.factor,
                TRANSIENT_BACKOFF.jitter
              )
              yield* retryPause(call, computed, retryAfterMs, status, parsed, detail, transient)
              continue
            }
          }
        }
      })

    /** Sleep the backoff, or what Retry-After asks for — unless that is longer than a run may wait. */
    const retryPause = (
      call: Call,
      computedMs: number,
      retryAfterMs: number | undefined,
      status: number | undefined,
      parsed: ParsedErrorBody | undefined,
      detail: string | undefined,
      attempt: number
    ) =>
      Effect.gen(function* () {
        if (retryAfterMs !== undefined && retryAfterMs > Duration.toMillis(settings.hourlyLimitMaxWait))
          return yield* errorFor(
            call,
            "RateLimited",
            status,
            parsed,
            `Retry-After asks for ${Math.round(retryAfterMs / 1000)} s`
          )
        const delayMs = retryAfterMs ?? computedMs
        yield* stats.bump("retries")
        yield* Effect.logDebug("Bill.com call failed; retrying").pipe(
          Effect.annotateLogs({
            endpoint: call.endpoint,
            status: status ?? "none",
            code: (parsed && primaryEntry(parsed)?.code) || "none",
            detail: detail ?? "",
            attempt,
            delayMs
          })
        )
        yield* Effect.sleep(Duration.millis(delayMs))
      })

    const loginCall: Call = { api: "v3", method: "POST", path: LOGIN_PATH, endpoint: "POST /v3/login" }
    const loginOnce: Effect.Effect<LoginResult, BillcomError> = Effect.gen(function* () {
      const body = {
        username: Redacted.value(settings.credentials.username),
        password: Redacted.value(settings.credentials.password),
        organizationId: settings.organizationId,
        devKey: Redacted.value(devKey)
      }
      const json = yield* run(
        { ...loginCall, body },
        () => Effect.map(sendOnce({ ...loginCall, body }, undefined), (outcome) => ({ outcome, ticket: undefined })),
        undefined
      )
      const r = json as
        | { sessionId?: unknown; organizationId?: unknown; userId?: unknown; trusted?: unknown }
        | undefined
      if (typeof r?.sessionId !== "string" || r.sessionId === "")
        return yield* new BillcomError({
          reason: "Decode",
          message: "Bill.com login answered without a sessionId",
          endpoint: loginCall.endpoint
        })
      registerSecret(r.sessionId)
      return {
        sessionId: Redacted.make(r.sessionId),
        organizationId: typeof r.organizationId === "string" ? r.organizationId : settings.organizationId,
        userId: typeof r.userId === "string" ? r.userId : "",
        trusted: r.trusted === true
      }
    })

    const session = yield* makeSessionManager({
      login: loginOnce,
      reauthMaxPerRun: settings.reauthMaxPerRun,
      idleRefresh: settings.idleRefresh,
      pipeline: settings.pipeline,
      events: {
        onLogin: (kind) =>
          Effect.zipRight(
            stats.bump("logins"),
            kind === "reauth" ? stats.bump("reauths") : kind === "idle" ? stats.bump("idleRefreshes") : Effect.void
          )
      }
    })

    // Sessions are a budget (200 logins an hour per devKey): whatever ends the run, log out the live
    // session (§1.4: POST /v3/logout, 200 with an empty body). Best effort and bounded: a failed or
    // slow logout only leaves the session to expire after 35 idle minutes, so it never fails the run.
    const logoutCall: Call = { api: "v3", method: "POST", path: "/v3/logout", endpoint: "POST /v3/logout" }
    const logoutWait = Duration.min(timeout, LOGOUT_MAX_WAIT)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        const live = yield* session.end
        if (Option.isNone(live)) return
        // Finalizers run uninterruptibly; the request itself must stay interruptible for the timeout to cut it.
        const outcome = yield* Effect.interruptible(sendOnce(logoutCall, live.value.sessionId)).pipe(
          Effect.timeoutOption(logoutWait)
        )
        const answered = Option.isSome(outcome) && outcome.value._tag === "Response" ? outcome.value.status : undefined
        if (answered !== undefined && answered >= 200 && answered < 300)
          return yield* Effect.logDebug("Bill.com session logged out")
        yield* Effect.logDebug("Bill.com logout did not succeed; the session expires after 35 idle minutes").pipe(
          Effect.annotateLogs({ status: answered ?? "no answer" })
        )
      }).pipe(Effect.catchAllCause(() => Effect.void))
    )

    const execute = (call: Call): Effect.Effect<unknown, BillcomError> =>
      run(
        call,
        () =>
          Effect.gen(function* () {
            const ticket = yield* session.current
            const outcome = yield* sendOnce(call, ticket.sessionId)
            if (outcome._tag === "Response" && outcome.status < 300) yield* session.touch
            return { outcome, ticket }
          }),
        (ticket) => session.expired(ticket)
      ).pipe(Effect.withSpan("BillcomTransport.execute", { attributes: { endpoint: call.endpoint } }))

    return {
      settings,
      execute,
      session,
      limiter,
      stats: stats.get,
      capRequests: (next) => Ref.set(cap, next)
    } satisfies Transport
  })
