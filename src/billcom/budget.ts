import { Context, type Duration, type Effect, type Redacted } from "effect"
import { BillcomError } from "./errors.ts"

/**
 * Bill.com's limits belong to the developer key, not to one run (§7): 20,000 requests and 200
 * logins per devKey per clock hour, 3 requests in flight per devKey + organisation. Every process
 * that uses a key (plain `billsync sync`, `connect`, `apply`, cluster workers) shares them through
 * a KeyBudgets service when the ledger is on a Postgres server (src/store/key-budget.ts); the
 * embedded database has one process, so the per-run limiter alone keeps to them there.
 */
export type BudgetKind = "request" | "login"

/** Bill.com's limits per developer key (§7). */
export const KEY_LIMITS = { requestsPerHour: 20_000, loginsPerHour: 200, inFlightPerOrganization: 3 } as const

export interface KeyLimits {
  readonly requestsPerHour: number
  readonly loginsPerHour: number
  readonly inFlightPerOrganization: number
}

/** One run's handle on its key's shared budget. */
export interface KeyBudget {
  /**
   * Run `effect` holding one of the key + organisation's in-flight slots and one request of the
   * key's clock hour (a login: one login too). Waits for a slot; waits for the next clock hour
   * when the hour's budget is spent and that is at most the run's max wait away, else fails with
   * the "resumes at HH:00" error — never sends a request Bill.com would refuse for these limits.
   */
  readonly hold: <A, E, R>(kind: BudgetKind, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | BillcomError, R>
  /** Bill.com refused with BDC_1144 anyway (another client on the key, clocks): the hour is spent for everyone. */
  readonly exhaustHour: (kind: BudgetKind) => Effect.Effect<void>
}

export class KeyBudgets extends Context.Tag("billsync/KeyBudgets")<
  KeyBudgets,
  {
    readonly limits: KeyLimits
    readonly forKey: (input: {
      readonly devKey: Redacted.Redacted<string>
      readonly organizationId: string
      /** How long a run may wait for the next clock hour (the run's hourlyLimitMaxWait). */
      readonly maxWait: Duration.Duration
      /** How long a slot is held at most if its holder dies without releasing it (a request's timeout plus a margin). */
      readonly lease: Duration.Duration
    }) => Effect.Effect<KeyBudget>
  }
>() {}

const hh = (ms: number) => `${String(new Date(ms).getUTCHours()).padStart(2, "0")}:00 UTC`

export const loginBudgetError = (resumeAtMs: number, perHour: number) =>
  new BillcomError({
    reason: "RateLimited",
    code: "BDC_1144",
    message: `hourly login budget of Bill.com (${perHour} per developer key) spent; resumes at ${hh(resumeAtMs)}`,
    advice:
      "Every pipeline on this developer key logs in once per sync: sync less often (`billsync cluster plan` shows what fits), or give organisations their own developer keys."
  })
