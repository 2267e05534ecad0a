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

const decodeOrFail = <A, I>(schema: Schema.Schema<A, I, never>, endpoint: string) => (json: unknown) =>
  Schema.decodeUnknown(schema, { errors: "all" })(json).pipe(
    Effect.mapError(
      (error) => new BillcomError({ reason: "Decode", message: `Bill.com ${endpoint} answered an unexpected shape: ${formatIssues(error)}`, endpoint })
    )
  )

/** v2 reports "no such object" inside its envelope; the code is not documented (the emulator uses BDC_1002). */
const isNotFound = (error: BillcomError) =>
  error.reason === "NotFound" || (error.reason === "Request" && /not found|does not exist|invalid id/i.test(error.billcomMessage ?? ""))

export const makeLegacy = (transport: Transport) => {
  const billApproval = (billId: string): Effect.Effect<BillApproval, BillcomError> => {
    const endpoint = "POST /v2/Crud/Read/Bill.json"
    return transport
      .execute({ api: "v2", method: "POST", path: "/Crud/Read/Bill.json", endpoint, body: { id: billId } })
      .pipe(
        Effect.flatMap(decodeOrFail(V2Bill, endpoint)),
        Effect.map((bill) => ({ billId: bill.id, approvalStatus: bill.approvalStatus, archived: bill.archived }))
      )
  }

  const chartOfAccount = (id: string): Effect.Effect<Option.Option<V2ChartOfAccount>, BillcomError> => {
    const endpoint = "POST /v2/Crud/Read/ChartOfAccount.json"
    return transport
      .execute({ api: "v2", method: "POST", path: "/Crud/Read/ChartOfAccount.json", endpoint, body: { id } })
      .pipe(
        Effect.flatMap(decodeOrFail(V2ChartOfAccount, endpoint)),
        Effect.map(Option.some),
        Effect.catchIf(isNotFound, () => Effect.succeed(Option.none()))
      )
  }

  /** The vendor credit's exchange rate (USD per unit of its currency); none when Bill.com gives none or does not know the id. */
  const vendorCreditRate = (id: string): Effect.Effect<Option.Option<number>, BillcomError> => {
    const endpoint = "POST /v2/Crud/Read/VendorCredit.json"
    return transport
      .execute({ api: "v2", method: "POST", path: "/Crud/Read/VendorCredit.json", endpoint, body: { id } })
      .pipe(
        Effect.flatMap(decodeOrFail(V2VendorCredit, endpoint)),
        Effect.map((c) => (typeof c.exchangeRate === "number" && Number.isFinite(c.exchangeRate) && c.exchangeRate > 0 ? Option.some(c.exchangeRate) : Option.none())),
        Effect.catchIf(isNotFound, () => Effect.succeed(Option.none()))
      )
  }

  return { billApproval, chartOfAccount, vendorCreditRate }
}
