import { Context, type Effect } from "effect"
import type { CoaError } from "./errors.ts"
import type { BillcomAccountType } from "./account-types.ts"
import type { ChartRow } from "./model.ts"

/**
 * What COA alignment needs from Bill.com, in its own terms. billcom-adapter.ts implements both
 * over BillcomClient / BillcomWriter; the planner and applier never see HTTP.
 */
export interface ChartReaderApi {
  /** Every chart-of-account row, archived ones included. */
  readonly read: Effect.Effect<ReadonlyArray<ChartRow>, CoaError>
}
export class ChartReader extends Context.Tag("billsync/coa/ChartReader")<ChartReader, ChartReaderApi>() {}

export interface NewRow {
  readonly name: string
  readonly number: string
  readonly type: BillcomAccountType
  readonly description?: string
  readonly parentId?: string
}

export interface RowPatch {
  readonly name?: string
  readonly number?: string
  readonly type?: BillcomAccountType
  readonly description?: string
  /** null detaches the row from its parent. */
  readonly parentId?: string | null
}

export interface ChartWriterApi {
  readonly create: (row: NewRow) => Effect.Effect<ChartRow, CoaError>
  readonly update: (id: string, patch: RowPatch) => Effect.Effect<ChartRow, CoaError>
  readonly archive: (id: string) => Effect.Effect<ChartRow, CoaError>
  readonly restore: (id: string) => Effect.Effect<ChartRow, CoaError>
}
export class ChartWriter extends Context.Tag("billsync/coa/ChartWriter")<ChartWriter, ChartWriterApi>() {}
