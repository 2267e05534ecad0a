import { Effect } from "effect"
import { StoreError } from "../store/errors.ts"
import { IntegrationErrors } from "../store/integration-errors.ts"
import { Runs } from "../store/runs.ts"
import type { HtmlReportInput } from "./html.ts"
import { LedgerChecks } from "./invariants.ts"
import { Reports } from "./reports.ts"

/** Today's date in UTC (YYYY-MM-DD): the default `--as-of`. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10)

/** The pipeline's integration/company, or a clear failure before its first sync. */
export const reportScope = (pipeline: string) =>
  Effect.flatMap(
    Effect.flatMap(Reports, (r) => r.scope(pipeline)),
    (scope) =>
      scope === undefined
        ? Effect.fail(
            new StoreError({
              reason: "missing",
              message: `pipeline ${pipeline} has not been synced into this database yet (run \`billsync sync ${pipeline}\` first)`
            })
          )
        : Effect.succeed(scope)
  )

/** Everything the HTML report shows, read in one go. */
export const collectHtmlInput = (
  pipeline: string,
  company: string,
  asOf: string,
  runLimit = 20,
  buckets?: ReadonlyArray<number>
) =>
  Effect.gen(function* () {
    const reports = yield* Reports
    const scope = yield* reportScope(pipeline)
    const openErrors = yield* (yield* IntegrationErrors).open(scope.integrationId, undefined)
    const resolved = yield* reports.recentlyResolved(scope.integrationId, 50)
    const unmapped = yield* reports.unmapped(scope.integrationId)
    const records = [...openErrors, ...resolved.map((e) => ({ kind: e.kind, billcomId: e.billcom_id })), ...unmapped]
    const input: HtmlReportInput = {
      pipeline,
      company,
      generatedAt: new Date().toISOString().replace("T", " ").slice(0, 19) + " UTC",
      aging: yield* reports.aging(scope.companyId, scope.currency, asOf, buckets),
      trialBalance: yield* reports.trialBalance(scope.companyId, scope.currency, asOf),
      runs: yield* (yield* Runs).recent(scope.integrationId, runLimit),
      openErrors,
      errorContext: yield* reports.errorContext(scope.integrationId, records),
      resolved,
      unmapped,
      invariants: yield* (yield* LedgerChecks).checkAll(scope.companyId),
      latePostings: yield* reports.latePostings(scope.companyId, asOf)
    }
    return input
  })
