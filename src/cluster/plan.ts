import { CronExpressionParser } from "cron-parser"
import { KEY_LIMITS, type KeyLimits } from "../billcom/budget.ts"
import { DEFAULT_DEV_KEY_VARIABLE } from "../billcom/settings.ts"
import { cronProblem } from "../config/cron.ts"
import type { LoadedPipeline } from "../config/index.ts"

/**
 * `billsync cluster plan`: do the pipelines' schedules fit their developer keys' budgets? Bill.com
 * counts per developer key and fixed clock hour (§7): every sync logs in once (200 logins per key
 * per hour) and spends its requests (20,000 per key per hour, logins included). A pure function
 * of the schedules, the keys they use and what a sync costs — so it runs in `validate` and CI too.
 */
export interface PlannedPipeline {
  readonly name: string
  /** The key's identity without the secret: the environment variable naming the devKey, and the environment. */
  readonly key: string
  readonly schedule: string
  /** Requests a sync of this pipeline spends (measured from its runs, else an assumption). */
  readonly requestsPerSync: number
  readonly measured: boolean
}

export interface KeyPlan {
  readonly key: string
  readonly pipelines: number
  /** Syncs in the busiest clock hour of the week (every sync logs in once). */
  readonly peakLogins: number
  readonly peakHour: string
  readonly peakRequests: number
  /** Syncs an hour on average over the week. */
  readonly averageLogins: number
  readonly averageRequests: number
  readonly limits: KeyLimits
  readonly fits: boolean
  /** What would fit, when it does not (sentences). */
  readonly advice: ReadonlyArray<string>
}

/** Requests a sync is assumed to spend when no run measured it (`cluster plan --requests-per-sync`). */
export const ASSUMED_REQUESTS_PER_SYNC = 150

/** The key a pipeline uses, without its secret: the variable that names the devKey, in its environment. */
export const keyOf = (p: LoadedPipeline) =>
  `${p.pipeline.billcom.credentials.devKey ?? DEFAULT_DEV_KEY_VARIABLE} (${p.pipeline.billcom.environment})`

/** The pipelines with a valid schedule, with what a sync of each costs: measured from its runs, else assumed. */
export const plannedPipelines = (
  pipelines: ReadonlyArray<LoadedPipeline>,
  requestsPerSync: number = ASSUMED_REQUESTS_PER_SYNC,
  measured: ReadonlyMap<string, number> = new Map()
): Array<PlannedPipeline & { readonly file: string }> =>
  pipelines.flatMap((p) => {
    const schedule = p.pipeline.schedule
    if (schedule === undefined || cronProblem(schedule) !== undefined) return []
    const m = measured.get(p.pipeline.name)
    return [
      {
        name: p.pipeline.name,
        file: p.file,
        key: keyOf(p),
        schedule,
        requestsPerSync: m ?? requestsPerSync,
        measured: m !== undefined
      }
    ]
  })

const HOUR_MS = 3_600_000
const WEEK_HOURS = 168
/** A fixed week (Monday 2024-01-01 00:00 UTC), so the same schedules always give the same answer. */
const WEEK_START = Date.UTC(2024, 0, 1)

/** Firings of `expression` in each clock hour of the fixed week (index 0 = Monday 00:00 UTC). */
export const firingsPerHour = (expression: string): ReadonlyArray<number> => {
  const counts = new Array<number>(WEEK_HOURS).fill(0)
  const cron = CronExpressionParser.parse(expression, { tz: "UTC", currentDate: new Date(WEEK_START - 1) })
  for (;;) {
    const at = cron.next().getTime()
    const hour = Math.floor((at - WEEK_START) / HOUR_MS)
    if (hour >= WEEK_HOURS) break
    counts[hour]!++
  }
  return counts
}

const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
const hourName = (index: number) => `${DAYS[Math.floor(index / 24)]} ${String(index % 24).padStart(2, "0")}:00 UTC`

const round1 = (n: number) => Math.round(n * 10) / 10

/** The shortest interval of whole hours dividing a day that is at least `n` hours, with an example cron. */
const everyHours = (n: number): { hours: number; cron: string } | undefined => {
  const hours = [1, 2, 3, 4, 6, 8, 12, 24].find((d) => d >= n)
  if (hours === undefined) return undefined
  return {
    hours,
    cron: hours === 1 ? "17 * * * *" : hours === 24 ? "17 5 * * *" : `17 ${Math.min(2, hours - 1)}/${hours} * * *`
  }
}

export const planKeys = (
  pipelines: ReadonlyArray<PlannedPipeline>,
  limits: KeyLimits = KEY_LIMITS
): ReadonlyArray<KeyPlan> => {
  const firings = new Map<string, ReadonlyArray<number>>()
  const byKey = new Map<string, Array<PlannedPipeline>>()
  for (const p of pipelines) byKey.set(p.key, [...(byKey.get(p.key) ?? []), p])
  return [...byKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, ps]): KeyPlan => {
      const logins = new Array<number>(WEEK_HOURS).fill(0)
      const requests = new Array<number>(WEEK_HOURS).fill(0)
      for (const p of ps) {
        const f = firings.get(p.schedule) ?? firingsPerHour(p.schedule)
        firings.set(p.schedule, f)
        for (let h = 0; h < WEEK_HOURS; h++) {
          logins[h]! += f[h]!
          requests[h]! += f[h]! * p.requestsPerSync
        }
      }
      const peakAt = logins.reduce(
        (best, n, h) => (n > logins[best]! || (n === logins[best]! && requests[h]! > requests[best]!) ? h : best),
        0
      )
      const requestPeakAt = requests.reduce((best, n, h) => (n > requests[best]! ? h : best), 0)
      const peakLogins = logins[peakAt]!
      const peakRequests = requests[requestPeakAt]!
      const averageLogins = logins.reduce((a, b) => a + b, 0) / WEEK_HOURS
      const averageRequests = requests.reduce((a, b) => a + b, 0) / WEEK_HOURS
      const loginsOver = peakLogins > limits.loginsPerHour
      const requestsOver = peakRequests > limits.requestsPerHour
      const advice: Array<string> = []
      if (loginsOver || requestsOver) {
        const n = ps.length
        const perSync = ps.reduce((a, p) => a + p.requestsPerSync, 0) / n
        // Spread evenly over k hours, each pipeline syncs once per k hours: n/k logins and n·r/k requests an hour.
        const k = Math.max(Math.ceil(n / limits.loginsPerHour), Math.ceil((n * perSync) / limits.requestsPerHour))
        const every = everyHours(k)
        const averageFits = averageLogins <= limits.loginsPerHour && averageRequests <= limits.requestsPerHour
        if (averageFits)
          advice.push(
            `on average ${round1(averageLogins)} syncs/h fit; the schedules fire together (${peakLogins} syncs in ${hourName(peakAt)}): spread them over the hours (the worker runs each pipeline's own schedule; give pipelines different hours)`
          )
        if (every !== undefined)
          advice.push(
            `a ${every.hours}-hour schedule fits (every pipeline once per ${every.hours} h, spread over the hours: ${Math.ceil(n / every.hours)} logins/h, ~${Math.ceil((n * perSync) / every.hours)} requests/h; e.g. "${every.cron}" with the minute and first hour varied per pipeline)`
          )
        else
          advice.push(
            `no schedule on one key fits: ${n} syncs a day need more than a day's ${limits.loginsPerHour * 24} logins or ${limits.requestsPerHour * 24} requests`
          )
        const keys = Math.max(
          Math.ceil(peakLogins / limits.loginsPerHour),
          Math.ceil(peakRequests / limits.requestsPerHour)
        )
        advice.push(
          `or per-organisation keys: the current schedules need at least ${keys} developer keys (${limits.loginsPerHour} logins/h and ${limits.requestsPerHour} requests/h each)`
        )
      }
      return {
        key,
        pipelines: ps.length,
        peakLogins,
        peakHour: hourName(peakAt),
        peakRequests,
        averageLogins: round1(averageLogins),
        averageRequests: Math.round(averageRequests),
        limits,
        fits: !loginsOver && !requestsOver,
        advice
      }
    })
}

/** One line per key, e.g. "500 pipelines hourly need 500 logins/h > 200 on key X: a 3-hour schedule fits, or per-organisation keys". */
export const describeKeyPlan = (plan: KeyPlan): string => {
  const head = `key ${plan.key}: ${plan.pipelines} pipeline${plan.pipelines === 1 ? " needs" : "s need"} ${plan.peakLogins} logins/h (limit ${plan.limits.loginsPerHour}) and ~${plan.peakRequests} requests/h (limit ${plan.limits.requestsPerHour}) in the busiest hour (${plan.peakHour}); ${plan.averageLogins} syncs/h on average`
  if (plan.fits) return `${head} — fits`
  const over = [
    plan.peakLogins > plan.limits.loginsPerHour
      ? `${plan.peakLogins} logins/h > ${plan.limits.loginsPerHour}`
      : undefined,
    plan.peakRequests > plan.limits.requestsPerHour
      ? `${plan.peakRequests} requests/h > ${plan.limits.requestsPerHour}`
      : undefined
  ].filter((s) => s !== undefined)
  return `${head} — DOES NOT FIT (${over.join(", ")}): ${plan.advice.join("; ")}`
}
