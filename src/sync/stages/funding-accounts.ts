import { Effect } from "effect"
import { LedgerMaster, type BankAccountRow, type ChartAccount } from "../../store/ledger-master.ts"
import { Links } from "../../store/links.ts"
import type { KindHandler } from "../handler.ts"
import { imported, skipped } from "../handler.ts"
import * as R from "../records.ts"
import type { ListName } from "../stages.ts"

type Payload = Omit<BankAccountRow, "billcom_id" | "archived">

/**
 * Funding accounts: Bill.com bank accounts, card accounts and AP cards map to ledger bank-style
 * accounts through funding-accounts.yaml (Bill.com id → ledger account number of type bank or
 * credit-card).
 */
const funding = <D extends { readonly id: string; readonly updatedTime?: string | null | undefined }>(spec: {
  readonly kind: "bank-account" | "card-account" | "ap-card"
  readonly list: ListName
  readonly schema: KindHandler<D, Payload, unknown>["schema"]
  readonly archived: (d: D) => boolean
  readonly describe: (d: D) => Omit<Payload, "ledger_account_id" | "kind">
}): KindHandler<D, Payload, ReadonlyArray<ChartAccount>, LedgerMaster | Links> => ({
  kind: spec.kind,
  list: spec.list,
  schema: spec.schema,
  meta: (d) => ({ updatedTime: d.updatedTime ?? undefined, archived: spec.archived(d), businessDate: undefined }),
  gather: (_candidates, ctx) => Effect.flatMap(LedgerMaster, (ledger) => ledger.chart(ctx.companyId)),
  decide: (candidates, chart, settings) =>
    candidates.map((c) => {
      const number = settings.fundingAccounts.get(c.id)
      const account =
        number === undefined
          ? undefined
          : chart.find((a) => a.number === number && (a.type === "bank" || a.type === "credit-card"))
      return account === undefined
        ? skipped("unmapped")
        : imported({
            kind: spec.kind === "bank-account" ? "bank" : "card",
            ledger_account_id: account.id,
            ...spec.describe(c.value)
          } satisfies Payload)
    }),
  write: (imports, ctx) =>
    Effect.gen(function* () {
      const ids = yield* (yield* LedgerMaster).upsertBankAccounts(
        ctx.companyId,
        imports.map(({ candidate, payload }) => ({
          ...payload,
          billcom_id: candidate.id,
          archived: candidate.meta.archived
        }))
      )
      yield* (yield* Links).upsert(
        imports.map(({ candidate }) => ({
          integration_id: ctx.integrationId,
          kind: spec.kind,
          billcom_id: candidate.id,
          ledger_table: "bank_accounts",
          ledger_id: ids.get(candidate.id)!,
          ledger_key: null
        }))
      )
    })
})

export const bankAccountsHandler = funding({
  kind: "bank-account",
  list: "bank-accounts",
  schema: R.BankAccount,
  archived: (b) => b.archived === true,
  describe: (b) => ({
    name: b.nameOnAccount ?? b.bankName ?? b.id,
    institution: b.bankName ?? null,
    last4: b.accountNumber ? b.accountNumber.slice(-4) : null,
    billcom_chart_of_account_id: b.chartOfAccountId ?? null
  })
})

export const cardAccountsHandler = funding({
  kind: "card-account",
  list: "card-accounts",
  schema: R.CardAccount,
  archived: (c) => c.archived === true,
  describe: (c) => ({
    name: c.nameOnAccount ?? c.brand ?? c.id,
    institution: c.issuingBankName ?? null,
    last4: c.last4 ?? null,
    billcom_chart_of_account_id: null
  })
})

/** AP Cards (`dva…`, BILL's charge card): a card-kind ledger account, like a card account. */
export const apCardsHandler = funding({
  kind: "ap-card",
  list: "ap-cards",
  schema: R.ApCard,
  // A deleted AP card is gone in Bill.com; an inactive one still funded earlier payments.
  archived: (c) => c.status === "DELETED" || c.status === "DRAFT_DELETED",
  describe: (c) => ({
    name: c.nameOnAccount ?? c.id,
    institution: "BILL AP Card",
    last4: null,
    billcom_chart_of_account_id: null
  })
})
