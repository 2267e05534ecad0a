import { Console, Effect } from "effect"
import { computePlan } from "../coa/planning.ts"
import { planRequestOf } from "../coa/environment.ts"
import { coaBillcomLayer } from "./environment.ts"
import { hasChanges, writePlanFile } from "../coa/plan-file.ts"
import { renderMarkdown } from "../coa/render-markdown.ts"
import { renderText } from "../coa/render-text.ts"
import { loadPipeline } from "../config/load.ts"
import { reportFailure } from "./failure.ts"
import { Exit, ExitCode } from "./exit.ts"
import type { PlanOptions } from "./options.ts"

/**
 * `billsync plan coa <pipeline>`: compare the ledger chart (accounts.yaml) with Bill.com's and print
 * the alignment plan; `--out` writes the plan file `apply coa` takes. Read-only: no writer exists
 * in this command. Exit: 0 ok (with --detailed-exitcode: 0 no changes, 2 changes), 1 error or a
 * plan with problems.
 */
export const run = (o: PlanOptions) =>
  Effect.gen(function* () {
    const loaded = yield* loadPipeline(o.pipeline)
    const plan = yield* computePlan(planRequestOf(loaded)).pipe(
      Effect.provide(coaBillcomLayer(loaded, { write: false }))
    )
    if (o.out !== undefined) yield* writePlanFile(o.out, plan)
    const hint = o.fullPlanHint ?? (o.out !== undefined ? `the plan file \`${o.out}\`` : undefined)
    const maxChars = o.maxCommentChars
    const text =
      o.format === "json"
        ? JSON.stringify(plan, null, 2) + "\n"
        : o.format === "markdown"
          ? renderMarkdown(plan, {
              ...(maxChars !== undefined ? { maxChars } : {}),
              ...(hint !== undefined ? { fullPlanHint: hint } : {})
            })
          : renderText(plan)
    yield* Console.log(text.trimEnd())
    if (plan.problems.length > 0) return yield* new ExitCode({ code: Exit.problems })
    if (o.detailedExitcode && hasChanges(plan)) return yield* new ExitCode({ code: Exit.changes })
  }).pipe(Effect.catchAll(reportFailure("plan coa")))
