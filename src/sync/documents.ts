import { Effect, Schema } from "effect"
import { BillDocuments, type DocumentWrite, type PendingBill } from "../store/bill-documents.ts"
import * as R from "./records.ts"
import type { SyncSettings } from "./settings.ts"
import { Source } from "./source.ts"
import { ENRICH_CONCURRENCY } from "./stages/bills.ts"

/** What the documents step did in one run; `backlog` is what is left for later runs. */
export interface DocumentsSummary {
  readonly reads: number
  readonly failed: number
  readonly backlog: number
}

const DocumentList = Schema.Array(R.Document)

const toWrites = (raw: ReadonlyArray<unknown>): ReadonlyArray<DocumentWrite> | undefined => {
  const docs = Schema.decodeUnknownOption(DocumentList)(raw)
  if (docs._tag === "None") return undefined
  return docs.value.map((d) => ({
    billcomId: d.id,
    name: d.name ?? d.id,
    pages: d.numOfPages ?? null,
    scanStatus: d.scanStatus ?? null,
    createdTime: R.utcInstant(d.createdTime) ?? null
  }))
}

/**
 * Reads bill documents metadata after the bills are written, within the run's budget: one
 * request per backlog bill (imported bills whose documents were not read for their current
 * version — new, changed in Bill.com, or imported by re-evaluation), oldest first, at most
 * `documents.maxPerRun`. A failed read leaves the bill in the backlog (behind the others) and does
 * not fail the stage: documents are metadata, the ledger does not depend on them.
 */
export const readDocuments = Effect.fn("Sync.readDocuments")(function* (
  settings: SyncSettings,
  companyId: number,
  dryRun: boolean
) {
  const store = yield* BillDocuments
  if (!settings.documents.enabled || dryRun)
    return { reads: 0, failed: 0, backlog: yield* store.backlog(companyId) } satisfies DocumentsSummary
  const source = yield* Source
  const batch = yield* store.pending(companyId, settings.documents.maxPerRun)
  let failed = 0
  const fail = (bill: PendingBill, reason: string) =>
    Effect.zipRight(
      Effect.logWarning(`documents of bill ${bill.billcomId} not read: ${reason}`),
      Effect.sync(() => void failed++)
    ).pipe(Effect.zipRight(store.markFailed(bill)))
  yield* Effect.forEach(
    batch,
    (bill) =>
      source.billDocuments(bill.billcomId).pipe(
        Effect.matchEffect({
          onFailure: (e) => fail(bill, e.message),
          onSuccess: (raw) => {
            const writes = toWrites(raw)
            return writes === undefined
              ? fail(bill, "Bill.com returned documents metadata that does not decode")
              : store.record(bill, writes)
          }
        })
      ),
    { concurrency: ENRICH_CONCURRENCY, discard: true }
  )
  const summary: DocumentsSummary = { reads: batch.length, failed, backlog: yield* store.backlog(companyId) }
  if (summary.reads > 0 || summary.backlog > 0) {
    yield* Effect.logInfo(
      `bill documents: ${summary.reads} read${failed > 0 ? ` (${failed} failed)` : ""}, ${summary.backlog} left in the backlog`
    )
  }
  return summary
})
