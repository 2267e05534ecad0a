import { Duration, Effect, Redacted } from "effect"
import { endpointsFor, type Pipeline } from "../config/index.ts"
import { BillcomError } from "./errors.ts"
import { type SecretRegistry, Secrets } from "./secrets.ts"

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
  /** Re-sends of a request after a transient failure (pipeline `sync.retry.attempts`); 0 = try once. */
  readonly retries: number
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

export const DEFAULT_DEV_KEY_VARIABLE = "BILLCOM_DEFAULT_DEV_KEY"

export const DEFAULTS = {
  pageSize: 100,
  concurrency: 3,
  requestsPerHour: 20_000,
  requestTimeoutMs: 30_000,
  retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 60_000 },
  reauth: { maxPerRun: 3, idleRefreshMinutes: 30 },
  /** Not in the pipeline file: how long a run may wait for Bill.com's next clock hour. */
  hourlyLimitMaxWaitMinutes: 5
} as const

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(n)))

const trimSlash = (url: string) => url.replace(/\/+$/, "")

/**
 * Registers the values of the environment variables the pipeline names as secrets (secrets.ts), so
 * every command that loads the pipeline scrubs them from what it prints, stores and renders — also
 * text stored before (a report of old runs).
 */
export const registerPipelineSecrets = (
  pipeline: Pipeline,
  secrets: SecretRegistry,
  env: Readonly<Record<string, string | undefined>> = process.env
): void => {
  const c = pipeline.billcom.credentials
  for (const variable of [c.devKey ?? DEFAULT_DEV_KEY_VARIABLE, c.username, c.password]) secrets.register(env[variable])
}

/**
 * Build settings from a loaded pipeline and an environment (usually `process.env`). Every missing
 * variable is reported at once, by NAME — the error never contains a value. `emulator` supplies the
 * base URLs of an in-process emulator (environment `emulator` without `baseUrl`).
 */
export const settingsFromPipeline = (
  pipeline: Pipeline,
  env: Readonly<Record<string, string | undefined>>,
  emulator?: { readonly v3BaseUrl: string; readonly v2BaseUrl: string }
): Effect.Effect<BillcomSettings, BillcomError> =>
  Effect.gen(function* () {
    const b = pipeline.billcom
    registerPipelineSecrets(pipeline, yield* Secrets, env)
    const missing: Array<string> = []
    const read = (what: string, variable: string): Redacted.Redacted<string> => {
      const value = env[variable]
      if (value === undefined || value.trim() === "") missing.push(`${variable} (${what})`)
      return Redacted.make(value ?? "")
    }
    const credentials: BillcomCredentials = {
      devKey: read(
        b.credentials.devKey === undefined
          ? "Bill.com developer key; the pipeline names no devKey variable, so the default one is used"
          : "Bill.com developer key",
        b.credentials.devKey ?? DEFAULT_DEV_KEY_VARIABLE
      ),
      username: read("Bill.com username / API token name", b.credentials.username),
      password: read("Bill.com password / API token value", b.credentials.password)
    }
    if (missing.length > 0)
      return yield* new BillcomError({
        reason: "Config",
        message: `Bill.com credentials are not set: environment variable${missing.length > 1 ? "s" : ""} ${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} missing or empty`,
        advice:
          "Export the variables named under billcom.credentials in the pipeline file (values never go in the repository)."
      })

    const endpoints = endpointsFor(pipeline)
    const urls =
      "v3" in endpoints
        ? endpoints
        : emulator !== undefined
          ? { v3: emulator.v3BaseUrl, v2: emulator.v2BaseUrl }
          : undefined
    if (urls === undefined)
      return yield* new BillcomError({
        reason: "Config",
        message: `pipeline ${pipeline.name} uses the in-process emulator: start it (Emulator.layer) and pass its base URLs`
      })

    const s = pipeline.sync
    return {
      environment: b.environment,
      pipeline: pipeline.name,
      v3BaseUrl: trimSlash(urls.v3),
      v2BaseUrl: trimSlash(urls.v2),
      organizationId: b.organizationId,
      credentials,
      pageSize: clamp(s.pageSize, 1, 100),
      concurrency: clamp(s.concurrency, 1, 3),
      requestsPerHour: clamp(s.requestsPerHour, 1, 20_000),
      requestTimeout: Duration.millis(s.requestTimeoutMs),
      retry: {
        retries: Math.max(0, s.retry.attempts),
        baseDelay: Duration.millis(s.retry.baseDelayMs),
        maxDelay: Duration.millis(s.retry.maxDelayMs)
      },
      reauthMaxPerRun: Math.max(0, s.reauth.maxPerRun),
      idleRefresh: Duration.minutes(s.reauth.idleRefreshMinutes),
      hourlyLimitMaxWait: Duration.minutes(DEFAULTS.hourlyLimitMaxWaitMinutes)
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
  readonly retry?: {
    readonly retries?: number
    readonly baseDelay?: Duration.DurationInput
    readonly maxDelay?: Duration.DurationInput
  }
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
    retries: input.retry?.retries ?? DEFAULTS.retry.attempts,
    baseDelay: Duration.decode(input.retry?.baseDelay ?? DEFAULTS.retry.baseDelayMs),
    maxDelay: Duration.decode(input.retry?.maxDelay ?? DEFAULTS.retry.maxDelayMs)
  },
  reauthMaxPerRun: input.reauthMaxPerRun ?? DEFAULTS.reauth.maxPerRun,
  idleRefresh: Duration.decode(input.idleRefresh ?? Duration.minutes(DEFAULTS.reauth.idleRefreshMinutes)),
  hourlyLimitMaxWait: Duration.decode(input.hourlyLimitMaxWait ?? Duration.minutes(DEFAULTS.hourlyLimitMaxWaitMinutes))
})
