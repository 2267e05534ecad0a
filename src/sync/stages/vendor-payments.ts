import { Effect } from "effect"
import { LedgerMaster, type ChartAccount } from "../../store/ledger-master.ts"
import { LedgerPayables, type VendorPaymentWrite } from "../../ledger/payables.ts"
import { Links } from "../../store/links.ts"
import { SourceRecords } from "../../store/source-records.ts"
import type { Journal } from "../../ledger/journal.ts"
import type { Candidate, Evaluated, KindHandler, StageContext } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney, toRate } from "../money.ts"
import * as R from "../records.ts"
import type { SyncSettings } from "../settings.ts"
import { Source, type ResolvedChartOfAccount } from "../source.ts"
import { mapChartRow } from "./accounts.ts"
import { ENRICH_CONCURRENCY } from "./bills.ts"
import { closedPeriodFailure, postedDates } from "./closed.ts"
import { conversionFor, vendorCurrency } from "./fx.ts"
import { collect, lookupLinks, refusedVendors, waitingForVendor, type LinkKind, type LinkLookups } from "./lines.ts"

/** A chart-of-account link the payment adds (a GL row resolved through its number and type); write adds the integration. */
interface GlLink {
  readonly billcomId: string
  readonly accountId: number
  readonly number: string
}

type Payload = { readonly payment: VendorPaymentWrite; readonly links: ReadonlyArray<GlLink> }

/** The link kind of each funding account type that names a Bill.com record (WALLET and UNDEFINED name none). */
const fundingKinds: Record<string, "bank-account" | "card-account" | "ap-card"> = {
  BANK_ACCOUNT: "bank-account",
  CARD_ACCOUNT: "card-account",
  AP_CARD: "ap-card"
}

/** Bill.com payment statuses in which money left the funding account: the only ones that post (docs/accounting.md). */
export const MONEY_MOVED = new Set(["PAID", "ESCHEATED"])

/** What the payments rules read (gatherPayments), as plain data. */
export interface PaymentLookups {
  /** Bill.com id → ledger id of every vendor, funding account and bill the batch references. */
  readonly links: LinkLookups
  /** Referenced vendors that are not linked because they were refused (stored with an invalid-record error). */
  readonly refusedVendors: ReadonlySet<string>
  /** Ledger bank account id → its ledger account and the Bill.com chart-of-account row it names. */
  readonly banks: ReadonlyMap<
    number,
    { readonly ledgerAccountId: number; readonly billcomChartOfAccountId: string | null }
  >
  /** Ledger vendor id → its Bill.com bill currency (null or blank: USD). */
  readonly vendorCurrencies: ReadonlyMap<number, string | null>
  /** Ledger account id of ledger.walletAccount (undefined: not set, or not in the chart). */
  readonly walletAccountId: number | undefined
  /** Payment id → the date of its live journal entry (read only with closedPeriodPolicy error). */
  readonly postedDates: ReadonlyMap<string, string>
  /** Stored bill id → its payFromChartOfAccountId. */
  readonly billPayFrom: ReadonlyMap<string, string>
  /** The GL rows the batch uses that are linked (Bill.com id → ledger account id). */
  readonly linkedGl: ReadonlyMap<string, number>
  /** The GL rows the batch uses that were pulled (stored chart-of-account records). */
  readonly pulledGl: ReadonlySet<string>
  /** GL rows read with the legacy v2 call this run (null: Bill.com has none). */
  readonly v2Gl: ReadonlyMap<string, ResolvedChartOfAccount | null>
  /** The ledger chart. */
  readonly chart: ReadonlyArray<ChartAccount>
}

const beforeCutoff = (settings: SyncSettings, c: Candidate<R.Payment>): boolean =>
  settings.cutoff !== undefined && c.meta.businessDate !== undefined && c.meta.businessDate < settings.cutoff

const billIds = (p: R.Payment) => [
  ...new Set([...(p.billPayments ?? []).map((b) => b.billId), ...(p.billId ? [p.billId] : [])])
]

/** The GL rows a payment uses: its bank account's chartOfAccountId and its bills' payFromChartOfAccountId. */
const glRowsOf = (
  p: R.Payment,
  lookups: Pick<PaymentLookups, "links" | "banks" | "billPayFrom">
): ReadonlyArray<string> => {
  const kind = fundingKinds[p.fundingAccount?.type ?? ""]
  const bank =
    kind && p.fundingAccount?.id
      ? lookups.banks.get(lookups.links.get(kind)?.get(p.fundingAccount.id) ?? -1)
      : undefined
  const ids = [bank?.billcomChartOfAccountId, ...billIds(p).map((b) => lookups.billPayFrom.get(b))].filter(
    (x): x is string => typeof x === "string" && x !== ""
  )
  return [...new Set(ids)]
}

/** GL rows resolved earlier, kept in the batch's stored enrichments (re-evaluation needs no call). */
const storedGl = (candidates: ReadonlyArray<Candidate<R.Payment>>): Map<string, ResolvedChartOfAccount | null> => {
  const out = new Map<string, ResolvedChartOfAccount | null>()
  for (const c of candidates) {
    const stored = c.previous?.enrichment?.["chartOfAccounts"] as
      | Record<string, ResolvedChartOfAccount | null>
      | undefined
    for (const [id, row] of Object.entries(stored ?? {})) out.set(id, row)
  }
  return out
}

/**
 * Reads what the payments rules need: links, refused vendors, bank accounts, vendor currencies,
 * the wallet account, posted dates (closedPeriodPolicy error), the paid bills' GL rows, which GL
 * rows are linked or pulled, the chart, and — live reads only — the legacy v2 read of a GL row
 * neither linked, pulled nor resolved before.
 */
export const gatherPayments = (candidates: ReadonlyArray<Candidate<R.Payment>>, ctx: StageContext, live: boolean) =>
  Effect.gen(function* () {
    const source = yield* Source
    const records = yield* SourceRecords
    const ledger = yield* LedgerMaster
    const wanted = new Map<LinkKind, Array<string>>()
    for (const c of candidates) {
      collect(wanted, "vendor", c.value.vendorId)
      const kind = fundingKinds[c.value.fundingAccount?.type ?? ""]
      if (kind) collect(wanted, kind, c.value.fundingAccount?.id)
      for (const b of billIds(c.value)) collect(wanted, "bill", b)
    }
    const links = yield* lookupLinks(ctx.integrationId, wanted)
    const refused = yield* refusedVendors(
      ctx.integrationId,
      links,
      candidates.map((c) => c.value.vendorId)
    )
    const banks = yield* ledger.bankAccounts(
      (["bank-account", "card-account", "ap-card"] as const).flatMap((k) => [...(links.get(k)?.values() ?? [])])
    )
    const vendorCurrencies = yield* ledger.vendorCurrencies([...(links.get("vendor")?.values() ?? [])])
    const walletAccountId =
      ctx.settings.walletAccount === undefined
        ? undefined
        : (yield* ledger.accountIds(ctx.companyId, [ctx.settings.walletAccount])).get(ctx.settings.walletAccount)
    const posted = yield* postedDates(
      ctx,
      ["payment"],
      candidates.map((c) => c.id)
    )
    const billPayFrom = yield* records.rawField(
      ctx.integrationId,
      "bill",
      candidates.flatMap((c) => billIds(c.value)),
      "payFromChartOfAccountId"
    )
    const allGl = [
      ...new Set(
        candidates
          .filter((c) => !beforeCutoff(ctx.settings, c))
          .flatMap((c) => glRowsOf(c.value, { links, banks, billPayFrom }))
      )
    ]
    const linkedGl = yield* (yield* Links).lookup(ctx.integrationId, "chart-of-account", allGl)
    const pulledGl = yield* records.existing(ctx.integrationId, "chart-of-account", allGl)
    const chart = yield* ledger.chart(ctx.companyId)
    const stored = storedGl(candidates)
    const v2Gl = new Map<string, ResolvedChartOfAccount | null>()
    if (live) {
      const toResolve = allGl.filter((id) => !linkedGl.has(id) && !pulledGl.has(id) && !stored.has(id))
      yield* Effect.forEach(
        toResolve,
        (id) => Effect.map(source.chartOfAccount(id), (row) => v2Gl.set(id, row ?? null)),
        {
          concurrency: ENRICH_CONCURRENCY,
          discard: true
        }
      )
    }
    return {
      links,
      refusedVendors: refused,
      banks,
      vendorCurrencies,
      walletAccountId,
      postedDates: posted,
      billPayFrom,
      linkedGl,
      pulledGl,
      v2Gl,
      chart
    } satisfies PaymentLookups
  })

/**
 * The payments rules (pure): cutoff on processDate; the funding account must be mapped to a
 * ledger bank account, and every GL row the payment uses (the bank account's chartOfAccountId, the
 * paid bills' payFromChartOfAccountId) must map to a ledger account — a row resolved with the v2
 * read is kept in the record's enrichment. A WALLET payment (no funding account id) comes out of
 * ledger.walletAccount, else it is an error. Every status is kept; only PAID and ESCHEATED post
 * (journal_payment_posts), so only they meet the closed period. A payment before the cutoff is
 * kept, unposted, when its vendor is mapped: it settles its bills' opening items (skipped when
 * the pipeline names no ledger.openingBalanceAccount, or the vendor is not mapped).
 */
export const decidePayments = (
  candidates: ReadonlyArray<Candidate<R.Payment>>,
  lookups: PaymentLookups,
  settings: SyncSettings
): ReadonlyArray<Evaluated<Payload>> => {
  const openings = settings.openingBalanceAccount !== undefined
  const resolved = new Map([...storedGl(candidates), ...lookups.v2Gl])
  return candidates.map((c): Evaluated<Payload> => {
    const p = c.value
    if (c.meta.businessDate === undefined)
      return failed({ code: "invalid-record", message: `payment ${c.id} has no processDate` })
    const before = beforeCutoff(settings, c)
    if (before && !openings) return skipped("before-cutoff")
    const vendorId = lookups.links.get("vendor")?.get(p.vendorId)
    if (vendorId === undefined && lookups.refusedVendors.has(p.vendorId))
      return failed(waitingForVendor(`payment ${c.id}`, p.vendorId))
    if (vendorId === undefined)
      return before
        ? skipped("before-cutoff")
        : failed({ code: "payment-unmapped-vendor", message: `vendor ${p.vendorId} is not mapped` })
    const kind = fundingKinds[p.fundingAccount?.type ?? ""]
    const fundingId = kind && p.fundingAccount?.id ? lookups.links.get(kind)?.get(p.fundingAccount.id) : undefined
    const bank = fundingId === undefined ? undefined : lookups.banks.get(fundingId)
    const status = p.status ?? null
    const applications = (
      p.billPayments ?? (p.billId ? [{ billId: p.billId, amount: p.amount, id: undefined }] : [])
    ).map((a, i) => ({
      line_no: i + 1,
      billcom_id: a.id ?? null,
      billcom_bill_id: a.billId,
      bill_id: lookups.links.get("bill")?.get(a.billId) ?? null,
      amount: toMoney(a.amount ?? 0)
    }))
    const currency = vendorCurrency(lookups.vendorCurrencies.get(vendorId))
    const common = {
      billcomId: c.id,
      vendorId,
      processDate: c.meta.businessDate,
      amount: toMoney(p.amount ?? 0),
      fundingType: p.fundingAccount?.type ?? null,
      fundingAmount: typeof p.fundingAmount === "number" ? toMoney(p.fundingAmount) : null,
      status,
      description: p.description ?? null,
      updatedTime: R.utcInstant(p.updatedTime) ?? null,
      applications
    }
    // Before the cutoff a payment only settles opening items (in its own currency): no GL or rate needed.
    if (before) {
      return imported({
        payment: {
          ...common,
          fundingAccountId: bank === undefined ? null : fundingId!,
          cashAccountId: bank?.ledgerAccountId ?? null,
          currency,
          exchangeRate: toRate(p.exchangeRate) ?? null
        },
        links: []
      })
    }
    const what = `payment ${c.id}`
    const fx = conversionFor(settings, what, currency, p.exchangeRate, p.amount, p.fundingAmount)
    if (fx._tag === "Fail") return failed(fx.failure)
    const late = closedPeriodFailure(
      settings,
      lookups.postedDates.get(c.id),
      MONEY_MOVED.has(String(status).toUpperCase()) ? c.meta.businessDate : undefined,
      what
    )
    if (late !== undefined) return failed(late)
    if (p.fundingAccount?.type === "WALLET") {
      if (lookups.walletAccountId === undefined) {
        return failed({
          code: "payment-wallet-unmapped",
          message:
            settings.walletAccount === undefined
              ? `payment ${c.id} is funded from the BILL wallet; set ledger.walletAccount to the ledger bank account it comes out of`
              : `payment ${c.id} is funded from the BILL wallet, and ledger.walletAccount ${settings.walletAccount} is not an account of the ledger chart`
        })
      }
      return imported({
        payment: {
          ...common,
          fundingAccountId: null,
          cashAccountId: lookups.walletAccountId,
          currency: fx.currency,
          exchangeRate: fx.exchangeRate
        },
        links: []
      })
    }
    if (fundingId === undefined || bank === undefined) {
      return failed({
        code: "payment-unmapped-funding",
        message:
          `funding account ${p.fundingAccount?.type ?? "(none)"} ${p.fundingAccount?.id ?? ""} is not mapped to a ledger bank account`
            .replace(/\s+/g, " ")
            .trim()
      })
    }
    const enrichment: Record<string, ResolvedChartOfAccount | null> = {}
    const extraLinks: Array<GlLink> = []
    const unmapped: Array<string> = []
    for (const id of glRowsOf(p, lookups)) {
      if (lookups.linkedGl.has(id)) continue
      const row = resolved.get(id)
      if (row !== undefined) enrichment[id] = row
      const account = row ? mapChartRow(lookups.chart, { id, number: row.number, type: row.type }) : undefined
      if (account === undefined)
        unmapped.push(row === undefined && !lookups.pulledGl.has(id) ? `${id} (not resolved yet)` : id)
      else extraLinks.push({ billcomId: id, accountId: account.id, number: account.number })
    }
    const withEnrichment = Object.keys(enrichment).length > 0 ? { enrichment: { chartOfAccounts: enrichment } } : {}
    if (unmapped.length > 0) {
      return {
        _tag: "Fail",
        failure: {
          code: "payment-unmapped-gl",
          message: `unmapped chart-of-account rows: ${unmapped.join(", ")}`,
          detail: { unmapped }
        },
        ...withEnrichment
      }
    }
    return {
      _tag: "Import",
      payload: {
        payment: {
          ...common,
          fundingAccountId: fundingId,
          cashAccountId: bank.ledgerAccountId,
          currency: fx.currency,
          exchangeRate: fx.exchangeRate
        },
        links: extraLinks
      },
      ...withEnrichment
    }
  })
}

/** Vendor payments: the lookups in gatherPayments, the rules in decidePayments. */
export const vendorPaymentsHandler: KindHandler<
  R.Payment,
  Payload,
  PaymentLookups,
  Source | Links | LedgerPayables | LedgerMaster | SourceRecords | Journal
> = {
  kind: "payment",
  list: "payments",
  pipelined: true,
  schema: R.Payment,
  meta: (p) => ({
    updatedTime: p.updatedTime ?? undefined,
    archived: p.archived === true,
    businessDate: R.businessDate(p.processDate)
  }),
  gather: gatherPayments,
  decide: decidePayments,
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const links = yield* Links
      yield* links.upsert(
        imports.flatMap((i) =>
          i.payload.links.map((l) => ({
            integration_id: ctx.integrationId,
            kind: "chart-of-account",
            billcom_id: l.billcomId,
            ledger_table: "ledger_accounts",
            ledger_id: l.accountId,
            ledger_key: l.number
          }))
        )
      )
      const ids = yield* (yield* LedgerPayables).writeVendorPayments(
        ctx.companyId,
        imports.map((i) => i.payload.payment)
      )
      yield* links.upsert(
        [...ids].map(([billcomId, id]) => ({
          integration_id: ctx.integrationId,
          kind: "payment",
          billcom_id: billcomId,
          ledger_table: "vendor_payments",
          ledger_id: id,
          ledger_key: null
        }))
      )
    })
}
