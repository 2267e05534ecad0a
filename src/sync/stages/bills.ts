import { Effect } from "effect"
import { LedgerPayables, type BillWrite } from "../../ledger/payables.ts"
import { Links } from "../../store/links.ts"
import { Journal } from "../../ledger/journal.ts"
import { LedgerMaster } from "../../store/ledger-master.ts"
import type { Candidate, Evaluated, Failure, KindHandler } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney } from "../money.ts"
import * as R from "../records.ts"
import { Source } from "../source.ts"
import { SourceRecords } from "../../store/source-records.ts"
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

type Payload = { readonly _tag: "Archive" } | { readonly _tag: "Write"; readonly bill: BillWrite }

/** APPROVED imports; UNASSIGNED means the organization has no approval policy for it, so it imports too. */
const approvedStatuses = new Set(["APPROVED", "UNASSIGNED"])
const pendingStatuses = new Set(["ASSIGNED", "APPROVING"])
const settles = (s: string | null | undefined): s is string =>
  s !== null && s !== undefined && s !== "" && s !== "UNDEFINED"

/** Concurrent Bill.com calls a stage issues itself; the client's limiter still enforces Bill.com's 3 in flight. */
export const ENRICH_CONCURRENCY = 3

/**
 * Bills: v3 list; the legacy v2 approval read only for bills that are new or changed AND whose v3
 * record does not settle the approval; cutoff on invoice.invoiceDate (string compare of
 * YYYY-MM-DD); mapped vendor, accounts, items and classifications required. A bill before the
 * cutoff needs only its vendor: it is kept (without lines) for its opening item at the cutoff
 * (docs/accounting.md) — unless the pipeline names no ledger.openingBalanceAccount, when it is
 * skipped. The bill's currency is its vendor's; one in another currency than the ledger's needs
 * Bill.com's rate (stages/fx.ts). Documents metadata is not read here: a written bill joins the
 * documents backlog (src/sync/documents.ts).
 */
export const billsHandler: KindHandler<
  R.Bill,
  Payload,
  Source | Links | LedgerPayables | LedgerMaster | Journal | SourceRecords
> = {
  kind: "bill",
  list: "bills",
  pipelined: true,
  schema: R.Bill,
  meta: (b) => ({
    updatedTime: b.updatedTime ?? undefined,
    archived: b.archived === true,
    businessDate: R.businessDate(b.invoice?.invoiceDate)
  }),
  evaluate: (candidates, ctx, live) =>
    Effect.gen(function* () {
      const source = yield* Source
      const cutoff = ctx.settings.cutoff
      const openings = ctx.settings.openingBalanceAccount !== undefined
      const beforeCutoff = (c: Candidate<R.Bill>) =>
        cutoff !== undefined && c.meta.businessDate !== undefined && c.meta.businessDate < cutoff
      // Stage 1: archive / cutoff / approval, calling v2 only where it is needed.
      const approval = new Map<string, { status: string; enrichment?: Record<string, unknown> }>()
      const needV2: Array<Candidate<R.Bill>> = []
      for (const c of candidates) {
        if (c.meta.archived || c.meta.businessDate === undefined || (beforeCutoff(c) && !openings)) continue
        if (settles(c.value.approvalStatus)) approval.set(c.id, { status: c.value.approvalStatus })
        else if (live) needV2.push(c)
        else {
          const stored = c.previous?.enrichment?.["approvalStatus"]
          approval.set(c.id, { status: typeof stored === "string" ? stored : "UNDEFINED" })
        }
      }
      yield* Effect.forEach(
        needV2,
        (c) =>
          Effect.map(source.billApproval(c.id), (status) =>
            approval.set(c.id, { status, enrichment: { approvalStatus: status, approvalSource: "v2" } })
          ),
        { concurrency: ENRICH_CONCURRENCY, discard: true }
      )

      const wanted = new Map<LinkKind, Array<string>>()
      for (const c of candidates) {
        collect(wanted, "vendor", c.value.vendorId)
        if (!beforeCutoff(c)) collectLines(wanted, c.value.billLineItems ?? [], c.value.classifications)
      }
      const lookups = yield* lookupLinks(ctx.integrationId, wanted)
      const refused = yield* refusedVendors(
        ctx.integrationId,
        lookups,
        candidates.map((c) => c.value.vendorId)
      )
      const currencies = yield* (yield* LedgerMaster).vendorCurrencies([...(lookups.get("vendor")?.values() ?? [])])
      const closed = yield* closedPeriodCheck(
        ctx,
        ["bill", "opening"],
        candidates.map((c) => c.id)
      )

      const outcomes = candidates.map((c): Evaluated<Payload> => {
        const b = c.value
        if (c.meta.archived) {
          // Held by the ledger: imported, or refused while its period was closed (still holding the old version).
          if (c.previous?.outcome !== "imported" && c.previous?.reason !== "closed-period") return skipped("archived")
          const late = closed(c.id, undefined, `bill ${b.invoice?.invoiceNumber ?? c.id} (archived)`)
          return late === undefined ? imported({ _tag: "Archive" }) : failed(late)
        }
        if (c.meta.businessDate === undefined)
          return failed({ code: "invalid-record", message: `bill ${c.id} has no invoice.invoiceDate` })
        const before = beforeCutoff(c)
        if (before && !openings) return skipped("before-cutoff")
        const a = approval.get(c.id)!
        const withEnrichment = <E extends Evaluated<Payload>>(e: E): E =>
          a.enrichment ? { ...e, enrichment: a.enrichment } : e
        // Before the cutoff a bill that is not approved has no balance AP carries: nothing to report either.
        if (before && !approvedStatuses.has(a.status)) return withEnrichment(skipped("before-cutoff"))
        if (pendingStatuses.has(a.status) || (!approvedStatuses.has(a.status) && a.status !== "DENIED")) {
          return withEnrichment(
            skipped("not-approved", {
              code: "bill-not-approved",
              message: `bill ${b.invoice?.invoiceNumber ?? c.id} approval status is ${a.status}`
            })
          )
        }
        if (a.status === "DENIED")
          return withEnrichment(
            skipped("denied", {
              code: "bill-denied",
              message: `bill ${b.invoice?.invoiceNumber ?? c.id} was denied in Bill.com`
            })
          )
        const vendorId = lookups.get("vendor")?.get(b.vendorId)
        // Before the cutoff only the opening balance posts: the lines' accounts are not needed.
        const lines = before
          ? { lines: [], missing: [] }
          : resolveLines(b.billLineItems ?? [], b.classifications, lookups)
        const missing = [
          ...(vendorId === undefined ? [`vendor ${b.vendorId}${b.vendorName ? ` (${b.vendorName})` : ""}`] : []),
          ...lines.missing
        ]
        if (!before && (b.billLineItems ?? []).length === 0) missing.push("the bill has no line items")
        // A bill before the cutoff of an unmapped vendor that Bill.com shows fully paid had nothing open to bring in
        // worth an error (the vendor's later records report the missing mapping); one still owed does.
        if (before && vendorId === undefined && b.paymentStatus === "PAID")
          return withEnrichment(skipped("before-cutoff"))
        const fail = (failure: Failure): Evaluated<Payload> => ({
          _tag: "Fail",
          failure,
          ...(a.enrichment ? { enrichment: a.enrichment } : {})
        })
        if (refused.has(b.vendorId))
          return fail(waitingForVendor(`bill ${b.invoice?.invoiceNumber ?? c.id}`, b.vendorId))
        if (missing.length > 0)
          return fail({ code: "bill-unmapped", message: `unmapped: ${missing.join(", ")}`, detail: { missing } })
        const amount = b.amount ?? (b.billLineItems ?? []).reduce((s, l) => s + (l.amount ?? 0), 0)
        const what = `bill ${b.invoice?.invoiceNumber ?? c.id}`
        const fx = conversionFor(
          ctx.settings,
          what,
          vendorCurrency(currencies.get(vendorId!)),
          b.exchangeRate,
          amount,
          b.fundingAmount
        )
        if (fx._tag === "Fail") return fail(fx.failure)
        const late = closed(c.id, before ? cutoff : c.meta.businessDate, what)
        if (late !== undefined) return fail(late)
        const payFrom = b.payFromChartOfAccountId
          ? lookups.get("chart-of-account")?.get(b.payFromChartOfAccountId)
          : undefined
        const warning = documentWarning(what, toMoney(amount), before ? undefined : lines.lines)
        const warned = <E extends Evaluated<Payload>>(e: E): E => (warning === undefined ? e : { ...e, warning })
        return withEnrichment(
          warned(
            imported({
              _tag: "Write",
              bill: {
                billcomId: c.id,
                vendorId: vendorId!,
                invoiceNumber: b.invoice?.invoiceNumber ?? null,
                invoiceDate: c.meta.businessDate,
                dueDate: R.businessDate(b.dueDate) ?? null,
                amount: toMoney(amount),
                currency: fx.currency,
                exchangeRate: fx.exchangeRate,
                description: b.description ?? null,
                approvalStatus: a.status,
                paymentStatus: b.paymentStatus ?? null,
                payFromAccountId: payFrom ?? null,
                archived: false,
                updatedTime: R.utcInstant(b.updatedTime) ?? null,
                lines: lines.lines,
                sourceVersion: c.hash,
                documents: undefined
              }
            })
          )
        )
      })

      return outcomes
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const payables = yield* LedgerPayables
      yield* payables.archive(
        "bills",
        ctx.companyId,
        imports.filter((i) => i.payload._tag === "Archive").map((i) => i.candidate.id)
      )
      const writes = imports.flatMap((i) => (i.payload._tag === "Write" ? [i.payload.bill] : []))
      const ids = yield* payables.writeBills(ctx.companyId, writes)
      yield* (yield* Links).upsert(
        [...ids].map(([billcomId, id]) => ({
          integration_id: ctx.integrationId,
          kind: "bill",
          billcom_id: billcomId,
          ledger_table: "bills",
          ledger_id: id,
          ledger_key: null
        }))
      )
    })
}
