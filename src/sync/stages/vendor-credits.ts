import { Effect } from "effect"
import { LedgerPayables, type VendorCreditWrite } from "../../ledger/payables.ts"
import { Links } from "../../store/links.ts"
import { Journal } from "../../ledger/journal.ts"
import { LedgerMaster } from "../../store/ledger-master.ts"
import type { Candidate, Evaluated, KindHandler } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney } from "../money.ts"
import * as R from "../records.ts"
import { Source } from "../source.ts"
import type { SourceRecords } from "../../store/source-records.ts"
import { ENRICH_CONCURRENCY } from "./bills.ts"
import { closedPeriodCheck } from "./closed.ts"
import { conversionFor, vendorCurrency } from "./fx.ts"
import {
  collect,
  collectLines,
  documentWarning,
  lookupLinks,
  refusedVendors,
  resolveLines,
  waitingForVendor,
  type LinkKind
} from "./lines.ts"

type Payload = { readonly _tag: "Archive" } | { readonly _tag: "Write"; readonly credit: VendorCreditWrite }

/**
 * Vendor credits: cutoff on creditDate; mapped vendor, accounts, items and classifications
 * required. A credit before the cutoff needs only its vendor (it is kept, without lines, for its
 * opening item and its applications after the cutoff; skipped when the pipeline names no
 * ledger.openingBalanceAccount). A credit in another currency than the ledger's needs its rate,
 * which v3 does not show: the legacy v2 read gives it (on a live read, or when none is stored
 * yet; kept in the record's enrichment so re-evaluation needs no call).
 */
export const vendorCreditsHandler: KindHandler<
  R.VendorCredit,
  Payload,
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
  evaluate: (candidates, ctx, live) =>
    Effect.gen(function* () {
      const source = yield* Source
      const cutoff = ctx.settings.cutoff
      const openings = ctx.settings.openingBalanceAccount !== undefined
      const beforeCutoff = (c: Candidate<R.VendorCredit>) =>
        cutoff !== undefined && c.meta.businessDate !== undefined && c.meta.businessDate < cutoff
      const wanted = new Map<LinkKind, Array<string>>()
      for (const c of candidates) {
        collect(wanted, "vendor", c.value.vendorId)
        if (!beforeCutoff(c)) collectLines(wanted, c.value.vendorCreditLineItems ?? [], undefined)
      }
      const lookups = yield* lookupLinks(ctx.integrationId, wanted)
      const refused = yield* refusedVendors(
        ctx.integrationId,
        lookups,
        candidates.map((c) => c.value.vendorId)
      )
      const currencies = yield* (yield* LedgerMaster).vendorCurrencies([...(lookups.get("vendor")?.values() ?? [])])
      const currencyOf = (c: Candidate<R.VendorCredit>) => {
        const vendorId = lookups.get("vendor")?.get(c.value.vendorId)
        return vendorId === undefined ? undefined : vendorCurrency(currencies.get(vendorId))
      }
      // Foreign-currency credits: Bill.com's rate from the v2 record (stored in the enrichment once read).
      const rates = new Map<string, number | null>()
      for (const c of candidates) {
        const stored = c.previous?.enrichment?.["exchangeRate"]
        if (typeof stored === "number" || stored === null) rates.set(c.id, stored)
      }
      const needRate = candidates.filter((c) => {
        const currency = currencyOf(c)
        return (
          !c.meta.archived &&
          currency !== undefined &&
          currency !== ctx.settings.currency &&
          (!beforeCutoff(c) || openings)
        )
      })
      // A live read fetches the rate again (the credit changed); re-evaluation only when none is stored yet.
      const fetch = live ? needRate : needRate.filter((c) => !rates.has(c.id))
      if (fetch.length > 0) {
        yield* Effect.forEach(
          fetch,
          (c) => Effect.map(source.vendorCreditRate(c.id), (rate) => rates.set(c.id, rate ?? null)),
          {
            concurrency: ENRICH_CONCURRENCY,
            discard: true
          }
        )
      }
      const closed = yield* closedPeriodCheck(
        ctx,
        ["vendor-credit", "credit-application", "opening"],
        candidates.map((c) => c.id)
      )
      return candidates.map((c): Evaluated<Payload> => {
        const v = c.value
        const rate = rates.get(c.id)
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
        const before = beforeCutoff(c)
        if (before && !openings) return skipped("before-cutoff")
        const vendorId = lookups.get("vendor")?.get(v.vendorId)
        const lines = before
          ? { lines: [], missing: [] }
          : resolveLines(v.vendorCreditLineItems ?? [], undefined, lookups)
        if (refused.has(v.vendorId)) return withEnrichment(failed(waitingForVendor(what, v.vendorId)))
        const missing = [...(vendorId === undefined ? [`vendor ${v.vendorId}`] : []), ...lines.missing]
        if (!before && (v.vendorCreditLineItems ?? []).length === 0) missing.push("the credit has no line items")
        if (missing.length > 0)
          return withEnrichment(
            failed({ code: "vendor-credit-unmapped", message: `unmapped: ${missing.join(", ")}`, detail: { missing } })
          )
        const amount = v.amount ?? (v.vendorCreditLineItems ?? []).reduce((s, l) => s + (l.amount ?? 0), 0)
        const fx = conversionFor(ctx.settings, what, currencyOf(c)!, rate, amount, undefined)
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
    }),
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
