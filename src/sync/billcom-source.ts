import { Effect, Layer, Option, Stream } from "effect"
import { BillcomClient } from "../billcom/client.ts"
import { Watermark } from "../billcom/lists.ts"
import type { BillcomError } from "../billcom/errors.ts"
import { RESOURCES } from "../billcom/resources.ts"
import { Source, SourceError, type PulledRecord } from "./source.ts"

const toSourceError = (e: BillcomError) => new SourceError({ message: e.message, advice: e.advice, code: e.code })

/** The sync's Source over the Bill.com client (v3 lists ascending by updatedTime, v2 reads, documents). */
export const billcomSourceLayer: Layer.Layer<Source, never, BillcomClient> = Layer.effect(
  Source,
  Effect.map(BillcomClient, (client) => ({
    session: client.session().pipe(
      Effect.map((s) => ({ organizationId: s.organizationId, userId: s.userId })),
      Effect.mapError(toSourceError)
    ),
    list: (list, since) => {
      const schema = RESOURCES[list].schema
      // Decoded by the client, unordered (pages flow as they arrive, with watermarks). A record the
      // client could not decode goes on undecoded: the sync judges it as it judges every raw record
      // (the ledger's limits first, then the schema) and records it as an invalid-record error.
      return client.read(list, { ordered: false, ...(since === undefined ? {} : { updatedSince: since }) }).pipe(
        Stream.map(
          (p): PulledRecord =>
            p instanceof Watermark
              ? { _tag: "Watermark", time: p.time }
              : p._tag === "Valid"
                ? { _tag: "Valid", raw: p.raw, decoded: { schema, raw: p.raw, value: p.value } }
                : { _tag: "Valid", raw: p.raw }
        ),
        Stream.mapError(toSourceError)
      )
    },
    billApproval: (billId) =>
      client.billApproval(billId).pipe(
        Effect.map((a) => a.approvalStatus),
        Effect.mapError(toSourceError)
      ),
    chartOfAccount: (id) =>
      client.chartOfAccount(id).pipe(
        Effect.map(
          Option.match({
            onNone: () => undefined,
            onSome: (c) => ({ id: c.id, number: c.accountNumber, type: c.accountType, archived: c.archived })
          })
        ),
        Effect.mapError(toSourceError)
      ),
    vendorCreditRate: (id) =>
      client.vendorCreditRate(id).pipe(Effect.map(Option.getOrUndefined), Effect.mapError(toSourceError)),
    billDocuments: (billId) =>
      client.billDocuments(billId).pipe(
        Effect.map((rows) => rows.map((r) => r.raw)),
        Effect.mapError(toSourceError)
      ),
    apiCalls: Effect.map(client.stats(), (s) => s.requests),
    hourlyBudget: client.hourlyBudget(),
    capRequests: client.capRequests
  }))
)
