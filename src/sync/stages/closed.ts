import { Effect } from "effect"
import { Journal } from "../../ledger/journal.ts"
import type { SourceKind } from "../../ledger/postings.ts"
import type { Failure, StageContext } from "../handler.ts"

/**
 * `ledger.closedPeriodPolicy: error` (docs/accounting.md, "Closed periods"): a changed record
 * whose posting lies in the closed period — the entry it had, or the one it would get — is not
 * posted; it becomes an integration error and the ledger keeps its earlier version. With
 * next-open-period (the default) nothing is refused here: the journal dates the entries on the
 * first open day. Returns the check for a batch, given the kinds of entries the records post.
 */
export const closedPeriodCheck = (ctx: StageContext, kinds: ReadonlyArray<SourceKind>, ids: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const closed = ctx.settings.closedThrough
    if (closed === undefined || ctx.settings.closedPeriodPolicy !== "error")
      return (_id: string, _date: string | undefined, _what: string): Failure | undefined => undefined
    const live = yield* (yield* Journal).liveDates(ctx.companyId, kinds, ids)
    return (id: string, date: string | undefined, what: string): Failure | undefined => {
      const posted = live.get(id)
      const late = (posted !== undefined && posted <= closed) || (date !== undefined && date <= closed)
      if (!late) return undefined
      return {
        code: "closed-period",
        message: `${what} changed in Bill.com, but its posting ${posted !== undefined && posted <= closed ? `(dated ${posted})` : `(dated ${date})`} lies in the closed period (closed through ${closed}); ledger.closedPeriodPolicy is error, so nothing was posted`,
        detail: { closedThrough: closed, postedOn: posted ?? null, documentDate: date ?? null }
      }
    }
  })
