import { Effect } from "effect"
import { execFile } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { loadPipeline, type LoadedPipeline } from "../config/load.ts"
import { CoaError } from "./errors.ts"
import { describeMappings } from "./mappings-source.ts"
import { sha256, type CoaPlan } from "./plan-file.ts"

/**
 * Where `apply` gets a plan's inputs back from, so it can re-derive the plan instead of trusting
 * the file: the pipeline file and the mapping files as they were at the plan's git commit (or, for
 * a plan made from uncommitted files, which CI refuses, the working tree if it still holds exactly
 * those files). Every mapping file must have the digest the plan recorded.
 */

const gitBytes = (cwd: string, args: ReadonlyArray<string>): Effect.Effect<Buffer | undefined> =>
  Effect.async<Buffer | undefined>((resume) => {
    execFile("git", [...args], { cwd, encoding: "buffer", maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      resume(Effect.succeed(error === null ? stdout : undefined))
    )
  })

const refuse = (message: string) => new CoaError({ reason: "plan-file", message })

export interface PlanInputs {
  /** The pipeline and its mappings as the plan was made from them (loaded from a scratch copy). */
  readonly loaded: LoadedPipeline
  /** "commit": read from git at the plan's commit; "working-tree": an uncommitted plan's files, still on disk. */
  readonly from: "commit" | "working-tree"
}

/** True when the plan was made from files Git does not hold (no repository, or uncommitted changes). */
export const isUncommitted = (plan: CoaPlan): boolean =>
  plan.mappings.gitCommit === undefined || plan.mappings.gitDirty === true

const readCommitted = (root: string, commit: string, plan: CoaPlan) =>
  Effect.gen(function* () {
    const known = yield* gitBytes(root, ["cat-file", "-e", `${commit}^{commit}`])
    if (known === undefined) {
      return yield* refuse(
        `the plan was made at commit ${commit.slice(0, 12)}, which this repository does not have; fetch it (CI: actions/checkout with fetch-depth: 0) or re-plan`
      )
    }
    const ancestor = yield* gitBytes(root, ["merge-base", "--is-ancestor", commit, "HEAD"])
    if (ancestor === undefined) {
      return yield* refuse(
        `the plan was made at commit ${commit.slice(0, 12)}, which is not in the history of the checked-out commit; apply plans of this branch only, or re-plan`
      )
    }
    const listing = yield* gitBytes(root, ["ls-tree", "-z", "--name-only", `${commit}:${plan.mappings.dir}/`])
    const names = (listing?.toString("utf8") ?? "")
      .split("\u0000")
      .filter((n) => /\.ya?ml$/.test(n))
      .sort()
    const files = new Map<string, Buffer>()
    for (const name of names) {
      const path = `${plan.mappings.dir}/${name}`
      const bytes = yield* gitBytes(root, ["cat-file", "blob", `${commit}:${path}`])
      if (bytes !== undefined) files.set(path, bytes)
    }
    const pipelineBytes = yield* gitBytes(root, ["cat-file", "blob", `${commit}:${plan.pipeline.file}`])
    if (pipelineBytes === undefined)
      return yield* refuse(`${plan.pipeline.file} does not exist at the plan's commit ${commit.slice(0, 12)}; re-plan`)
    files.set(plan.pipeline.file, pipelineBytes)
    return files
  })

const readWorkingTree = (root: string, plan: CoaPlan) =>
  Effect.promise(async () => {
    const files = new Map<string, Buffer>()
    for (const f of plan.mappings.files)
      files.set(f.path, await readFile(join(root, f.path)).catch(() => Buffer.alloc(0)))
    files.set(plan.pipeline.file, await readFile(join(root, plan.pipeline.file)).catch(() => Buffer.alloc(0)))
    return files
  })

/** The mapping files must be exactly the ones the plan lists, each with the digest it recorded. */
const checkDigests = (plan: CoaPlan, files: ReadonlyMap<string, Buffer>, where: string): string | undefined => {
  const recorded = new Map(plan.mappings.files.map((f) => [f.path, f.sha256] as const))
  const actual = [...files].filter(([path]) => path !== plan.pipeline.file)
  for (const [path, bytes] of actual) {
    const digest = recorded.get(path)
    if (digest === undefined) return `${path} (${where}) is not one of the plan's mapping files`
    if (digest !== sha256(bytes))
      return `${path} (${where}) is not the file the plan was made from (its digest differs)`
  }
  for (const path of recorded.keys())
    if (!files.has(path)) return `${path}, one of the plan's mapping files, is missing (${where})`
  return undefined
}

/**
 * The plan's inputs, or a refusal. `ci`: a plan made from uncommitted mappings is refused (a CI
 * run must apply what was reviewed and merged); locally it is warned about and its files must
 * still be on disk unchanged.
 */
export const planInputs = Effect.fn("CoaProvenance.planInputs")(function* (
  plan: CoaPlan,
  root: string,
  options: { readonly ci: boolean }
) {
  let files: ReadonlyMap<string, Buffer>
  let from: PlanInputs["from"]
  if (isUncommitted(plan)) {
    const why =
      plan.mappings.gitCommit === undefined
        ? "outside a Git repository"
        : `with uncommitted changes on top of commit ${plan.mappings.gitCommit.slice(0, 12)}`
    if (options.ci) {
      return yield* refuse(
        `this plan was made from mapping files ${why}, so what it would apply was never committed or reviewed; CI applies only plans made from committed files: commit the mappings and re-plan`
      )
    }
    yield* Effect.logWarning(
      `this plan was made from mapping files ${why}; it is applied only if those files are still exactly as planned (CI would refuse it)`
    )
    files = yield* readWorkingTree(root, plan)
    from = "working-tree"
    const current = yield* describeMappings(root, plan.mappings.dir)
    if (current.fingerprint !== plan.mappings.fingerprint) {
      return yield* refuse(
        `the mapping files changed since this uncommitted plan was made, so its inputs are gone; re-run billsync plan coa ${plan.pipeline.name}`
      )
    }
  } else {
    files = yield* readCommitted(root, plan.mappings.gitCommit!, plan)
    from = "commit"
  }
  const mismatch = checkDigests(
    plan,
    files,
    from === "commit" ? `at commit ${plan.mappings.gitCommit!.slice(0, 12)}` : "in the working tree"
  )
  if (mismatch !== undefined)
    return yield* refuse(
      `the plan does not match its recorded inputs: ${mismatch}; nothing was changed — re-run billsync plan coa ${plan.pipeline.name}`
    )

  // Load exactly those files with the normal loader and its checks, from a scratch copy.
  const scratch = yield* Effect.acquireRelease(
    Effect.promise(() => mkdtemp(join(tmpdir(), "billsync-plan-inputs-"))),
    (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
  )
  yield* Effect.promise(async () => {
    for (const [path, bytes] of files) {
      await mkdir(dirname(join(scratch, path)), { recursive: true })
      await writeFile(join(scratch, path), bytes)
    }
  })
  const loaded = yield* loadPipeline(plan.pipeline.file, { cwd: scratch }).pipe(
    Effect.mapError((e) =>
      refuse(
        `the plan's inputs (${plan.pipeline.file} and ${plan.mappings.dir} ${from === "commit" ? `at commit ${plan.mappings.gitCommit!.slice(0, 12)}` : "on disk"}) do not load: ${e.message}`
      )
    )
  )
  return { loaded, from } satisfies PlanInputs
})
