import { longestInterval } from "../config/cron.ts"

/**
 * The freshness check: a scheduled pipeline is stale when its last good sync is older than twice
 * the longest gap of its schedule (one missed run is tolerated, two are not), or it never synced.
 */
export interface FreshnessInput {
  readonly pipeline: string
  readonly schedule: string
  /** ISO time of the last good full sync, or undefined. */
  readonly lastGood: string | undefined
}

export interface FreshnessRow extends FreshnessInput {
  readonly state: "fresh" | "stale" | "never synced" | "schedule unreadable"
  /** The schedule's longest interval, in minutes. */
  readonly intervalMinutes: number | undefined
  readonly ageMinutes: number | undefined
}

export const freshness = (input: FreshnessInput, now: Date): FreshnessRow => {
  const intervalMinutes = longestInterval(input.schedule)
  const ageMinutes =
    input.lastGood === undefined ? undefined : Math.floor((now.getTime() - Date.parse(input.lastGood)) / 60_000)
  const state =
    intervalMinutes === undefined
      ? "schedule unreadable"
      : ageMinutes === undefined
        ? "never synced"
        : ageMinutes > 2 * intervalMinutes
          ? "stale"
          : "fresh"
  return { ...input, state, intervalMinutes, ageMinutes }
}

const span = (minutes: number | undefined): string =>
  minutes === undefined
    ? "-"
    : minutes < 120
      ? `${minutes} min`
      : minutes < 2880
        ? `${(minutes / 60).toFixed(1)} h`
        : `${(minutes / 1440).toFixed(1)} d`

export const renderFreshness = (rows: ReadonlyArray<FreshnessRow>): string => {
  if (rows.length === 0) return "No scheduled pipeline to check."
  const stale = rows.filter((r) => r.state !== "fresh")
  return [
    ...rows.map(
      (r) =>
        `${r.state === "fresh" ? "ok   " : "STALE"} ${r.pipeline}: last good sync ${r.lastGood ?? "never"} (${span(r.ageMinutes)} ago); schedule "${r.schedule}" runs at least every ${span(r.intervalMinutes)}${r.state === "fresh" ? "" : ` — ${r.state}`}`
    ),
    stale.length === 0
      ? `All ${rows.length} scheduled pipeline(s) synced within twice their schedule.`
      : `${stale.length} of ${rows.length} scheduled pipeline(s) have not synced within twice their schedule: see the sync workflow's runs and \`billsync status <pipeline>\`.`
  ].join("\n")
}
