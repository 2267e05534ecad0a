import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { computePlan } from "../coa/planning.ts"
import { coaBillcomLayer, planRequestOf } from "../coa/environment.ts"
import { hasChanges, writePlanFile } from "../coa/plan-file.ts"
import { renderMarkdown } from "../coa/render-markdown.ts"
import { renderText } from "../coa/render-text.ts"
import { loadPipeline } from "../config/load.ts"
import { reportFailure } from "../sync/cli-support.ts"
import { Exit, ExitCode } from "./exit.ts"

/**
 * `billsync plan coa <pipeline>`: compare the ledger chart (accounts.yaml) with Bill.com's and print
 * the alignment plan; `--out` writes the plan file `apply coa` takes. Read-only: no writer exists
 * in this command. Exit: 0 ok (with --detailed-exitcode: 0 no changes, 2 changes), 1 error or a
 * plan with problems.
 */
const pipeline = Args.text({ name: "pipeline" }).pipe(Args.withDescription("Pipeline name (pipelines/<name>.yaml) or path"))
const out = Options.file("out").pipe(Options.optional, Options.withDescription("Write the plan file (input of `billsync apply coa`)"))
const format = Options.choice("format", ["text", "markdown", "json"]).pipe(
  Options.withDefault("text" as const),
  Options.withDescription("text: for the terminal; markdown: a PR comment; json: the plan file itself")
)
const detailedExitcode = Options.boolean("detailed-exitcode").pipe(Options.withDescription("Exit 0 when nothing would change, 2 when something would, 1 on error"))
const maxCommentChars = Options.integer("max-comment-chars").pipe(
  Options.optional,
  Options.withDescription("Markdown budget in characters (default 60000; GitHub's comment limit is 65535)")
)
const fullPlanHint = Options.text("full-plan-hint").pipe(Options.optional, Options.withDescription("Where the markdown says the full plan is (e.g. a CI artifact)"))

const coa = Command.make("coa", { pipeline, out, format, detailedExitcode, maxCommentChars, fullPlanHint }, (o) =>
  Effect.gen(function* () {
    const loaded = yield* loadPipeline(o.pipeline)
    const plan = yield* computePlan(planRequestOf(loaded)).pipe(Effect.provide(coaBillcomLayer(loaded, { write: false })))
    if (Option.isSome(o.out)) yield* writePlanFile(o.out.value, plan)
    const hint = Option.getOrUndefined(o.fullPlanHint) ?? (Option.isSome(o.out) ? `the plan file \`${o.out.value}\`` : undefined)
    const maxChars = Option.getOrUndefined(o.maxCommentChars)
    const text =
      o.format === "json"
        ? JSON.stringify(plan, null, 2) + "\n"
        : o.format === "markdown"
          ? renderMarkdown(plan, { ...(maxChars !== undefined ? { maxChars } : {}), ...(hint !== undefined ? { fullPlanHint: hint } : {}) })
          : renderText(plan)
    yield* Console.log(text.trimEnd())
    if (plan.problems.length > 0) return yield* new ExitCode({ code: Exit.problems })
    if (o.detailedExitcode && hasChanges(plan)) return yield* new ExitCode({ code: Exit.changes })
  }).pipe(Effect.catchAll(reportFailure("plan coa")))
).pipe(Command.withDescription("Plan the chart-of-accounts alignment of a pipeline (read-only)"))

export const planCommand = Command.make("plan").pipe(
  Command.withDescription("Plan changes to Bill.com for review (Terraform-style); see `billsync apply`"),
  Command.withSubcommands([coa])
)
