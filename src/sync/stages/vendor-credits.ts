import { Effect } from "effect"
import { LedgerPayables, type VendorCreditWrite } from "../../store/ledger-payables.ts"
import { Links } from "../../store/links.ts"
import type { Evaluated, KindHandler } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney } from "../money.ts"
import * as R from "../records.ts"
import { collect, collectLines, lookupLinks, resolveLines, type LinkKind } from "./lines.ts"

type Payload = { readonly _tag: "Archive" } | { readonly _tag: "Write"; readonly credit: VendorCreditWrite }

/** Vendor credits: cutoff on creditDate; mapped vendor, accounts, items and classifications required. */
export const vendorCreditsHandler: KindHandler<R.VendorCredit, Payload, Links | LedgerPayables> = {
  kind: "vendor-credit",
  list: "vendor-credits",
  pipelined: true,
  schema: R.VendorCredit,
  meta: (v) => ({ updatedTime: v.updatedTime ?? undefined, archived: v.archived === true, businessDate: R.businessDate(v.creditDate) }),
  evaluate: (candidates, ctx) =>
    Effect.gen(function* () {
      const cutoff = ctx.settings.cutoff
      const wanted = new Map<LinkKind, Array<string>>()
      for (const c of candidates) {
        collect(wanted, "vendor", c.value.vendorId)
        collectLines(wanted, c.value.vendorCreditLineItems ?? [], undefined)
      }
      const lookups = yield* lookupLinks(ctx.integrationId, wanted)
      return candidates.map((c): Evaluated<Payload> => {
        const v = c.value
        if (c.meta.archived) return c.previous?.outcome === "imported" ? imported({ _tag: "Archive" }) : skipped("archived")
        if (c.meta.businessDate === undefined) return failed({ code: "invalid-record", message: `vendor credit ${c.id} has no creditDate` })
        if (cutoff !== undefined && c.meta.businessDate < cutoff) return skipped("before-cutoff")
        const vendorId = lookups.get("vendor")?.get(v.vendorId)
        const lines = resolveLines(v.vendorCreditLineItems ?? [], undefined, lookups)
        const missing = [...(vendorId === undefined ? [`vendor ${v.vendorId}`] : []), ...lines.missing]
        if ((v.vendorCreditLineItems ?? []).length === 0) missing.push("the credit has no line items")
        if (missing.length > 0) return failed({ code: "vendor-credit-unmapped", message: `unmapped: ${missing.join(", ")}`, detail: { missing } })
        return imported({
          _tag: "Write",
          credit: {
            billcomId: c.id,
            vendorId: vendorId!,
            referenceNumber: v.referenceNumber ?? null,
            creditDate: c.meta.businessDate,
            amount: toMoney(v.amount ?? (v.vendorCreditLineItems ?? []).reduce((s, l) => s + (l.amount ?? 0), 0)),
            appliedAmount: toMoney(v.appliedAmount ?? 0),
            status: v.status ?? null,
            description: v.description ?? null,
            archived: false,
            updatedTime: R.utcInstant(v.updatedTime) ?? null,
            lines: lines.lines.map(({ quantity: _q, unit_price: _p, ...l }) => l)
          }
        })
      })
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const payables = yield* LedgerPayables
      yield* payables.archive("vendor_credits", ctx.companyId, imports.filter((i) => i.payload._tag === "Archive").map((i) => i.candidate.id))
      const ids = yield* payables.writeVendorCredits(ctx.companyId, imports.flatMap((i) => (i.payload._tag === "Write" ? [i.payload.credit] : [])))
      yield* (yield* Links).upsert(
        [...ids].map(([billcomId, id]) => ({ integration_id: ctx.integrationId, kind: "vendor-credit", billcom_id: billcomId, ledger_table: "vendor_credits", ledger_id: id, ledger_key: null }))
      )
    })
}
