import { Schema } from "effect"
import type { Candidate, Evaluated, KindHandler } from "../../../src/sync/handler.ts"
import type { LinkKind, LinkLookups } from "../../../src/sync/stages/lines.ts"
import type { SyncSettings } from "../../../src/sync/settings.ts"
import type { PreviousRecord } from "../../../src/store/source-records.ts"

/** A pipeline's settings for rule tests: USD ledger, no cutoff, no closed period; override what a test is about. */
export const settings = (overrides: Partial<SyncSettings> = {}): SyncSettings => ({
  pipeline: "unit",
  company: "unit-co",
  organizationId: "00802UNIT00000000001",
  environment: "emulator",
  cutoff: undefined,
  stages: [],
  mappingsDir: "mappings/unit",
  currency: "USD",
  apAccount: "2000",
  documents: { enabled: false, maxPerRun: 0 },
  chart: [],
  vendors: new Map(),
  fundingAccounts: new Map(),
  items: new Map(),
  customers: new Map(),
  classifications: {
    department: new Map(),
    job: new Map(),
    location: new Map(),
    "accounting-class": new Map(),
    employee: new Map()
  },
  ...overrides
})

/** A record as the batch hands it to the rules: Bill.com's raw JSON decoded with the handler's schema. */
export const candidate = <D>(
  handler: Pick<KindHandler<D, unknown, unknown, unknown>, "schema" | "meta">,
  raw: Record<string, unknown>,
  previous?: Partial<PreviousRecord>
): Candidate<D> => {
  const value = Schema.decodeUnknownSync(handler.schema)(raw)
  return {
    id: raw["id"] as string,
    raw,
    hash: `hash-of-${raw["id"] as string}`,
    value,
    meta: handler.meta(value),
    previous:
      previous === undefined
        ? undefined
        : { hash: "older", outcome: "imported", reason: null, enrichment: null, ...previous }
  }
}

/** Link lookups from plain objects: { vendor: { "009v1": 11 } }. */
export const links = (byKind: Partial<Record<LinkKind, Record<string, number>>>): LinkLookups =>
  new Map(Object.entries(byKind).map(([kind, ids]) => [kind as LinkKind, new Map(Object.entries(ids ?? {}))]))

/** The outcome's tag and its reason or error code, the part most rules decide. */
export const verdict = (e: Evaluated<unknown>): string =>
  e._tag === "Import"
    ? `Import${e.warning ? ` (warning ${e.warning.code})` : ""}`
    : e._tag === "Skip"
      ? `Skip ${e.reason}${e.error ? ` (${e.error.code})` : ""}`
      : `Fail ${e.failure.code}`

export const payloadOf = <P>(e: Evaluated<P>): P => {
  if (e._tag !== "Import") throw new Error(`expected an import, got ${verdict(e)}`)
  return e.payload
}
