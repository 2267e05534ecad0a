import { Effect } from "effect"
import { LedgerPayables, type VendorCreditWrite } from "../../ledger/payables.ts"
import { Links } from "../../store/links.ts"
import type { Journal } from "../../ledger/journal.ts"
import { LedgerMaster } from "../../store/ledger-master.ts"
import type { Candidate, Evaluated, KindHandler, StageContext } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney } from "../money.ts"
import * as R from "../records.ts"
import type { SyncSettings } from "../settings.ts"
import { Source } from "../source.ts"
import type { SourceRecords } from "../../store/source-records.ts"
import { ENRICH_CONCURRENCY } from "./bills.ts"
import { closedPeriodFailure, postedDates } from "./closed.ts"
import { conversionFor, vendorCurrency } from "./fx.ts"
import {
  collect,
  collectLines,
  documentWarning,
  lookupLinks,
  refusedVendors,
  resolveLines,
  waitingForVendor,
  type LinkKind,
  type LinkLookups
} from "./lines.ts"

type Payload = { readonly _tag: "Archive" } | { readonly _tag: "Write"; readonly credit: VendorCreditWrite }

/** What the vendor-credit rules read (gatherCredits), as plain data. */
export interface CreditLookups {
  /** Bill.com id → ledger id of every vendor, account, item, customer and classification the batch references. */
  readonly links: LinkLookups
  /** Referenced vendors that are not linked because they were refused (stored with an invalid-record error). */
  readonly refusedVendors: ReadonlySet<string>
  /** Ledger vendor id → its Bill.com bill currency (null or blank: USD). */
  readonly vendorCurrencies: ReadonlyMap<number, string | null>
  /** Exchange rates read this run with the legacy v2 call (null: Bill.com gave none). */
  readonly v2Rates: ReadonlyMap<string, number | null>
  /** Credit id → the date of its live journal entry (read only with closedPeriodPolicy error). */
  readonly postedDates: ReadonlyMap<string, string>
}

const beforeCutoff = (settings: SyncSettings, c: Candidate<R.VendorCredit>): boolean =>
  settings.cutoff !== undefined && c.meta.businessDate !== undefined && c.meta.businessDate < settings.cutoff

/** The rate a previous evaluation read (kept in the enrichment); undefined when none was read. */
const storedRate = (c: Candidate<R.VendorCredit>): number | null | undefined => {
  const stored = c.previous?.enrichment?.["exchangeRate"]
  return typeof stored === "number" || stored === null ? stored : undefined
}

/** The credit's currency (its vendor's), or undefined when the vendor is not linked. */
const currencyOf = (c: Candidate<R.VendorCredit>, lookups: Pick<CreditLookups, "links" | "vendorCurrencies">) => {
  const vendorId = lookups.links.get("vendor")?.get(c.value.vendorId)
  return vendorId === undefined ? undefined : vendorCurrency(lookups.vendorCurrencies.get(vendorId))
}

/**
 * Reads what the vendor-credit rules need: links, refused vendors, vendor currencies, the v2 rate
 * of a foreign-currency credit (on a live read, or when none is stored yet) and, with
 * closedPeriodPolicy error, posted dates.
 */
export const gatherCredits = (candidates: ReadonlyArray<Candidate<R.VendorCredit>>, ctx: StageContext, live: boolean) =>
  Effect.gen(function* () {
    const source = yield* Source
    const settings = ctx.settings
    const wanted = new Map<LinkKind, Array<string>>()
    for (const c of candidates) {
      collect(wanted, "vendor", c.value.vendorId)
      if (!beforeCutoff(settings, c)) collectLines(wanted, c.value.vendorCreditLineItems ?? [], undefined)
    }
    const links = yield* lookupLinks(ctx.integrationId, wanted)
    const refused = yield* refusedVendors(
      ctx.integrationId,
      links,
      candidates.map((c) => c.value.vendorId)
    )
    const vendorCurrencies = yield* (yield* LedgerMaster).vendorCurrencies([...(links.get("vendor")?.values() ?? [])])
    const needRate = candidates.filter((c) => {
      const currency = currencyOf(c, { links, vendorCurrencies })
      return (
        !c.meta.archived &&
        currency !== undefined &&
        currency !== settings.currency &&
        (!beforeCutoff(settings, c) || settings.openingBalanceAccount !== undefined)
      )
    })
    // A live read fetches the rate again (the credit changed); re-evaluation only when none is stored yet.
    const fetch = live ? needRate : needRate.filter((c) => storedRate(c) === undefined)
    const v2Rates = new Map<string, number | null>()
    yield* Effect.forEach(
      fetch,
      (c) => Effect.map(source.vendorCreditRate(c.id), (rate) => v2Rates.set(c.id, rate ?? null)),
      {
        concurrency: ENRICH_CONCURRENCY,
        discard: true
      }
    )
    const posted = yield* postedDates(
      ctx,
      ["vendor-credit", "credit-application", "opening"],
      candidates.map((c) => c.id)
    )
    return { links, refusedVendors: refused, vendorCurrencies, v2Rates, postedDates: posted } satisfies CreditLookups
  })

/**
 * The vendor-credit rules (pure): archived, cutoff on creditDate; mapped vendor, accounts, items
 * and classifications required. A credit before the cutoff needs only its vendor (it is kept,
 * without lines, for its opening item and its applications after the cutoff; skipped when the
 * pipeline names no ledger.openingBalanceAccount). A credit in another currency than the ledger's
 * needs its rate, which v3 does not show: the legacy v2 read gives it, kept in the record's
 * enrichment so re-evaluation needs no call.
 */
export const decideCredits = (
  candidates: ReadonlyArray<Candidate<R.VendorCredit>>,
  lookups: CreditLookups,
  settings: SyncSettings
): ReadonlyArray<Evaluated<Payload>> => {
  const cutoff = settings.cutoff
  const openings = settings.openingBalanceAccount !== undefined
  const closed = (id: string, date: string | undefined, what: string) =>
    closedPeriodFailure(settings, lookups.postedDates.get(id), date, what)
  return candidates.map((c): Evaluated<Payload> => {
    const v = c.value
    const rate = lookups.v2Rates.has(c.id) ? lookups.v2Rates.get(c.id) : storedRate(c)
    const enrichment = rate === undefined ? undefined : { exchangeRate: rate }
    const withEnrichment = (e: Evaluated<Payload>): Evaluated<Payload> =>
      enrichment === undefined ? e : { ...e, enrichment }
    const what = `vendor credit ${v.referenceNumber ?? c.id}`
    if (c.meta.archived) {
      if (c.previous?.outcome !== "imported" && c.previous?.reason !== "closed-period") return skipped("archived")
      const late = closed(c.id, undefined, `${what} (archived)`)
      return late === undefined ? imported({ _tag: "Archive" }) : failed(late)
    }
    if (c.meta.businessDate === undefined)
      return failed({ code: "invalid-record", message: `vendor credit ${c.id} has no creditDate` })
    const before = beforeCutoff(settings, c)
    if (before && !openings) return skipped("before-cutoff")
    const vendorId = lookups.links.get("vendor")?.get(v.vendorId)
    const lines = before
      ? { lines: [], missing: [] }
      : resolveLines(v.vendorCreditLineItems ?? [], undefined, lookups.links)
    if (lookups.refusedVendors.has(v.vendorId)) return withEnrichment(failed(waitingForVendor(what, v.vendorId)))
    const missing = [...(vendorId === undefined ? [`vendor ${v.vendorId}`] : []), ...lines.missing]
    if (!before && (v.vendorCreditLineItems ?? []).length === 0) missing.push("the credit has no line items")
    if (missing.length > 0)
      return withEnrichment(
        failed({ code: "vendor-credit-unmapped", message: `unmapped: ${missing.join(", ")}`, detail: { missing } })
      )
    const amount = v.amount ?? (v.vendorCreditLineItems ?? []).reduce((s, l) => s + (l.amount ?? 0), 0)
    const fx = conversionFor(settings, what, currencyOf(c, lookups)!, rate, amount, undefined)
    if (fx._tag === "Fail") return withEnrichment(failed(fx.failure))
    const late = closed(c.id, before ? cutoff : c.meta.businessDate, what)
    if (late !== undefined) return withEnrichment(failed(late))
    const warning = documentWarning(what, toMoney(amount), before ? undefined : lines.lines)
    const warned = (e: Evaluated<Payload>): Evaluated<Payload> =>
      warning === undefined || e._tag !== "Import" ? e : { ...e, warning }
    return withEnrichment(
      warned(
        imported({
          _tag: "Write",
          credit: {
            billcomId: c.id,
            vendorId: vendorId!,
            referenceNumber: v.referenceNumber ?? null,
            creditDate: c.meta.businessDate,
            amount: toMoney(amount),
            currency: fx.currency,
            exchangeRate: fx.exchangeRate,
            appliedAmount: toMoney(v.appliedAmount ?? 0),
            status: v.status ?? null,
            description: v.description ?? null,
            archived: false,
            updatedTime: R.utcInstant(v.updatedTime) ?? null,
            lines: lines.lines.map(({ quantity: _q, unit_price: _p, ...l }) => l)
          }
        })
      )
    )
  })
}

/** Vendor credits: the lookups in gatherCredits, the rules in decideCredits. */
export const vendorCreditsHandler: KindHandler<
  R.VendorCredit,
  Payload,
  CreditLookups,
  Source | Links | LedgerPayables | LedgerMaster | Journal | SourceRecords
> = {
  kind: "vendor-credit",
  list: "vendor-credits",
  pipelined: true,
  schema: R.VendorCredit,
  meta: (v) => ({
    updatedTime: v.updatedTime ?? undefined,
    archived: v.archived === true,
    businessDate: R.businessDate(v.creditDate)
  }),
  gather: gatherCredits,
  decide: decideCredits,
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const payables = yield* LedgerPayables
      yield* payables.archive(
        "vendor_credits",
        ctx.companyId,
        imports.filter((i) => i.payload._tag === "Archive").map((i) => i.candidate.id)
      )
      const ids = yield* payables.writeVendorCredits(
        ctx.companyId,
        imports.flatMap((i) => (i.payload._tag === "Write" ? [i.payload.credit] : []))
      )
      yield* (yield* Links).upsert(
        [...ids].map(([billcomId, id]) => ({
          integration_id: ctx.integrationId,
          kind: "vendor-credit",
          billcom_id: billcomId,
          ledger_table: "vendor_credits",
          ledger_id: id,
          ledger_key: null
        }))
      )
    })
}
