import { Effect } from "effect"
import { LedgerMaster, type ChartAccount } from "../../store/ledger-master.ts"
import { Links } from "../../store/links.ts"
import type { KindHandler } from "../handler.ts"
import { imported, skipped } from "../handler.ts"
import * as R from "../records.ts"
import { billcomAccountType } from "../settings.ts"

/**
 * A Bill.com chart-of-account row maps to the ledger account that names its billcomId, else to
 * the only ledger account with the same number and type (docs/design.md).
 */
export const mapChartRow = (
  chart: ReadonlyArray<ChartAccount>,
  row: { id: string; number: string | undefined; type: string | undefined }
): ChartAccount | undefined => {
  const explicit = chart.find((a) => a.billcomId === row.id)
  if (explicit !== undefined) return explicit
  if (row.number === undefined || row.type === undefined) return undefined
  const same = chart.filter(
    (a) => a.billcomId === null && a.number === row.number && billcomAccountType[a.type] === row.type
  )
  return same.length === 1 ? same[0] : undefined
}

/** Accounts stage (read side): pulls Bill.com's chart of accounts and links each row to its ledger account (the lookup: the ledger chart). */
export const accountsHandler: KindHandler<
  R.ChartOfAccount,
  { accountId: number; number: string },
  ReadonlyArray<ChartAccount>,
  LedgerMaster | Links
> = {
  kind: "chart-of-account",
  list: "chart-of-accounts",
  schema: R.ChartOfAccount,
  meta: (d) => ({ updatedTime: d.updatedTime ?? undefined, archived: d.archived === true, businessDate: undefined }),
  gather: (_candidates, ctx) => Effect.flatMap(LedgerMaster, (ledger) => ledger.chart(ctx.companyId)),
  decide: (candidates, chart) =>
    candidates.map((c) => {
      const account = mapChartRow(chart, {
        id: c.id,
        number: c.value.account?.number ?? undefined,
        type: c.value.account?.type ?? undefined
      })
      return account === undefined ? skipped("unmapped") : imported({ accountId: account.id, number: account.number })
    }),
  write: (imports, ctx) =>
    Effect.flatMap(Links, (links) =>
      links.upsert(
        imports.map(({ candidate, payload }) => ({
          integration_id: ctx.integrationId,
          kind: "chart-of-account",
          billcom_id: candidate.id,
          ledger_table: "ledger_accounts",
          ledger_id: payload.accountId,
          ledger_key: payload.number
        }))
      )
    )
}
