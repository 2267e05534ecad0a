import { Context, Effect, Layer, Schema } from "effect"
import { BillcomError } from "./errors.ts"
import { ChartOfAccount, type CompleteChartOfAccount, incompleteChartOfAccount } from "./models/master.ts"
import { formatIssues } from "./pulled.ts"
import { BillcomTransport } from "./transport.ts"

/**
 * The only writes billsync makes to Bill.com: chart-of-accounts create / update (PATCH) / archive /
 * restore (§4.6). A separate service over the same transport as BillcomClient (one session, one
 * limiter); only `billsync apply coa` provides it, so the sync cannot mutate Bill.com.
 */
export interface ChartOfAccountCreate {
  readonly name: string
  readonly description?: string | undefined
  readonly parentId?: string | undefined
  readonly account: { readonly type: string; readonly number?: string | undefined }
}

export interface ChartOfAccountPatch {
  readonly name?: string | undefined
  readonly description?: string | undefined
  /**
   * null clears the parent. [OAS] `UpdateClassificationChartOfAccountsRequestDto.parentId` is a
   * string (not nullable) and no way to clear a parent is documented: billsync sends "" (a string
   * that names no account) rather than the null the schema does not allow.
   */
  readonly parentId?: string | null | undefined
  readonly account?: { readonly type?: string | undefined; readonly number?: string | undefined } | undefined
}

export interface BillcomWriterApi {
  readonly createChartOfAccount: (input: ChartOfAccountCreate) => Effect.Effect<CompleteChartOfAccount, BillcomError>
  readonly updateChartOfAccount: (
    id: string,
    patch: ChartOfAccountPatch
  ) => Effect.Effect<CompleteChartOfAccount, BillcomError>
  readonly archiveChartOfAccount: (id: string) => Effect.Effect<CompleteChartOfAccount, BillcomError>
  readonly restoreChartOfAccount: (id: string) => Effect.Effect<CompleteChartOfAccount, BillcomError>
}

const BASE = "/v3/classifications/chart-of-accounts"

/** Drop undefined keys so the JSON body only carries what the caller set. */
const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

export const makeWriter = Effect.gen(function* () {
  const transport = yield* BillcomTransport
  const unexpected = (endpoint: string, issues: string) =>
    new BillcomError({
      reason: "Decode",
      message: `Bill.com ${endpoint} answered an unexpected shape: ${issues}`,
      endpoint
    })
  const decode =
    (endpoint: string) =>
    (json: unknown): Effect.Effect<CompleteChartOfAccount, BillcomError> =>
      Schema.decodeUnknown(ChartOfAccount, { errors: "all" })(json).pipe(
        Effect.mapError((e) => unexpected(endpoint, formatIssues(e))),
        Effect.flatMap((row) => {
          const missing = incompleteChartOfAccount(row)
          return missing === undefined
            ? Effect.succeed(row as CompleteChartOfAccount)
            : Effect.fail(unexpected(endpoint, missing))
        })
      )
  const call = (method: "POST" | "PATCH", path: string, endpoint: string, body: unknown, idempotent: boolean) =>
    transport.execute({ api: "v3", method, path, endpoint, body, idempotent }).pipe(Effect.flatMap(decode(endpoint)))
  const one = (id: string) => `${BASE}/${encodeURIComponent(id)}`

  return {
    createChartOfAccount: Effect.fn("BillcomWriter.createChartOfAccount")(function* (input: ChartOfAccountCreate) {
      const body = defined({
        name: input.name,
        description: input.description,
        parentId: input.parentId,
        account: defined({ ...input.account })
      })
      return yield* call("POST", BASE, `POST ${BASE}`, body, false)
    }),
    updateChartOfAccount: Effect.fn("BillcomWriter.updateChartOfAccount")(function* (
      id: string,
      patch: ChartOfAccountPatch
    ) {
      const body = defined({
        name: patch.name,
        description: patch.description,
        parentId: patch.parentId === null ? "" : patch.parentId,
        account: patch.account && defined({ ...patch.account })
      })
      return yield* call("PATCH", one(id), `PATCH ${BASE}/{id}`, body, true)
    }),
    // Archive and restore are idempotent on Bill.com (§2.2): safe to re-send.
    archiveChartOfAccount: Effect.fn("BillcomWriter.archiveChartOfAccount")(function* (id: string) {
      return yield* call("POST", `${one(id)}/archive`, `POST ${BASE}/{id}/archive`, undefined, true)
    }),
    restoreChartOfAccount: Effect.fn("BillcomWriter.restoreChartOfAccount")(function* (id: string) {
      return yield* call("POST", `${one(id)}/restore`, `POST ${BASE}/{id}/restore`, undefined, true)
    })
  } satisfies BillcomWriterApi
})

export class BillcomWriter extends Context.Tag("billsync/BillcomWriter")<BillcomWriter, BillcomWriterApi>() {
  static readonly layer: Layer.Layer<BillcomWriter, never, BillcomTransport> = Layer.effect(BillcomWriter, makeWriter)
}
