import { FaultPlan, type FaultConfig } from "./faults.ts"
import { generateOrganization, optionsForSeed, type GenerateOptions } from "./generator.ts"
import { Counters, Limits, type CounterSnapshot, type LimitOptions } from "./limits.ts"
import type { Credentials } from "./model.ts"
import { Contract, ContractLog } from "./contract.ts"
import { applyMutation, type Mutation, type MutationResult } from "./mutations.ts"
import { COLLECTIONS, OrgState, type Collection } from "./organization.ts"
import { Random } from "./random.ts"
import { renderRecord } from "./render.ts"
import { SnapshotStore, type CursorMode } from "./query.ts"
import { SessionStore } from "./sessions.ts"

/** Everything configurable about an emulator instance. */
export interface EmulatorOptions {
  /** Organisation seed (default "demo": the fixed demo organisation). */
  readonly seed?: string
  /** Generator sizes and options (override the seed's defaults). */
  readonly generate?: Partial<Omit<GenerateOptions, "seed">>
  /** 127.0.0.1 by default. */
  readonly host?: string
  /** 0 (ephemeral) by default. */
  readonly port?: number
  /** Strict mode: no control API (the emulator is then only what Bill.com offers). */
  readonly strict?: boolean
  /** Idle session lifetime (default 35 minutes). */
  readonly sessionIdleMs?: number
  readonly limits?: LimitOptions
  readonly faults?: FaultConfig
  /**
   * Bill.com's published OpenAPI as a contract (test/contract/billcom.contract.json). `requests`:
   * "enforce" (default) refuses what Bill.com refuses — a missing required parameter, a value
   * outside its enum or range, an undocumented parameter, a body off its schema — with 400
   * BDC_1001 and records it; "record" only records; "off". `responses`: "validate" (default)
   * records every response that is off its documented schema; "off" (benchmarks).
   */
  readonly contract?: { readonly requests?: "enforce" | "record" | "off"; readonly responses?: "validate" | "off" }
  /**
   * What a list's `page` cursor pages (query.ts): "live" (default) re-evaluates the query on every
   * page, so records changed during a read shift the rest (the harder case for a client);
   * "snapshot" pages the ids taken at page 1.
   */
  readonly cursorMode?: CursorMode
}

export const DEFAULT_SESSION_IDLE_MS = 35 * 60_000

/**
 * The emulator's state, independent of HTTP: organisation, sessions, limits, counters, faults and
 * list snapshots. The HTTP server (server.ts) and the Effect layer (index.ts) both drive this.
 */
export class EmulatorCore {
  readonly state: OrgState
  readonly sessions: SessionStore
  readonly limits: Limits
  readonly counters = new Counters()
  readonly snapshots: SnapshotStore
  readonly seed: string
  readonly strict: boolean
  /** The published contract, unless both checks are off. */
  readonly contract: Contract | undefined
  readonly contractMode: { readonly requests: "enforce" | "record" | "off"; readonly responses: "validate" | "off" }
  readonly contractLog = new ContractLog()
  faults: FaultPlan
  origin = ""
  /**
   * Called before a v3 list page is served (tests and drills: changes timed inside a read, e.g.
   * an edit while the client is between two pages). Not Bill.com behaviour; unset by default.
   */
  beforeList: ((collection: Collection, query: URLSearchParams) => void) | undefined = undefined
  private readonly mutationRandom: Random

  constructor(readonly options: EmulatorOptions = {}) {
    this.seed = options.seed ?? "demo"
    this.snapshots = new SnapshotStore(64, options.cursorMode ?? "live")
    const org = generateOrganization(optionsForSeed(this.seed, options.generate ?? {}))
    this.state = new OrgState(org, this.seed)
    this.sessions = new SessionStore(options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS)
    this.limits = new Limits(options.limits ?? {})
    this.strict = options.strict ?? false
    this.contractMode = {
      requests: options.contract?.requests ?? "enforce",
      responses: options.contract?.responses ?? "validate"
    }
    this.contract =
      this.contractMode.requests === "off" && this.contractMode.responses === "off" ? undefined : Contract.load()
    this.faults = new FaultPlan(options.faults ?? {}, this.seed)
    this.mutationRandom = new Random(`${this.seed}/mutations`)
  }

  get credentials(): Credentials {
    return this.state.org.credentials
  }

  counterSnapshot(): CounterSnapshot {
    return { ...this.counters.snapshot(), contract: this.contractLog.snapshot() }
  }

  resetCounters(): void {
    this.counters.reset()
    this.contractLog.reset()
  }

  /** Change the organisation (see mutations.ts); every change bumps updatedTime. */
  mutate(mutation: Mutation): MutationResult {
    return applyMutation(this.state, mutation, this.mutationRandom)
  }

  /** The whole organisation as v3 JSON, by collection (bills with approvers). */
  snapshot(): Record<string, unknown> {
    const ctx = { state: this.state, origin: this.origin }
    const out: Record<string, unknown> = {
      organizationId: this.credentials.organizationId,
      asOf: new Date(this.state.org.asOf).toISOString(),
      now: new Date(this.state.now()).toISOString()
    }
    for (const name of COLLECTIONS) out[name] = this.state.collection(name).map((r) => renderRecord(name, r, ctx, true))
    return out
  }

  /** Replace the fault configuration; the fault sequence restarts from request 0. */
  setFaults(config: FaultConfig): void {
    this.faults = new FaultPlan(config, this.seed)
  }
}
