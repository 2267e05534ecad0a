import { Effect, Option, Schema } from "effect"
import { BillcomError } from "./errors.ts"
import { V2Bill, V2ChartOfAccount, V2VendorCredit } from "./models/legacy.ts"
import { formatIssues } from "./pulled.ts"
import type { Transport } from "./transport.ts"

/**
 * The two legacy v2 reads the sync needs (§6): form-encoded POSTs with `devKey`, `sessionId` and
 * `data` as a JSON string, answered inside the v2 envelope — under the v3 session (Bill.com and
 * the emulator accept it on both surfaces) and the same limiter, retries and re-auth.
 */
export interface BillApproval {
  readonly billId: string
  /** v3 spelling: UNASSIGNED, ASSIGNED, APPROVED, APPROVING, DENIED. */
  readonly approvalStatus: string
  readonly archived: boolean
}

const decodeOrFail =
  <A, I>(schema: Schema.Schema<A, I, never>, endpoint: string) =>
  (json: unknown) =>
    Schema.decodeUnknown(schema, { errors: "all" })(json).pipe(
      Effect.mapError(
        (error) =>
          new BillcomError({
            reason: "Decode",
            message: `Bill.com ${endpoint} answered an unexpected shape: ${formatIssues(error)}`,
            endpoint
          })
      )
    )

/** v2 reports "no such object" inside its envelope; the code is not documented (the emulator uses BDC_1002). */
const isNotFound = (error: BillcomError) =>
  error.reason === "NotFound" ||
  (error.reason === "Request" && /not found|does not exist|invalid id/i.test(error.billcomMessage ?? ""))

export const makeLegacy = (transport: Transport) => {
  /** One `Crud/Read/<Entity>.json` call by id, decoded with the entity's schema. */
  const read = <A, I>(
    entity: string,
    schema: Schema.Schema<A, I, never>,
    id: string
  ): Effect.Effect<A, BillcomError> => {
    const path = `/Crud/Read/${entity}.json`
    const endpoint = `POST /v2${path}`
    return transport
      .execute({ api: "v2", method: "POST", path, endpoint, body: { id } })
      .pipe(Effect.flatMap(decodeOrFail(schema, endpoint)))
  }
  /** The same, none when Bill.com does not know the id. */
  const readOptional = <A, I>(
    entity: string,
    schema: Schema.Schema<A, I, never>,
    id: string
  ): Effect.Effect<Option.Option<A>, BillcomError> =>
    read(entity, schema, id).pipe(
      Effect.map(Option.some),
      Effect.catchIf(isNotFound, () => Effect.succeed(Option.none()))
    )

  const billApproval = (billId: string): Effect.Effect<BillApproval, BillcomError> =>
    Effect.map(read("Bill", V2Bill, billId), (bill) => ({
      billId: bill.id,
      approvalStatus: bill.approvalStatus,
      archived: bill.archived
    }))

  const chartOfAccount = (id: string): Effect.Effect<Option.Option<V2ChartOfAccount>, BillcomError> =>
    readOptional("ChartOfAccount", V2ChartOfAccount, id)

  /** The vendor credit's exchange rate (USD per unit of its currency); none when Bill.com gives none or does not know the id. */
  const vendorCreditRate = (id: string): Effect.Effect<Option.Option<number>, BillcomError> =>
    Effect.map(
      readOptional("VendorCredit", V2VendorCredit, id),
      Option.flatMap((c) =>
        typeof c.exchangeRate === "number" && Number.isFinite(c.exchangeRate) && c.exchangeRate > 0
          ? Option.some(c.exchangeRate)
          : Option.none()
      )
    )

  return { billApproval, chartOfAccount, vendorCreditRate }
}
