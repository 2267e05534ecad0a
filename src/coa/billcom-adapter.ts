import { Effect, Layer, Stream } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import type { BillcomError } from "../billcom/errors.ts"
import { type CompleteChartOfAccount, incompleteChartOfAccount } from "../billcom/models/master.ts"
import { BillcomWriter } from "../billcom/writer.ts"
import { BILLCOM_ACCOUNT_TYPES, type BillcomAccountType } from "./account-types.ts"
import { CoaError } from "./errors.ts"
import type { ChartRow } from "./model.ts"
import { ChartReader, ChartWriter, type NewRow, type RowPatch } from "./ports.ts"

const fromBillcom = (what: string) => (error: BillcomError) =>
  new CoaError({
    reason: "billcom",
    message: `${what}: ${error.message}${error.advice !== undefined ? ` (${error.advice})` : ""}`,
    cause: error
  })

const typeOf = (t: string | null | undefined): BillcomAccountType =>
  (BILLCOM_ACCOUNT_TYPES as ReadonlyArray<string>).includes(t ?? "") ? (t as BillcomAccountType) : "UNDEFINED"

const text = (s: string | null | undefined): string | undefined =>
  s === null || s === undefined || s === "" ? undefined : s

export const toChartRow = (coa: CompleteChartOfAccount): ChartRow => {
  const number = text(coa.account?.number)
  const description = text(coa.description)
  const parentId = text(coa.parentId)
  return {
    id: coa.id,
    name: coa.name,
    ...(number !== undefined ? { number } : {}),
    type: typeOf(coa.account?.type),
    ...(description !== undefined ? { description } : {}),
    ...(parentId !== undefined ? { parentId } : {}),
    archived: coa.archived
  }
}

/** The whole chart through BillcomClient, archived rows included; an undecodable row stops the plan. */
export const ChartReaderLive: Layer.Layer<ChartReader, never, BillcomClient> = Layer.effect(
  ChartReader,
  Effect.map(BillcomClient, (client) => ({
    read: client.list("chart-of-accounts", { partition: false }).pipe(
      Stream.runCollect,
      Effect.mapError(fromBillcom("cannot read Bill.com's chart of accounts")),
      Effect.flatMap((pulled) => {
        const rows: Array<ChartRow> = []
        for (const p of pulled) {
          const problem = p._tag === "Invalid" ? p.error : incompleteChartOfAccount(p.value)
          if (p._tag === "Invalid" || problem !== undefined) {
            const id = p._tag === "Invalid" ? p.id : p.value.id
            return Effect.fail(
              new CoaError({
                reason: "billcom",
                message: `Bill.com chart-of-account row ${id ?? "(no id)"} could not be read (${problem}); a plan needs every row`
              })
            )
          }
          rows.push(toChartRow(p.value as CompleteChartOfAccount))
        }
        return Effect.succeed(rows)
      }),
      Effect.withSpan("ChartReader.read")
    )
  }))
)

/** COA writes through BillcomWriter (which never re-sends a create that may have been applied). */
export const ChartWriterLive: Layer.Layer<ChartWriter, never, BillcomWriter> = Layer.effect(
  ChartWriter,
  Effect.map(BillcomWriter, (writer) => {
    const accountOf = (type: BillcomAccountType | undefined, number: string | undefined) =>
      type === undefined && number === undefined
        ? {}
        : { account: { ...(type !== undefined ? { type } : {}), ...(number !== undefined ? { number } : {}) } }
    return {
      create: (row: NewRow) =>
        writer
          .createChartOfAccount({
            name: row.name,
            ...(row.description !== undefined ? { description: row.description } : {}),
            ...(row.parentId !== undefined ? { parentId: row.parentId } : {}),
            account: { type: row.type, number: row.number }
          })
          .pipe(Effect.map(toChartRow), Effect.mapError(fromBillcom(`cannot create ${row.number} ${row.name}`))),
      update: (id: string, patch: RowPatch) =>
        writer
          .updateChartOfAccount(id, {
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.description !== undefined ? { description: patch.description } : {}),
            ...(patch.parentId !== undefined ? { parentId: patch.parentId } : {}),
            ...accountOf(patch.type, patch.number)
          })
          .pipe(Effect.map(toChartRow), Effect.mapError(fromBillcom(`cannot update ${id}`))),
      archive: (id: string) =>
        writer
          .archiveChartOfAccount(id)
          .pipe(Effect.map(toChartRow), Effect.mapError(fromBillcom(`cannot archive ${id}`))),
      restore: (id: string) =>
        writer
          .restoreChartOfAccount(id)
          .pipe(Effect.map(toChartRow), Effect.mapError(fromBillcom(`cannot restore ${id}`)))
    }
  })
)
