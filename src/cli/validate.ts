import { FileSystem, Path } from "@effect/platform"
import { Console, Effect } from "effect"
import { ASSUMED_REQUESTS_PER_SYNC, describeKeyPlan, planKeys, plannedPipelines } from "../cluster/plan.ts"
import { ConfigError, formatProblem, loadProject, type LoadedProject, type Problem } from "../config/index.ts"
import { parseSource, problemAt } from "../config/source.ts"
import { keyLimitsFromEnv } from "../store/key-budget.ts"
import { Exit, ExitCode, exitWith } from "./exit.ts"
import { reportFailure } from "./failure.ts"
import type { ValidateOptions } from "./options.ts"

/**
 * `billsync validate [paths...]`: schema + cross-file checks of the pipelines and mappings, every
 * problem at once as `file:line:col: message` (or GitHub annotations, or JSON). Exit 0 clean,
 * 1 problems, 64 usage (e.g. a path that does not exist). A valid project is also checked against
 * the developer keys' hourly budgets (`billsync cluster plan`, offline: requests per sync assumed).
 */

/** GitHub workflow command escaping (data and property values differ). */
const escapeData = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A")
const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C")

const githubLine = (p: Problem): string =>
  `::error file=${escapeProperty(p.file)},line=${p.line},col=${p.col},title=billsync validate::${escapeData(p.message)}`

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

const report = (
  fmt: "text" | "github" | "json",
  project: LoadedProject | undefined,
  problems: ReadonlyArray<Problem>
) => {
  const files = new Set(problems.map((p) => p.file)).size
  if (fmt === "json") {
    return Console.log(
      JSON.stringify(
        {
          ok: problems.length === 0,
          pipelines:
            project?.pipelines.map((p) => ({ name: p.pipeline.name, file: p.file, mappingsDir: p.mappingsDir })) ?? [],
          files: project?.files ?? [],
          problems
        },
        null,
        2
      )
    )
  }
  const lines = problems.map(fmt === "github" ? githubLine : formatProblem)
  const summary =
    project !== undefined
      ? `${plural(project.pipelines.length, "pipeline")}, ${plural(project.files.length, "file")} valid`
      : `${plural(problems.length, "problem")} in ${plural(files, "file")}`
  // The annotations are the output in CI; the summary goes to stderr there so stdout stays annotations only.
  return Effect.zipRight(
    lines.length > 0 ? Console.log(lines.join("\n")) : Effect.void,
    fmt === "github" ? Console.error(summary) : Console.log(summary)
  )
}

/**
 * One problem per developer key whose pipelines' schedules need more logins or requests in some
 * clock hour than Bill.com allows the key, at the `schedule` of the key's first pipeline.
 */
const budgetProblems = (project: LoadedProject) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const planned = plannedPipelines(project.pipelines)
    const over = planKeys(planned, yield* keyLimitsFromEnv).filter((plan) => !plan.fits)
    return yield* Effect.forEach(over, (plan) =>
      Effect.gen(function* () {
        const first = planned.find((p) => p.key === plan.key)!
        const root = project.pipelines.find((p) => p.file === first.file)!.root
        // The file was just loaded; should it vanish in between, the problem still stands, at line 1.
        const text = yield* fs.readFileString(path.join(root, first.file)).pipe(Effect.orElseSucceed(() => ""))
        const message = `schedule: ${describeKeyPlan(plan)} (assuming ${ASSUMED_REQUESTS_PER_SYNC} requests a sync; \`billsync cluster plan\` measures them from the runs)`
        const { source } = parseSource(first.file, text)
        return source === undefined
          ? { file: first.file, line: 1, col: 1, message }
          : problemAt(source, ["schedule"], message)
      })
    )
  }).pipe(Effect.catchAll(reportFailure("validate")))

export const run = ({ format: fmt, paths }: ValidateOptions) =>
  loadProject(paths).pipe(
    Effect.matchEffect({
      onSuccess: (project) =>
        budgetProblems(project).pipe(
          Effect.flatMap((problems) =>
            problems.length === 0
              ? report(fmt, project, [])
              : report(fmt, undefined, problems).pipe(
                  Effect.zipRight(Effect.fail(new ExitCode({ code: Exit.problems })))
                )
          )
        ),
      onFailure: (error: ConfigError) =>
        error.reason === "NotFound"
          ? exitWith(Exit.usage, ...error.problems.map((p) => `billsync validate: ${p.message}`))
          : report(fmt, undefined, error.problems).pipe(
              Effect.zipRight(Effect.fail(new ExitCode({ code: Exit.problems })))
            )
    })
  )
