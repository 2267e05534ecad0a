// Takes a pull request's pipelines/ and mappings/ as DATA, for coa-plan.yml: the workflow runs the
// tool from the trusted base commit (this checkout) and never executes anything the PR controls.
// Usage: node --import tsx scripts/pr-data.ts <head-commit> <out-dir> [<base-commit>]
//   Writes the PR's pipelines/*.yaml and mappings/**.yaml (regular files only: a symlink or a
//   submodule is refused, so a PR cannot make the tool read a file outside its data) into <out-dir>,
//   and prints a JSON array, one entry per pipeline the PR touches:
//     { pipeline, environment, credentials, note? }
//   A pipeline with a `note` is not planned (the note says why). One that needs Bill.com
//   credentials is planned only when it exists on the base commit with the SAME billcom section:
//   a PR cannot send a pipeline's secrets to another URL or organisation by editing it.
//   `environment` is the GitHub environment holding the pipeline's secrets ("" when it needs none).
import { execFileSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, normalize, resolve } from "node:path"
import { parse } from "yaml"
import { canonicalJson } from "../src/coa/plan-file.ts"
import { affectedPipelines, readPipelineIndex } from "../src/coa/pipeline-index.ts"
import { readEnvironment } from "../src/ci/workflows.ts"

// The repository is the current directory (the base checkout), as in the workflow.
const root = process.cwd()
const [head, outArg, base = "HEAD"] = process.argv.slice(2)
if (head === undefined || outArg === undefined) {
  process.stderr.write("usage: scripts/pr-data.ts <head-commit> <out-dir> [<base-commit>]\n")
  process.exit(64)
}
const out = resolve(outArg)

const git = (args: ReadonlyArray<string>) => execFileSync("git", [...args], { cwd: root, maxBuffer: 256 * 1024 * 1024 })

const refused: Array<string> = []
for (const entry of git(["ls-tree", "-r", "-z", "--full-tree", head, "--", "pipelines", "mappings"])
  .toString("utf8")
  .split("\u0000")) {
  if (entry === "") continue
  const [meta, path] = [entry.slice(0, entry.indexOf("\t")), entry.slice(entry.indexOf("\t") + 1)]
  const [mode, type, object] = meta.split(" ")
  const safe = normalize(path)
  if (type !== "blob" || (mode !== "100644" && mode !== "100755") || safe.startsWith("..") || !/\.ya?ml$/.test(safe)) {
    if (type !== "blob" || mode === "120000") refused.push(path)
    continue
  }
  mkdirSync(dirname(join(out, safe)), { recursive: true })
  writeFileSync(join(out, safe), git(["cat-file", "blob", object!]))
}

const changed = git(["diff", "--name-only", "-z", `${base}...${head}`, "--", "pipelines", "mappings"])
  .toString("utf8")
  .split("\u0000")
  .filter((p) => p !== "")
const pr = readPipelineIndex(out)
const trusted = new Map(readPipelineIndex(root).map((p) => [p.name, p] as const))
const billcomOf = (dir: string, file: string): string => {
  try {
    return canonicalJson((parse(readFileSync(join(dir, file), "utf8")) as { billcom?: unknown }).billcom ?? null)
  } catch {
    return "unreadable"
  }
}

const entries = affectedPipelines(changed, pr).map((name) => {
  const p = pr.find((e) => e.name === name)!
  const before = trusted.get(name)
  const touchesRefused = refused.filter((r) => r === p.file || r.startsWith(`${p.mappingsDir}/`))
  const note =
    touchesRefused.length > 0
      ? `not planned: ${touchesRefused.join(", ")} ${touchesRefused.length === 1 ? "is" : "are"} a symlink or submodule, which billsync does not read from a pull request`
      : !/^mappings\/[^/]/.test(p.mappingsDir) || p.mappingsDir.includes("..")
        ? `not planned: its mappings folder ${p.mappingsDir} is outside mappings/`
        : p.secretVariables.length === 0
          ? undefined
          : before === undefined
            ? "not planned here: the pipeline is new in this pull request, and its Bill.com credentials are not given to pull requests; coa-apply.yml plans it after merge"
            : billcomOf(out, p.file) !== billcomOf(root, before.file)
              ? "not planned here: this pull request changes its billcom section (where its credentials would be sent), so it is planned after merge by coa-apply.yml"
              : undefined
  const credentials = note === undefined && p.secretVariables.length > 0
  return {
    pipeline: name,
    environment: credentials ? readEnvironment(name) : "",
    credentials,
    ...(note !== undefined ? { note } : {})
  }
})
process.stdout.write(JSON.stringify(entries) + "\n")
