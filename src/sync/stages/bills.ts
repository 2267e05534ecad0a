import { Effect } from "effect"
import { LedgerPayables, type BillWrite } from "../../store/ledger-payables.ts"
import { Links } from "../../store/links.ts"
import type { Candidate, Evaluated, KindHandler } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney } from "../money.ts"
import * as R from "../records.ts"
import { Source } from "../source.ts"
import { collect, collectLines, lookupLinks, resolveLines, type LinkKind } from "./lines.ts"

type Payload = { readonly _tag: "Archive" } | { readonly _tag: "Write"; readonly bill: BillWrite }

/** APPROVED imports; UNASSIGNED means the organization has no approval policy for it, so it imports too. */
const approvedStatuses = new Set(["APPROVED", "UNASSIGNED"])
const pendingStatuses = new Set(["ASSIGNED", "APPROVING"])
const settles = (s: string | null | undefined): s is string => s !== null && s !== undefined && s !== "" && s !== "UNDEFINED"

/** Concurrent Bill.com calls a stage issues itself; the client's limiter still enforces Bill.com's 3 in flight. */
export const ENRICH_CONCURRENCY = 3

/**
 * Bills: v3 list; the legacy v2 approval read only for bills that are new or changed AND whose v3
 * record does not settle the approval; cutoff on invoice.invoiceDate (string compare of
 * YYYY-MM-DD); mapped vendor, accounts, items and classifications required. Documents metadata
 * is not read here: a written bill joins the documents backlog (src/sync/documents.ts).
 */
export const billsHandler: KindHandler<R.Bill, Payload, Source | Links | LedgerPayables> = {
  kind: "bill",
  list: "bills",
  pipelined: true,
  schema: R.Bill,
  meta: (b) => ({ updatedTime: b.updatedTime ?? undefined, archived: b.archived === true, businessDate: R.businessDate(b.invoice?.invoiceDate) }),
  evaluate: (candidates, ctx, live) =>
    Effect.gen(function* () {
      const source = yield* Source
      const cutoff = ctx.settings.cutoff
      // Stage 1: archive / cutoff / approval, calling v2 only where it is needed.
      const approval = new Map<string, { status: string; enrichment?: Record<string, unknown> }>()
      const needV2: Array<Candidate<R.Bill>> = []
      for (const c of candidates) {
        if (c.meta.archived || c.meta.businessDate === undefined || (cutoff !== undefined && c.meta.businessDate < cutoff)) continue
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
        collectLines(wanted, c.value.billLineItems ?? [], c.value.classifications)
      }
      const lookups = yield* lookupLinks(ctx.integrationId, wanted)

      const outcomes = candidates.map((c): Evaluated<Payload> => {
        const b = c.value
        if (c.meta.archived) return c.previous?.outcome === "imported" ? imported({ _tag: "Archive" }) : skipped("archived")
        if (c.meta.businessDate === undefined) return failed({ code: "invalid-record", message: `bill ${c.id} has no invoice.invoiceDate` })
        if (cutoff !== undefined && c.meta.businessDate < cutoff) return skipped("before-cutoff")
        const a = approval.get(c.id)!
        const withEnrichment = <E extends Evaluated<Payload>>(e: E): E => (a.enrichment ? { ...e, enrichment: a.enrichment } : e)
        if (pendingStatuses.has(a.status) || !approvedStatuses.has(a.status) && a.status !== "DENIED") {
          return withEnrichment(skipped("not-approved", { code: "bill-not-approved", message: `bill ${b.invoice?.invoiceNumber ?? c.id} approval status is ${a.status}` }))
        }
        if (a.status === "DENIED") return withEnrichment(skipped("denied", { code: "bill-denied", message: `bill ${b.invoice?.invoiceNumber ?? c.id} was denied in Bill.com` }))
        const vendorId = lookups.get("vendor")?.get(b.vendorId)
        const lines = resolveLines(b.billLineItems ?? [], b.classifications, lookups)
        const missing = [...(vendorId === undefined ? [`vendor ${b.vendorId}${b.vendorName ? ` (${b.vendorName})` : ""}`] : []), ...lines.missing]
        if ((b.billLineItems ?? []).length === 0) missing.push("the bill has no line items")
        if (missing.length > 0) {
          return { _tag: "Fail", failure: { code: "bill-unmapped", message: `unmapped: ${missing.join(", ")}`, detail: { missing } }, ...(a.enrichment ? { enrichment: a.enrichment } : {}) }
        }
        const payFrom = b.payFromChartOfAccountId ? lookups.get("chart-of-account")?.get(b.payFromChartOfAccountId) : undefined
        return withEnrichment(
          imported({
            _tag: "Write",
            bill: {
              billcomId: c.id,
              vendorId: vendorId!,
              invoiceNumber: b.invoice?.invoiceNumber ?? null,
              invoiceDate: c.meta.businessDate,
              dueDate: R.businessDate(b.dueDate) ?? null,
              amount: toMoney(b.amount ?? (b.billLineItems ?? []).reduce((s, l) => s + (l.amount ?? 0), 0)),
              currency: b.billCurrency ?? ctx.settings.currency,
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
      })

      return outcomes
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const payables = yield* LedgerPayables
      yield* payables.archive("bills", ctx.companyId, imports.filter((i) => i.payload._tag === "Archive").map((i) => i.candidate.id))
      const writes = imports.flatMap((i) => (i.payload._tag === "Write" ? [i.payload.bill] : []))
      const ids = yield* payables.writeBills(ctx.companyId, writes)
      yield* (yield* Links).upsert(
        [...ids].map(([billcomId, id]) => ({ integration_id: ctx.integrationId, kind: "bill", billcom_id: billcomId, ledger_table: "bills", ledger_id: id, ledger_key: null }))
      )
    })
}
