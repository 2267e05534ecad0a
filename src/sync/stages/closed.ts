import { Effect } from "effect"
import { Journal } from "../../ledger/journal.ts"
import type { SourceKind } from "../../ledger/postings.ts"
import type { Failure, StageContext } from "../handler.ts"
import type { SyncSettings } from "../settings.ts"

/** Whether the closed-period rule refuses anything: only `ledger.closedPeriodPolicy: error` with a closedThrough. */
const refusing = (settings: SyncSettings): boolean =>
  settings.closedThrough !== undefined && settings.closedPeriodPolicy === "error"

/**
 * The date of each record's live journal entry (the earliest of its entries), of the kinds of
 * entries the records post — read only when the closed-period rule can refuse (else empty).
 */
export const postedDates = (ctx: StageContext, kinds: ReadonlyArray<SourceKind>, ids: ReadonlyArray<string>) =>
  refusing(ctx.settings)
    ? Effect.flatMap(Journal, (journal) => journal.liveDates(ctx.companyId, kinds, ids))
    : Effect.succeed(new Map<string, string>() as ReadonlyMap<string, string>)

/**
 * `ledger.closedPeriodPolicy: error` (docs/accounting.md, "Closed periods"): a changed record
 * whose posting lies in the closed period — the entry it had (`posted`), or the one it would get
 * (`date`) — is not posted; it becomes an integration error and the ledger keeps its earlier
 * version. With next-open-period (the default) nothing is refused here: the journal dates the
 * entries on the first open day. Pure.
 */
export const closedPeriodFailure = (
  settings: SyncSettings,
  posted: string | undefined,
  date: string | undefined,
  what: string
): Failure | undefined => {
  const closed = settings.closedThrough
  if (closed === undefined || !refusing(settings)) return undefined
  const late = (posted !== undefined && posted <= closed) || (date !== undefined && date <= closed)
  if (!late) return undefined
  return {
    code: "closed-period",
    message: `${what} changed in Bill.com, but its posting ${posted !== undefined && posted <= closed ? `(dated ${posted})` : `(dated ${date})`} lies in the closed period (closed through ${closed}); ledger.closedPeriodPolicy is error, so nothing was posted`,
    detail: { closedThrough: closed, postedOn: posted ?? null, documentDate: date ?? null }
  }
}
