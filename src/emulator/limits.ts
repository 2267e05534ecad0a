import type { ContractCounters } from "./contract.ts"

/**
 * Bill.com's limits (§7), all configurable: requests per devKey per fixed clock hour (BDC_1144),
 * logins per devKey per hour, and simultaneous requests per devKey + organisation (BDC_1322,
 * rejected immediately rather than queued). Plus the per-endpoint counters the control API reports.
 */
export interface LimitOptions {
  /** Simultaneous requests per devKey + organisation (default 3). */
  readonly concurrent?: number
  /** Requests per devKey per clock hour, logins included (default 20 000). */
  readonly requestsPerHour?: number
  /** Logins per devKey per clock hour (default 200). */
  readonly loginsPerHour?: number
  /** HTTP status of BDC_1144 / BDC_1322 responses (default 422; 429 is the other option). */
  readonly rateLimitStatus?: number
}

export const DEFAULT_LIMITS = {
  concurrent: 3,
  requestsPerHour: 20_000,
  loginsPerHour: 200,
  rateLimitStatus: 422
} as const

const HOUR_MS = 3_600_000

export class Limits {
  readonly concurrent: number
  readonly requestsPerHour: number
  readonly loginsPerHour: number
  readonly rateLimitStatus: number
  private readonly inFlight = new Map<string, number>()
  private readonly hourly = new Map<string, { hour: number; requests: number; logins: number }>()

  constructor(options: LimitOptions = {}) {
    this.concurrent = options.concurrent ?? DEFAULT_LIMITS.concurrent
    this.requestsPerHour = options.requestsPerHour ?? DEFAULT_LIMITS.requestsPerHour
    this.loginsPerHour = options.loginsPerHour ?? DEFAULT_LIMITS.loginsPerHour
    this.rateLimitStatus = options.rateLimitStatus ?? DEFAULT_LIMITS.rateLimitStatus
  }

  private window(devKey: string) {
    const hour = Math.floor(Date.now() / HOUR_MS)
    let w = this.hourly.get(devKey)
    if (w === undefined || w.hour !== hour) {
      w = { hour, requests: 0, logins: 0 }
      this.hourly.set(devKey, w)
    }
    return w
  }

  /** Count a request against the hourly budget; false when the budget is spent. */
  takeRequest(devKey: string): boolean {
    const w = this.window(devKey)
    if (w.requests >= this.requestsPerHour) return false
    w.requests++
    return true
  }

  takeLogin(devKey: string): boolean {
    const w = this.window(devKey)
    if (w.logins >= this.loginsPerHour) return false
    w.logins++
    return true
  }

  /** Try to start a request for devKey + organisation; returns the release function or undefined. */
  acquire(key: string): (() => void) | undefined {
    const n = this.inFlight.get(key) ?? 0
    if (n >= this.concurrent) return undefined
    this.inFlight.set(key, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.inFlight.get(key) ?? 1) - 1
      if (left <= 0) this.inFlight.delete(key)
      else this.inFlight.set(key, left)
    }
  }

  inFlightOf(key: string): number {
    return this.inFlight.get(key) ?? 0
  }
}

export interface CounterSnapshot {
  readonly total: number
  /** By "METHOD path template", e.g. "GET /v3/bills". */
  readonly byRoute: Readonly<Record<string, number>>
  readonly logins: number
  /** Sessions ended by POST /v3/logout (or v2 Logout.json). */
  readonly logouts: number
  readonly errorsByCode: Readonly<Record<string, number>>
  readonly byStatus: Readonly<Record<string, number>>
  readonly faults: Readonly<Record<string, number>>
  readonly maxInFlight: number
  readonly inFlight: number
  /** The contract checks (EmulatorCore adds them; absent from the bare Counters snapshot). */
  readonly contract?: ContractCounters
}

export class Counters {
  private total = 0
  private byRoute: Record<string, number> = {}
  private logins = 0
  private logouts = 0
  private errorsByCode: Record<string, number> = {}
  private byStatus: Record<string, number> = {}
  private faults: Record<string, number> = {}
  private maxInFlight = 0
  private inFlight = 0

  request(route: string): void {
    this.total++
    this.byRoute[route] = (this.byRoute[route] ?? 0) + 1
  }
  login(): void {
    this.logins++
  }
  logout(): void {
    this.logouts++
  }
  error(code: string): void {
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1
  }
  status(status: number): void {
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1
  }
  fault(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1
  }
  started(): void {
    this.inFlight++
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight
  }
  finished(): void {
    this.inFlight--
  }
  snapshot(): CounterSnapshot {
    return {
      total: this.total,
      byRoute: { ...this.byRoute },
      logins: this.logins,
      logouts: this.logouts,
      errorsByCode: { ...this.errorsByCode },
      byStatus: { ...this.byStatus },
      faults: { ...this.faults },
      maxInFlight: this.maxInFlight,
      inFlight: this.inFlight
    }
  }
  reset(): void {
    this.total = 0
    this.byRoute = {}
    this.logins = 0
    this.logouts = 0
    this.errorsByCode = {}
    this.byStatus = {}
    this.faults = {}
    this.maxInFlight = this.inFlight
  }
}
