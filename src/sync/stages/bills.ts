import { Effect } from "effect"
import { LedgerPayables, type BillWrite } from "../../ledger/payables.ts"
import { Links } from "../../store/links.ts"
import type { Journal } from "../../ledger/journal.ts"
import { LedgerMaster } from "../../store/ledger-master.ts"
import type { Candidate, Evaluated, Failure, KindHandler, StageContext } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney } from "../money.ts"
import * as R from "../records.ts"
import type { SyncSettings } from "../settings.ts"
import { Source } from "../source.ts"
import type { SourceRecords } from "../../store/source-records.ts"
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

type Payload = { readonly _tag: "Archive" } | { readonly _tag: "Write"; readonly bill: BillWrite }

/** APPROVED imports; UNASSIGNED means the organization has no approval policy for it, so it imports too. */
const approvedStatuses = new Set(["APPROVED", "UNASSIGNED"])
const pendingStatuses = new Set(["ASSIGNED", "APPROVING"])
const settles = (s: string | null | undefined): s is string =>
  s !== null && s !== undefined && s !== "" && s !== "UNDEFINED"

/** Concurrent Bill.com calls a stage issues itself; the client's limiter still enforces Bill.com's 3 in flight. */
export const ENRICH_CONCURRENCY = 3

/** What the bills rules read (gatherBills), as plain data. */
export interface BillLookups {
  /** Bill.com id → ledger id of every vendor, account, item, customer and classification the batch references. */
  readonly links: LinkLookups
  /** Referenced vendors that are not linked because they were refused (stored with an invalid-record error). */
  readonly refusedVendors: ReadonlySet<string>
  /** Ledger vendor id → its Bill.com bill currency (null or blank: USD). */
  readonly vendorCurrencies: ReadonlyMap<number, string | null>
  /** Approval statuses read this run with the legacy v2 call (live reads of bills whose v3 record does not settle it). */
  readonly v2Approvals: ReadonlyMap<string, string>
  /** Bill id → the date of its live journal entry (read only with closedPeriodPolicy error). */
  readonly postedDates: ReadonlyMap<string, string>
}

const beforeCutoff = (settings: SyncSettings, c: Candidate<R.Bill>): boolean =>
  settings.cutoff !== undefined && c.meta.businessDate !== undefined && c.meta.businessDate < settings.cutoff

/** Whether the rules look at the bill's approval: not archived, dated, and not a pre-cutoff bill the pipeline skips. */
const needsApproval = (settings: SyncSettings, c: Candidate<R.Bill>): boolean =>
  !c.meta.archived &&
  c.meta.businessDate !== undefined &&
  !(beforeCutoff(settings, c) && settings.openingBalanceAccount === undefined)

/**
 * A bill's approval status: v3's own when it settles it; else the v2 answer read this run (kept in
 * the enrichment, so re-evaluation needs no call); else the stored v2 answer; else UNDEFINED.
 */
const approvalOf = (
  c: Candidate<R.Bill>,
  lookups: BillLookups
): { status: string; enrichment?: Record<string, unknown> } => {
  if (settles(c.value.approvalStatus)) return { status: c.value.approvalStatus }
  const read = lookups.v2Approvals.get(c.id)
  if (read !== undefined) return { status: read, enrichment: { approvalStatus: read, approvalSource: "v2" } }
  const stored = c.previous?.enrichment?.["approvalStatus"]
  return { status: typeof stored === "string" ? stored : "UNDEFINED" }
}

/**
 * Reads what the bills rules need: the v2 approval only for bills (new or changed, on a live read)
 * whose v3 record does not settle it, the batch's links, refused vendors, vendor currencies and,
 * with closedPeriodPolicy error, the bills' posted dates.
 */
export const gatherBills = (candidates: ReadonlyArray<Candidate<R.Bill>>, ctx: StageContext, live: boolean) =>
  Effect.gen(function* () {
    const source = yield* Source
    const v2Approvals = new Map<string, string>()
    const needV2 = live
      ? candidates.filter((c) => needsApproval(ctx.settings, c) && !settles(c.value.approvalStatus))
      : []
    yield* Effect.forEach(
      needV2,
      (c) => Effect.map(source.billApproval(c.id), (status) => v2Approvals.set(c.id, status)),
      { concurrency: ENRICH_CONCURRENCY, discard: true }
    )
    const wanted = new Map<LinkKind, Array<string>>()
    for (const c of candidates) {
      collect(wanted, "vendor", c.value.vendorId)
      if (!beforeCutoff(ctx.settings, c)) collectLines(wanted, c.value.billLineItems ?? [], c.value.classifications)
    }
    const links = yield* lookupLinks(ctx.integrationId, wanted)
    const refused = yield* refusedVendors(
      ctx.integrationId,
      links,
      candidates.map((c) => c.value.vendorId)
    )
    const vendorCurrencies = yield* (yield* LedgerMaster).vendorCurrencies([...(links.get("vendor")?.values() ?? [])])
    const posted = yield* postedDates(
      ctx,
      ["bill", "opening"],
      candidates.map((c) => c.id)
    )
    return { links, refusedVendors: refused, vendorCurrencies, v2Approvals, postedDates: posted } satisfies BillLookups
  })

/**
 * The bills rules (pure): archived, cutoff on invoice.invoiceDate (string compare of YYYY-MM-DD),
 * approval, mapped vendor, accounts, items and classifications, currency, closed period. A bill
 * before the cutoff needs only its vendor: it is kept (without lines) for its opening item at the
 * cutoff (docs/accounting.md) — unless the pipeline names no ledger.openingBalanceAccount, when it
 * is skipped. The bill's currency is its vendor's; one in another currency than the ledger's needs
 * Bill.com's rate (stages/fx.ts).
 */
export const decideBills = (
  candidates: ReadonlyArray<Candidate<R.Bill>>,
  lookups: BillLookups,
  settings: SyncSettings
): ReadonlyArray<Evaluated<Payload>> => {
  const cutoff = settings.cutoff
  const openings = settings.openingBalanceAccount !== undefined
  const closed = (id: string, date: string | undefined, what: string) =>
    closedPeriodFailure(settings, lookups.postedDates.get(id), date, what)
  return candidates.map((c): Evaluated<Payload> => {
    const b = c.value
    if (c.meta.archived) {
      // Held by the ledger: imported, or refused while its period was closed (still holding the old version).
      if (c.previous?.outcome !== "imported" && c.previous?.reason !== "closed-period") return skipped("archived")
      const late = closed(c.id, undefined, `bill ${b.invoice?.invoiceNumber ?? c.id} (archived)`)
      return late === undefined ? imported({ _tag: "Archive" }) : failed(late)
    }
    if (c.meta.businessDate === undefined)
      return failed({ code: "invalid-record", message: `bill ${c.id} has no invoice.invoiceDate` })
    const before = beforeCutoff(settings, c)
    if (before && !openings) return skipped("before-cutoff")
    const a = approvalOf(c, lookups)
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
    const vendorId = lookups.links.get("vendor")?.get(b.vendorId)
    // Before the cutoff only the opening balance posts: the lines' accounts are not needed.
    const lines = before
      ? { lines: [], missing: [] }
      : resolveLines(b.billLineItems ?? [], b.classifications, lookups.links)
    const missing = [
      ...(vendorId === undefined ? [`vendor ${b.vendorId}${b.vendorName ? ` (${b.vendorName})` : ""}`] : []),
      ...lines.missing
    ]
    if (!before && (b.billLineItems ?? []).length === 0) missing.push("the bill has no line items")
    // A bill before the cutoff of an unmapped vendor that Bill.com shows fully paid had nothing open to bring in
    // worth an error (the vendor's later records report the missing mapping); one still owed does.
    if (before && vendorId === undefined && b.paymentStatus === "PAID") return withEnrichment(skipped("before-cutoff"))
    const fail = (failure: Failure): Evaluated<Payload> => ({
      _tag: "Fail",
      failure,
      ...(a.enrichment ? { enrichment: a.enrichment } : {})
    })
    if (lookups.refusedVendors.has(b.vendorId))
      return fail(waitingForVendor(`bill ${b.invoice?.invoiceNumber ?? c.id}`, b.vendorId))
    if (missing.length > 0)
      return fail({ code: "bill-unmapped", message: `unmapped: ${missing.join(", ")}`, detail: { missing } })
    const amount = b.amount ?? (b.billLineItems ?? []).reduce((s, l) => s + (l.amount ?? 0), 0)
    const what = `bill ${b.invoice?.invoiceNumber ?? c.id}`
    const fx = conversionFor(
      settings,
      what,
      vendorCurrency(lookups.vendorCurrencies.get(vendorId!)),
      b.exchangeRate,
      amount,
      b.fundingAmount
    )
    if (fx._tag === "Fail") return fail(fx.failure)
    const late = closed(c.id, before ? cutoff : c.meta.businessDate, what)
    if (late !== undefined) return fail(late)
    const payFrom = b.payFromChartOfAccountId
      ? lookups.links.get("chart-of-account")?.get(b.payFromChartOfAccountId)
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
}

/**
 * Bills: v3 list; the legacy v2 approval read only where needed (gatherBills); the rules in
 * decideBills. Documents metadata is not read here: a written bill joins the documents backlog
 * (src/sync/documents.ts).
 */
export const billsHandler: KindHandler<
  R.Bill,
  Payload,
  BillLookups,
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
  gather: gatherBills,
  decide: decideBills,
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
