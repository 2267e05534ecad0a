import { CronExpressionParser } from "cron-parser"
import { createHash } from "node:crypto"

/**
 * Pipeline schedules as GitHub Actions reads them: 5-field POSIX cron in UTC. Parsing and the
 * firing times come from cron-parser; what is ours is GitHub's subset (no `L`, `W`, `#`, `?`, `H`,
 * seconds or nicknames, which cron-parser accepts and GitHub rejects) and its 5-minute minimum.
 */

/** GitHub runs scheduled workflows at most every 5 minutes. */
export const GITHUB_MIN_INTERVAL_MINUTES = 5

const FIELDS = ["minute", "hour", "day of month", "month", "day of week"] as const
/** Each field's allowed numbers (day of week: 0 and 7 are Sunday). */
const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7]
]

/** One comma-separated part of a field: `*`, `n`, `n-m`, any of them `/step`; names only in month and day of week. */
const PART = /^(\*|\d+(-\d+)?)(\/\d+)?$/
const NAMED_PART = /^(\*|(\d+|[a-z]{3})(-(\d+|[a-z]{3}))?)(\/\d+)?$/i

/** Fixed, so the same expression always gives the same answer (a leap year starting on a Monday). */
const FROM = new Date("2024-01-01T00:00:00Z")
/** Enough firings to see every gap of a daily pattern (at most 288 a day at 5-minute steps) and the days around it. */
const SAMPLE = 1200
/** …and no further than this: a rare schedule (29 February) is not followed for centuries. */
const HORIZON = new Date("2026-03-01T00:00:00Z").getTime()

const parse = (expression: string) => CronExpressionParser.parse(expression, { tz: "UTC", currentDate: FROM })

/** The gaps between consecutive firings, in minutes, over the sample (empty when it fires at most once). */
const gaps = (expression: string): ReadonlyArray<number> => {
  const cron = parse(expression)
  const out: Array<number> = []
  let previous: number | undefined
  for (let i = 0; i < SAMPLE && cron.hasNext(); i++) {
    const at = cron.next().getTime()
    if (at > HORIZON) break
    if (previous !== undefined) out.push((at - previous) / 60_000)
    previous = at
  }
  return out
}

/**
 * The shortest gap between two firings, in minutes, when it is under an hour (else undefined).
 * Such a gap lies within one hour or across one hour boundary, so the minute and hour fields
 * decide it; only across midnight do the day fields matter, and then the firing times are sampled.
 */
const shortestGapUnderAnHour = (expression: string): number | undefined => {
  const { minute, hour } = parse(expression).fields
  const minutes = [...minute.values].sort((a, b) => a - b)
  const hours = new Set<number>(hour.values)
  const candidates: Array<number> = []
  for (let i = 1; i < minutes.length; i++) candidates.push(minutes[i]! - minutes[i - 1]!)
  const acrossTheHour = 60 - minutes[minutes.length - 1]! + minutes[0]!
  if ([...hours].some((h) => hours.has(h + 1))) candidates.push(acrossTheHour)
  else if (hours.has(23) && hours.has(0) && acrossTheHour < 60 && gaps(expression).includes(acrossTheHour))
    candidates.push(acrossTheHour)
  const shortest = Math.min(...candidates)
  return shortest < 60 ? shortest : undefined
}

/** Why a schedule is not one GitHub Actions will run as written, or undefined. */
export const cronProblem = (expression: string): string | undefined => {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5)
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`
  for (let i = 0; i < 5; i++) {
    const field = fields[i]!
    const pattern = i >= 3 ? NAMED_PART : PART
    if (!field.split(",").every((part) => pattern.test(part))) {
      return `${FIELDS[i]} field "${field}" is not cron syntax GitHub Actions accepts (numbers${i >= 3 ? ", three-letter names" : ""}, *, ",", "-" and "/")`
    }
    // Said in the field's words before cron-parser's own ("Constraint error, got value 24 …").
    const [lo, hi] = RANGES[i]!
    const numbers = field
      .split(",")
      .flatMap((part) => part.replace(/\/\d+$/, "").split("-"))
      .filter((n) => /^\d+$/.test(n))
      .map(Number)
    if (numbers.some((n) => n < lo || n > hi)) return `${FIELDS[i]} field "${field}" is out of range (${lo}–${hi})`
  }
  let shortest: number | undefined
  try {
    shortest = shortestGapUnderAnHour(fields.join(" "))
  } catch (error) {
    return `not a valid cron expression: ${error instanceof Error ? error.message : String(error)}`
  }
  if (shortest !== undefined && shortest < GITHUB_MIN_INTERVAL_MINUTES) {
    return `runs ${shortest} minute(s) apart, but GitHub Actions runs a schedule at most every ${GITHUB_MIN_INTERVAL_MINUTES} minutes (e.g. "*/5 * * * *" or slower)`
  }
  return undefined
}

/**
 * The longest time between two firings, in minutes: how stale a pipeline may be before its next
 * scheduled run is due. Undefined for an invalid expression or one that fires at most once in the sample.
 */
export const longestInterval = (expression: string): number | undefined => {
  if (cronProblem(expression) !== undefined) return undefined
  const all = gaps(expression)
  return all.length === 0 ? undefined : Math.max(...all)
}

/**
 * GitHub delays, and under load drops, runs scheduled at the top of the hour. A schedule whose
 * minute field is exactly `0` gets a minute from 1 to 59 derived from the pipeline's name (the same
 * name always gets the same minute, and different pipelines spread out); any other schedule is kept.
 */
export const spreadSchedule = (expression: string, key: string): string => {
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5 || fields[0] !== "0") return fields.join(" ")
  const minute = 1 + (createHash("sha256").update(key).digest().readUInt32BE(0) % 59)
  return [String(minute), ...fields.slice(1)].join(" ")
}
