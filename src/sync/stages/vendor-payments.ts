import { Effect } from "effect"
import { LedgerMaster } from "../../store/ledger-master.ts"
import { LedgerPayables, type VendorPaymentWrite } from "../../ledger/payables.ts"
import { Links, type LinkRow } from "../../store/links.ts"
import { SourceRecords } from "../../store/source-records.ts"
import { Journal } from "../../ledger/journal.ts"
import type { Evaluated, KindHandler } from "../handler.ts"
import { failed, imported, skipped } from "../handler.ts"
import { toMoney, toRate } from "../money.ts"
import * as R from "../records.ts"
import { Source, type ResolvedChartOfAccount } from "../source.ts"
import { mapChartRow } from "./accounts.ts"
import { ENRICH_CONCURRENCY } from "./bills.ts"
import { closedPeriodCheck } from "./closed.ts"
import { conversionFor, vendorCurrency } from "./fx.ts"
import { collect, lookupLinks, refusedVendors, waitingForVendor, type LinkKind } from "./lines.ts"

type Payload = { readonly payment: VendorPaymentWrite; readonly links: ReadonlyArray<LinkRow> }

/** The link kind of each funding account type that names a Bill.com record (WALLET and UNDEFINED name none). */
const fundingKinds: Record<string, "bank-account" | "card-account" | "ap-card"> = {
  BANK_ACCOUNT: "bank-account",
  CARD_ACCOUNT: "card-account",
  AP_CARD: "ap-card"
}

/** Bill.com payment statuses in which money left the funding account: the only ones that post (docs/accounting.md). */
export const MONEY_MOVED = new Set(["PAID", "ESCHEATED"])

/**
 * Vendor payments: cutoff on processDate; the funding account must be mapped to a ledger bank
 * account, and every GL row the payment uses (the bank account's chartOfAccountId, the paid bills'
 * payFromChartOfAccountId) must map to a ledger account. A CoA id that is not among the pulled
 * rows is resolved with the legacy v2 chart-of-account read (live reads only; the answer is kept
 * in the record's enrichment so re-evaluation needs no call). A WALLET payment (no funding account
 * id) comes out of ledger.walletAccount, else it is an error. Every status is kept; only PAID and
 * ESCHEATED post (journal_payment_posts). A payment before the cutoff is kept, unposted, when its
 * vendor is mapped: it settles its bills' opening items (skipped when the pipeline names no
 * ledger.openingBalanceAccount, or the vendor is not mapped).
 */
export const vendorPaymentsHandler: KindHandler<
  R.Payment,
  Payload,
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
  evaluate: (candidates, ctx, live) =>
    Effect.gen(function* () {
      const source = yield* Source
      const records = yield* SourceRecords
      const ledger = yield* LedgerMaster
      const cutoff = ctx.settings.cutoff
      const openings = ctx.settings.openingBalanceAccount !== undefined
      const beforeCutoff = (c: { meta: { businessDate: string | undefined } }) =>
        cutoff !== undefined && c.meta.businessDate !== undefined && c.meta.businessDate < cutoff
      const billIds = (p: R.Payment) => [
        ...new Set([...(p.billPayments ?? []).map((b) => b.billId), ...(p.billId ? [p.billId] : [])])
      ]

      const wanted = new Map<LinkKind, Array<string>>()
      for (const c of candidates) {
        collect(wanted, "vendor", c.value.vendorId)
        const kind = fundingKinds[c.value.fundingAccount?.type ?? ""]
        if (kind) collect(wanted, kind, c.value.fundingAccount?.id)
        for (const b of billIds(c.value)) collect(wanted, "bill", b)
      }
      const lookups = yield* lookupLinks(ctx.integrationId, wanted)
      const refused = yield* refusedVendors(
        ctx.integrationId,
        lookups,
        candidates.map((c) => c.value.vendorId)
      )
      const banks = yield* ledger.bankAccounts(
        (["bank-account", "card-account", "ap-card"] as const).flatMap((k) => [...(lookups.get(k)?.values() ?? [])])
      )
      const currencies = yield* ledger.vendorCurrencies([...(lookups.get("vendor")?.values() ?? [])])
      const wallet =
        ctx.settings.walletAccount === undefined
          ? undefined
          : (yield* ledger.accountIds(ctx.companyId, [ctx.settings.walletAccount])).get(ctx.settings.walletAccount)
      const closed = yield* closedPeriodCheck(
        ctx,
        ["payment"],
        candidates.map((c) => c.id)
      )
      const payFrom = yield* records.rawField(
        ctx.integrationId,
        "bill",
        candidates.flatMap((c) => billIds(c.value)),
        "payFromChartOfAccountId"
      )

      // GL rows each payment uses, then which of them are linked, pulled, or need the v2 read.
      const glRows = new Map<string, Array<string>>()
      for (const c of candidates) {
        if (beforeCutoff(c)) continue
        const kind = fundingKinds[c.value.fundingAccount?.type ?? ""]
        const bank =
          kind && c.value.fundingAccount?.id
            ? banks.get(lookups.get(kind)?.get(c.value.fundingAccount.id) ?? -1)
            : undefined
        const ids = [bank?.billcomChartOfAccountId, ...billIds(c.value).map((b) => payFrom.get(b))].filter(
          (x): x is string => typeof x === "string" && x !== ""
        )
        glRows.set(c.id, [...new Set(ids)])
      }
      const allGl = [...new Set([...glRows.values()].flat())]
      const linkedGl = yield* (yield* Links).lookup(ctx.integrationId, "chart-of-account", allGl)
      const pulledGl = yield* records.existing(ctx.integrationId, "chart-of-account", allGl)
      const chart = yield* ledger.chart(ctx.companyId)
      const resolved = new Map<string, ResolvedChartOfAccount | null>()
      for (const c of candidates) {
        const stored = c.previous?.enrichment?.["chartOfAccounts"] as
          | Record<string, ResolvedChartOfAccount | null>
          | undefined
        for (const [id, row] of Object.entries(stored ?? {})) resolved.set(id, row)
      }
      const toResolve = allGl.filter((id) => !linkedGl.has(id) && !pulledGl.has(id) && !resolved.has(id))
      if (live) {
        yield* Effect.forEach(
          toResolve,
          (id) => Effect.map(source.chartOfAccount(id), (row) => resolved.set(id, row ?? null)),
          {
            concurrency: ENRICH_CONCURRENCY,
            discard: true
          }
        )
      }

      return candidates.map((c): Evaluated<Payload> => {
        const p = c.value
        if (c.meta.businessDate === undefined)
          return failed({ code: "invalid-record", message: `payment ${c.id} has no processDate` })
        const before = beforeCutoff(c)
        if (before && !openings) return skipped("before-cutoff")
        const vendorId = lookups.get("vendor")?.get(p.vendorId)
        if (vendorId === undefined && refused.has(p.vendorId))
          return failed(waitingForVendor(`payment ${c.id}`, p.vendorId))
        if (vendorId === undefined)
          return before
            ? skipped("before-cutoff")
            : failed({ code: "payment-unmapped-vendor", message: `vendor ${p.vendorId} is not mapped` })
        const kind = fundingKinds[p.fundingAccount?.type ?? ""]
        const fundingId = kind && p.fundingAccount?.id ? lookups.get(kind)?.get(p.fundingAccount.id) : undefined
        const bank = fundingId === undefined ? undefined : banks.get(fundingId)
        const status = p.status ?? null
        const applications = (
          p.billPayments ?? (p.billId ? [{ billId: p.billId, amount: p.amount, id: undefined }] : [])
        ).map((a, i) => ({
          line_no: i + 1,
          billcom_id: a.id ?? null,
          billcom_bill_id: a.billId,
          bill_id: lookups.get("bill")?.get(a.billId) ?? null,
          amount: toMoney(a.amount ?? 0)
        }))
        const currency = vendorCurrency(currencies.get(vendorId))
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
        const fx = conversionFor(ctx.settings, what, currency, p.exchangeRate, p.amount, p.fundingAmount)
        if (fx._tag === "Fail") return failed(fx.failure)
        const late = closed(c.id, MONEY_MOVED.has(String(status).toUpperCase()) ? c.meta.businessDate : undefined, what)
        if (late !== undefined) return failed(late)
        if (p.fundingAccount?.type === "WALLET") {
          if (wallet === undefined) {
            return failed({
              code: "payment-wallet-unmapped",
              message:
                ctx.settings.walletAccount === undefined
                  ? `payment ${c.id} is funded from the BILL wallet; set ledger.walletAccount to the ledger bank account it comes out of`
                  : `payment ${c.id} is funded from the BILL wallet, and ledger.walletAccount ${ctx.settings.walletAccount} is not an account of the ledger chart`
            })
          }
          return imported({
            payment: {
              ...common,
              fundingAccountId: null,
              cashAccountId: wallet,
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
        const extraLinks: Array<LinkRow> = []
        const unmapped: Array<string> = []
        for (const id of glRows.get(c.id) ?? []) {
          if (linkedGl.has(id)) continue
          const row = resolved.get(id)
          if (row !== undefined) enrichment[id] = row
          const account = row ? mapChartRow(chart, { id, number: row.number, type: row.type }) : undefined
          if (account === undefined)
            unmapped.push(row === undefined && !pulledGl.has(id) ? `${id} (not resolved yet)` : id)
          else
            extraLinks.push({
              integration_id: ctx.integrationId,
              kind: "chart-of-account",
              billcom_id: id,
              ledger_table: "ledger_accounts",
              ledger_id: account.id,
              ledger_key: account.number
            })
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
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const links = yield* Links
      yield* links.upsert(imports.flatMap((i) => i.payload.links))
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
