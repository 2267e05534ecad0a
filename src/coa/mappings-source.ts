import { Effect } from "effect"
import { execFile } from "node:child_process"
import { readdir, readFile } from "node:fs/promises"
import { join, relative } from "node:path"
import { canonicalJson, sha256, type MappingsSource } from "./plan-file.ts"

const git = (cwd: string, args: ReadonlyArray<string>): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    execFile("git", [...args], { cwd, encoding: "utf8" }, (error, stdout) =>
      resume(Effect.succeed(error === null ? stdout.trim() : undefined))
    )
  })

/**
 * Where the plan's ledger chart came from: a SHA-256 per mapping file (content, so the same
 * files give the same fingerprint on any machine) and, inside a Git work tree, the commit and
 * whether the mappings folder (or the pipeline file, which holds the coa policy) has uncommitted
 * changes — `apply` re-reads the files at that commit, so uncommitted ones cannot be re-derived there.
 */
export const describeMappings = Effect.fn("CoaMappings.describe")(function* (
  root: string,
  mappingsDir: string,
  pipelineFile?: string
) {
  const dir = join(root, mappingsDir)
  const names = yield* Effect.promise(() => readdir(dir).catch(() => [] as Array<string>))
  const files = yield* Effect.forEach(names.filter((n) => /\.ya?ml$/.test(n)).sort(), (name) =>
    Effect.promise(() => readFile(join(dir, name))).pipe(
      Effect.map((bytes) => ({ path: relative(root, join(dir, name)).split("\\").join("/"), sha256: sha256(bytes) }))
    )
  )
  const commit = yield* git(root, ["rev-parse", "HEAD"])
  const status =
    commit === undefined
      ? undefined
      : yield* git(root, [
          "status",
          "--porcelain",
          "--untracked-files=all",
          "--",
          mappingsDir,
          ...(pipelineFile !== undefined ? [pipelineFile] : [])
        ])
  const source: MappingsSource = {
    dir: mappingsDir,
    ...(commit !== undefined && /^[0-9a-f]{40}$/.test(commit)
      ? { gitCommit: commit, gitDirty: (status ?? "") !== "" }
      : {}),
    files,
    fingerprint: sha256(canonicalJson(files))
  }
  return source
})
