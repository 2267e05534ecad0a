import { Data } from "effect"

/** One thing wrong with the configuration, at the node that is wrong (1-based line and column). */
export interface Problem {
  /** Path relative to the repository root (the cwd), so `file:line:col` is clickable. */
  readonly file: string
  readonly line: number
  readonly col: number
  readonly message: string
}

export const formatProblem = (p: Problem): string => `${p.file}:${p.line}:${p.col}: ${p.message}`

export const sortProblems = (problems: ReadonlyArray<Problem>): Array<Problem> =>
  [...problems].sort((a, b) => (a.file === b.file ? a.line - b.line || a.col - b.col : a.file < b.file ? -1 : 1))

/**
 * The config boundary's one error: every problem found, all at once. `NotFound` = the pipeline
 * named on the command line does not exist; `Invalid` = files exist but are wrong.
 */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly reason: "NotFound" | "Invalid"
  readonly problems: ReadonlyArray<Problem>
}> {
  override get message(): string {
    const n = this.problems.length
    const head = this.reason === "NotFound" ? "pipeline not found" : `${n} configuration problem${n === 1 ? "" : "s"}`
    return [head, ...this.problems.map(formatProblem)].join("\n")
  }
}
