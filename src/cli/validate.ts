import { Console, Effect } from "effect"
import { ConfigError, formatProblem, loadProject, type LoadedProject, type Problem } from "../config/index.ts"
import { Exit, ExitCode, exitWith } from "./exit.ts"
import type { ValidateOptions } from "./options.ts"

/**
 * `billsync validate [paths...]`: schema + cross-file checks of the pipelines and mappings, every
 * problem at once as `file:line:col: message` (or GitHub annotations, or JSON). Exit 0 clean,
 * 1 problems, 64 usage (e.g. a path that does not exist).
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

export const run = ({ format: fmt, paths }: ValidateOptions) =>
  loadProject(paths).pipe(
    Effect.matchEffect({
      onSuccess: (project) => report(fmt, project, []),
      onFailure: (error: ConfigError) =>
        error.reason === "NotFound"
          ? exitWith(Exit.usage, ...error.problems.map((p) => `billsync validate: ${p.message}`))
          : report(fmt, undefined, error.problems).pipe(
              Effect.zipRight(Effect.fail(new ExitCode({ code: Exit.problems })))
            )
    })
  )
