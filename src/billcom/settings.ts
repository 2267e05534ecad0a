import { Duration, Effect, Redacted } from "effect"
import { BillcomError } from "./errors.ts"

/**
 * Everything the Bill.com client needs, resolved: endpoints, organisation, secrets (Redacted, read
 * from the environment variables the pipeline NAMES), paging, limits, retry and re-auth policy.
 */
export interface BillcomCredentials {
  readonly devKey: Redacted.Redacted<string>
  readonly username: Redacted.Redacted<string>
  readonly password: Redacted.Redacted<string>
}

export interface RetryPolicy {
  /** Total attempts per request (first try included). */
  readonly attempts: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
}

export interface BillcomSettings {
  readonly environment: string
  /** Pipeline name, for advice texts (`billsync connect <pipeline>`). */
  readonly pipeline?: string | undefined
  /** `…/connect` — paths append `/v3/...`. */
  readonly v3BaseUrl: string
  /** `…/api/v2` — paths append `/Crud/Read/Bill.json` etc. */
  readonly v2BaseUrl: string
  readonly organizationId: string
  readonly credentials: BillcomCredentials
  /** Records per page, 1–100; lists always send it (Bill.com's default is 20). */
  readonly pageSize: number
  /** Requests in flight, 1–3 (Bill.com: 3 per devKey + organization). */
  readonly concurrency: number
  /** Requests per clock hour, ≤ 20 000 (Bill.com: per devKey), logins included. */
  readonly requestsPerHour: number
  readonly requestTimeout: Duration.Duration
  readonly retry: RetryPolicy
  readonly reauthMaxPerRun: number
  /** Log in again before a call when the session has been idle this long (Bill.com expires at 35 min). */
  readonly idleRefresh: Duration.Duration
  /** When the hourly budget is spent: wait for the next clock hour only if it is at most this far. */
  readonly hourlyLimitMaxWait: Duration.Duration
}

/** The part of a pipeline (docs/design.md, src/config) the client reads; defaults as in the design. */
export interface PipelineBillcomInput {
  readonly name?: string | undefined
  readonly billcom: {
    readonly environment: string
    readonly baseUrl?: string | undefined
    readonly v2BaseUrl?: string | undefined
    readonly organizationId: string
    readonly credentials: {
      readonly devKey?: string | undefined
      readonly username: string
      readonly password: string
    }
  }
  readonly sync?:
    | {
        readonly pageSize?: number | undefined
        readonly concurrency?: number | undefined
        readonly requestsPerHour?: number | undefined
        readonly requestTimeoutMs?: number | undefined
        readonly retry?: { readonly attempts?: number | undefined; readonly baseDelayMs?: number | undefined; readonly maxDelayMs?: number | undefined } | undefined
        readonly reauth?: { readonly maxPerRun?: number | undefined; readonly idleRefreshMinutes?: number | undefined } | undefined
        readonly hourlyLimitMaxWaitMinutes?: number | undefined
      }
    | undefined
}

export const DEFAULT_DEV_KEY_VARIABLE = "BILLCOM_DEFAULT_DEV_KEY"

export const ENDPOINTS: Readonly<Record<string, { readonly v3: string; readonly v2: string }>> = {
  sandbox: { v3: "https://gateway.stage.bill.com/connect", v2: "https://api-stage.bill.com/api/v2" },
  production: { v3: "https://gateway.prod.bill.com/connect", v2: "https://api.bill.com/api/v2" }
}

export const DEFAULTS = {
  pageSize: 100,
  concurrency: 3,
  requestsPerHour: 20_000,
  requestTimeoutMs: 30_000,
  retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 },
  reauth: { maxPerRun: 3, idleRefreshMinutes: 30 },
  hourlyLimitMaxWaitMinutes: 5
} as const

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)))

const trimSlash = (url: string) => url.replace(/\/+$/, "")

/**
 * Build settings from a pipeline and an environment (usually `process.env`). Every missing variable
 * is reported at once, by NAME — the error never contains a value. `endpoints` supplies the base
 * URLs of an in-process emulator (environment `emulator` without `baseUrl`).
 */
export const settingsFromPipeline = (
  pipeline: PipelineBillcomInput,
  env: Readonly<Record<string, string | undefined>>,
  endpoints?: { readonly v3BaseUrl: string; readonly v2BaseUrl: string }
): Effect.Effect<BillcomSettings, BillcomError> =>
  Effect.gen(function* () {
    const b = pipeline.billcom
    const names = {
      devKey: b.credentials.devKey ?? DEFAULT_DEV_KEY_VARIABLE,
      username: b.credentials.username,
      password: b.credentials.password
    }
    const missing: Array<string> = []
    const read = (what: string, variable: string): Redacted.Redacted<string> => {
      const value = env[variable]
      if (value === undefined || value.trim() === "") missing.push(`${variable} (${what})`)
      return Redacted.make(value ?? "")
    }
    const devKeyWhat = b.credentials.devKey === undefined ? `Bill.com developer key; the pipeline names none, so the default variable is used` : "Bill.com developer key"
    const credentials: BillcomCredentials = {
      devKey: read(devKeyWhat, names.devKey),
      username: read("Bill.com username / API token name", names.username),
      password: read("Bill.com password / API token value", names.password)
    }
    if (missing.length > 0)
      return yield* new BillcomError({
        reason: "Config",
        message: `Bill.com credentials are not set: environment variable${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing or empty`,
        advice: "Export the variables named under billcom.credentials in the pipeline file (values never go in the repository)."
      })

    const fixed = ENDPOINTS[b.environment]
    const v3 = b.baseUrl ?? endpoints?.v3BaseUrl ?? fixed?.v3
    const v2 = b.v2BaseUrl ?? endpoints?.v2BaseUrl ?? (b.baseUrl !== undefined ? b.baseUrl.replace(/\/connect\/?$/, "/api/v2") : fixed?.v2)
    if (v3 === undefined || v2 === undefined)
      return yield* new BillcomError({
        reason: "Config",
        message: `no Bill.com endpoint for environment '${b.environment}': set billcom.baseUrl, or run the in-process emulator`
      })

    const s = pipeline.sync ?? {}
    return {
      environment: b.environment,
      pipeline: pipeline.name,
      v3BaseUrl: trimSlash(v3),
      v2BaseUrl: trimSlash(v2),
      organizationId: b.organizationId,
      credentials,
      pageSize: clamp(s.pageSize ?? DEFAULTS.pageSize, 1, 100),
      concurrency: clamp(s.concurrency ?? DEFAULTS.concurrency, 1, 3),
      requestsPerHour: clamp(s.requestsPerHour ?? DEFAULTS.requestsPerHour, 1, 20_000),
      requestTimeout: Duration.millis(s.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs),
      retry: {
        attempts: Math.max(1, s.retry?.attempts ?? DEFAULTS.retry.attempts),
        baseDelay: Duration.millis(s.retry?.baseDelayMs ?? DEFAULTS.retry.baseDelayMs),
        maxDelay: Duration.millis(s.retry?.maxDelayMs ?? DEFAULTS.retry.maxDelayMs)
      },
      reauthMaxPerRun: Math.max(0, s.reauth?.maxPerRun ?? DEFAULTS.reauth.maxPerRun),
      idleRefresh: Duration.minutes(s.reauth?.idleRefreshMinutes ?? DEFAULTS.reauth.idleRefreshMinutes),
      hourlyLimitMaxWait: Duration.minutes(s.hourlyLimitMaxWaitMinutes ?? DEFAULTS.hourlyLimitMaxWaitMinutes)
    }
  })

/** Settings for tests and the emulator: explicit values, defaults for the rest. */
export interface SettingsInput {
  readonly v3BaseUrl: string
  readonly v2BaseUrl: string
  readonly organizationId: string
  readonly credentials: { readonly devKey: string; readonly username: string; readonly password: string }
  readonly environment?: string
  readonly pipeline?: string
  readonly pageSize?: number
  readonly concurrency?: number
  readonly requestsPerHour?: number
  readonly requestTimeout?: Duration.DurationInput
  readonly retry?: { readonly attempts?: number; readonly baseDelay?: Duration.DurationInput; readonly maxDelay?: Duration.DurationInput }
  readonly reauthMaxPerRun?: number
  readonly idleRefresh?: Duration.DurationInput
  readonly hourlyLimitMaxWait?: Duration.DurationInput
}

export const makeSettings = (input: SettingsInput): BillcomSettings => ({
  environment: input.environment ?? "emulator",
  pipeline: input.pipeline,
  v3BaseUrl: trimSlash(input.v3BaseUrl),
  v2BaseUrl: trimSlash(input.v2BaseUrl),
  organizationId: input.organizationId,
  credentials: {
    devKey: Redacted.make(input.credentials.devKey),
    username: Redacted.make(input.credentials.username),
    password: Redacted.make(input.credentials.password)
  },
  pageSize: input.pageSize ?? DEFAULTS.pageSize,
  concurrency: input.concurrency ?? DEFAULTS.concurrency,
  requestsPerHour: input.requestsPerHour ?? DEFAULTS.requestsPerHour,
  requestTimeout: Duration.decode(input.requestTimeout ?? DEFAULTS.requestTimeoutMs),
  retry: {
    attempts: input.retry?.attempts ?? DEFAULTS.retry.attempts,
    baseDelay: Duration.decode(input.retry?.baseDelay ?? DEFAULTS.retry.baseDelayMs),
    maxDelay: Duration.decode(input.retry?.maxDelay ?? DEFAULTS.retry.maxDelayMs)
  },
  reauthMaxPerRun: input.reauthMaxPerRun ?? DEFAULTS.reauth.maxPerRun,
  idleRefresh: Duration.decode(input.idleRefresh ?? Duration.minutes(DEFAULTS.reauth.idleRefreshMinutes)),
  hourlyLimitMaxWait: Duration.decode(input.hourlyLimitMaxWait ?? Duration.minutes(DEFAULTS.hourlyLimitMaxWaitMinutes))
})
