import { Headers, HttpClient, HttpClientRequest } from "@effect/platform"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Ref, Schedule } from "effect"
import { KeyBudgets } from "./budget.ts"
import { BillcomError, type BillcomErrorReason, describeEntries, primaryEntry } from "./errors.ts"
import { hourlyBudgetError, type Limiter, logHourlyWait, makeLimiter, nextClockHour } from "./limiter.ts"
import { type RetryDecision, retrySchedule } from "./retry.ts"
import { Secrets } from "./secrets.ts"
import { type LoginResult, makeSessionManager, type SessionManager } from "./session.ts"
import type { BillcomSettings } from "./settings.ts"
import { type BillcomStats, makeStats } from "./stats.ts"
import { type Outcome, type Problem, type Retryable, verdictOf } from "./verdict.ts"

/**
 * The one Bill.com transport of a run: base URLs + session headers → limiter → send with timeout →
 * a pure verdict on the outcome (verdict.ts: BDC code first, HTTP status second) → re-auth
 * (capped) or wait, on that verdict's named schedule (retry.ts), and re-send through the same path. BillcomClient (reads) and BillcomWriter (COA writes) both sit on it, so they share
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

const LOGIN_PATH = "/v3/login"

/** The logout at the end of a run waits at most this long (or the request timeout, if shorter). */
export const LOGOUT_MAX_WAIT = Duration.seconds(5)

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

const SECRET_HEADERS = ["sessionid", "devkey"]

/** Retry-After: delta-seconds or an HTTP date (§7 documents none; honoured when a proxy sends it). */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

const CONCURRENCY_EXHAUSTED_ADVICE =
  "Bill.com kept refusing requests for concurrency (BDC_1322); another client is probably using the same developer key and organization."

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
    const secrets = yield* Secrets
    for (const secret of Object.values(settings.credentials)) secrets.register(Redacted.value(secret))

    const cap = yield* Ref.make<RequestCap | undefined>(undefined)
    // Each re-sent failure through its verdict's named schedule; paired with the failure for the log and the final error.
    const policy = Schedule.intersect(retrySchedule(settings), Schedule.identity<Retryable | BillcomError>())
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

    const errorFor = (call: Call, reason: BillcomErrorReason, problem: Problem, advice?: string) => {
      const { status, parsed, detail } = problem
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
        message: secrets.scrub(
          `Bill.com ${call.endpoint} failed${status !== undefined ? ` (HTTP ${status})` : ""}: ${what}`
        ),
        code: entry?.code,
        billcomMessage: entry?.message === undefined ? undefined : secrets.scrub(entry.message),
        status,
        endpoint: call.endpoint,
        advice
      })
    }

    /** Said before each re-send: transient and concurrency retries are counted and logged, an hourly wait is warned of. */
    const onRetry =
      (call: Call) =>
      ([decision, failure]: readonly [RetryDecision, Retryable | BillcomError]): Effect.Effect<void> => {
        if (decision._tag !== "Retry") return Effect.void
        switch (failure._tag) {
          case "RetryTransient":
          case "RetryConcurrency": {
            const { status, parsed, detail } = failure.problem
            return Effect.zipRight(
              stats.bump("retries"),
              Effect.logDebug("Bill.com call failed; retrying").pipe(
                Effect.annotateLogs({
                  endpoint: call.endpoint,
                  status: status ?? "none",
                  code: (parsed && primaryEntry(parsed)?.code) || "none",
                  detail: detail ?? "",
                  attempt: decision.attempt,
                  delayMs: Duration.toMillis(decision.delay)
                })
              )
            )
          }
          case "WaitForHour":
            return Effect.flatMap(Clock.currentTimeMillis, (now) => logHourlyWait(nextClockHour(now).resumeAtMs))
          case "Relogin":
          case "BillcomError":
            return Effect.void
        }
      }

    /** The error a call ends with when its verdict's schedule stops re-sending it. */
    const giveUp = (
      call: Call,
      failure: Retryable | BillcomError,
      decision: RetryDecision
    ): Effect.Effect<never, BillcomError> => {
      if (failure._tag === "BillcomError") return Effect.fail(failure)
      const retryAfter = (waitMs: number) =>
        errorFor(call, "RateLimited", {
          ...failure.problem,
          detail: `Retry-After asks for ${Math.round(waitMs / 1000)} s`
        })
      switch (decision._tag) {
        case "Exhausted": {
          const { problem } = failure
          switch (failure._tag) {
            case "RetryTransient":
              return Effect.fail(
                errorFor(call, failure.reason, {
                  ...problem,
                  detail: problem.detail ? `${problem.detail} (after ${decision.attempt} attempts)` : undefined
                })
              )
            case "RetryConcurrency":
              return Effect.fail(errorFor(call, "RateLimited", problem, CONCURRENCY_EXHAUSTED_ADVICE))
            case "WaitForHour":
              return Effect.fail(errorFor(call, "RateLimited", problem))
            case "Relogin":
              break
          }
          break
        }
        case "WaitTooLong":
          return Effect.fail(
            failure._tag === "WaitForHour" ? hourlyBudgetError(decision.resumeAtMs) : retryAfter(decision.waitMs)
          )
        case "Retry":
        case "Final":
          break
      }
      return Effect.dieMessage(`retry schedule stopped with ${decision._tag} on ${failure._tag}`)
    }

    /**
     * One call with its retries. Each attempt's outcome gets a pure verdict (verdict.ts): Done returns,
     * Fail fails, and a retrying verdict fails with itself into Effect.retryOrElse, whose schedule
     * (retry.ts: one named schedule per verdict, each with its own count) sleeps before the re-send
     * or says why it stops. What a verdict needs done every time it is seen happens here, before the
     * schedule decides: a re-login (`onSession`, capped per run by the session manager), and for the
     * rate limits the stats and the limiter told that Bill.com's hour is spent. A BillcomError of the
     * attempt itself (the request cap, the limiter, a refused re-login) is final.
     */
    const run = <A>(
      call: Call,
      attemptOnce: () => Effect.Effect<{ outcome: Outcome; ticket: A }, BillcomError>,
      onSession: ((ticket: A) => Effect.Effect<void, BillcomError>) | undefined
    ): Effect.Effect<unknown, BillcomError> => {
      const login = onSession === undefined
      const attempt: Effect.Effect<unknown, Retryable | BillcomError> = Effect.gen(function* () {
        const { outcome, ticket } = yield* attemptOnce()
        const verdict = verdictOf(call, outcome, login)
        switch (verdict._tag) {
          case "Done":
            return verdict.json
          case "Fail":
            return yield* errorFor(call, verdict.reason, verdict.problem, verdict.advice)
          case "Relogin":
            if (onSession === undefined) return yield* Effect.dieMessage("a login cannot ask for a re-login")
            yield* onSession(ticket)
            return yield* Effect.fail(verdict)
          case "WaitForHour":
            yield* stats.bump("rateLimitErrors")
            // Logins have their own budget (200/h): a refused login must not stop every other request.
            yield* login ? limiter.exhaustLogins : limiter.exhaustHour
            return yield* Effect.fail(verdict)
          case "RetryConcurrency":
            yield* stats.bump("rateLimitErrors")
            return yield* Effect.fail(verdict)
          case "RetryTransient":
            return yield* Effect.fail(verdict)
        }
      })
      return Effect.retryOrElse(attempt, policy.pipe(Schedule.tapOutput(onRetry(call))), (failure, [decision]) =>
        giveUp(call, failure, decision)
      )
    }

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
      secrets.register(r.sessionId)
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
