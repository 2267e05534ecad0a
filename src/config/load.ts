import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"
import * as NodePath from "node:path"
import { checkFile, checkModeline } from "./check-file.ts"
import { checkLedgerAccounts, checkMappings, checkPipeline, type MappingSources } from "./checks.ts"
import { ConfigError, sortProblems, type Problem } from "./errors.ts"
import { FileKinds, MappingKinds, mappingKindOfFile, type FileKindName, type MappingKind } from "./files.ts"
import type { Mappings } from "./mappings.ts"
import type { Pipeline } from "./pipeline.ts"
import { MAX_FILE_BYTES, parseSource, problemAt, type SourceFile } from "./source.ts"

/** A pipeline with its mappings, defaults applied and every check passed. */
export interface LoadedPipeline {
  /** The pipeline file, relative to the repository root. */
  readonly file: string
  readonly pipeline: Pipeline
  readonly mappings: Mappings
  /** The mappings folder, relative to the repository root (e.g. `mappings/demo`). */
  readonly mappingsDir: string
  /** Absolute path of the repository root the paths above are relative to. */
  readonly root: string
}

export interface LoadedProject {
  readonly pipelines: ReadonlyArray<LoadedPipeline>
  /** Every file that was checked, relative to the root. */
  readonly files: ReadonlyArray<string>
}

export interface LoadOptions {
  /** The repository root; names and relative paths resolve against it. Default: the process cwd. */
  readonly cwd?: string
}

const rootOf = (options: LoadOptions | undefined): string => NodePath.resolve(options?.cwd ?? process.cwd())
const display = (root: string, abs: string): string => NodePath.relative(root, abs).split(NodePath.sep).join("/") || "."

/**
 * File access goes through the platform's FileSystem (a test or another runtime can provide its
 * own); a failure to read is a problem in the report, never an exception.
 */
const exists = (abs: string): Effect.Effect<"file" | "dir" | undefined, never, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.stat(abs)).pipe(
    Effect.map((s) => (s.type === "Directory" ? "dir" : s.type === "File" ? "file" : undefined)),
    Effect.orElseSucceed(() => undefined)
  )

/** Why a file could not be read, in the words of the error codes users search for. */
const CODES: Partial<Record<string, string>> = {
  NotFound: "ENOENT",
  PermissionDenied: "EACCES",
  Busy: "EBUSY",
  TimedOut: "ETIMEDOUT"
}
const unreadable = (e: PlatformError): string => (e._tag === "SystemError" ? (CODES[e.reason] ?? e.reason) : e.message)

/** The entries of a folder, sorted; none when it cannot be read. */
const entriesOf = (dir: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readDirectory(dir)).pipe(
    Effect.map((names) => [...names].sort()),
    Effect.orElseSucceed((): Array<string> => [])
  )

interface Read<A> {
  readonly value: A | undefined
  readonly source: SourceFile | undefined
  readonly problems: Array<Problem>
}

/** Reads, parses and schema-checks one file; every failure is a problem, never an exception. */
const readFile = <K extends FileKindName>(root: string, abs: string, kind: K) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = display(root, abs)
    const fail = (message: string): Read<ReturnType<typeof checkFile<K>>["value"]> => ({
      value: undefined,
      source: undefined,
      problems: [{ file, line: 1, col: 1, message }]
    })
    const read = yield* Effect.either(
      Effect.gen(function* () {
        const stat = yield* fs.stat(abs)
        if (stat.type === "Directory") return { problem: "cannot read file: EISDIR" }
        if (Number(stat.size) > MAX_FILE_BYTES)
          return {
            problem: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MB; config files are expected to be small`
          }
        return { text: yield* fs.readFileString(abs, "utf8") }
      })
    )
    if (read._tag === "Left") return fail(`cannot read file: ${unreadable(read.left)}`)
    if ("problem" in read.right) return fail(read.right.problem)
    const text = read.right.text
    if (text.includes("\u0000")) return fail("not a text file (contains NUL bytes)")
    const parsed = parseSource(file, text)
    if (parsed.source === undefined) return { value: undefined, source: undefined, problems: parsed.problems }
    const modeline = checkModeline(parsed.source, abs, root, kind)
    const checked = checkFile(parsed.source, kind)
    return {
      value: checked.value,
      source: parsed.source,
      problems: [...parsed.problems, ...modeline, ...checked.problems]
    }
  })

interface MappingsRead {
  readonly mappings: Mappings | undefined
  readonly problems: Array<Problem>
  readonly files: Array<string>
  readonly missing: "folder" | "accounts" | undefined
  readonly sources?: MappingSources
}

/** Loads one mappings folder: every known file, unknown file names flagged, then the cross-file checks. */
const readMappings = (root: string, dirAbs: string) =>
  Effect.gen(function* () {
    if ((yield* exists(dirAbs)) !== "dir")
      return { mappings: undefined, problems: [], files: [], missing: "folder" } satisfies MappingsRead as MappingsRead
    const problems: Array<Problem> = []
    const files: Array<string> = []
    const byKind = new Map<MappingKind, string>()
    for (const name of yield* entriesOf(dirAbs)) {
      if (!/\.ya?ml$/.test(name)) continue
      const abs = NodePath.join(dirAbs, name)
      const kind = mappingKindOfFile(name)
      if (kind === undefined) {
        problems.push({
          file: display(root, abs),
          line: 1,
          col: 1,
          message: `unknown mapping file ${name}: a mappings folder holds ${MappingKinds.map((k) => `${k}.yaml`).join(", ")}`
        })
        continue
      }
      const other = byKind.get(kind)
      if (other !== undefined) {
        problems.push({
          file: display(root, abs),
          line: 1,
          col: 1,
          message: `two ${kind} files in one folder (${NodePath.basename(other)} and ${name}): keep one`
        })
        continue
      }
      byKind.set(kind, abs)
    }
    const sources: MappingSources = {}
    const values: Partial<Record<MappingKind, unknown>> = {}
    for (const kind of MappingKinds) {
      const abs = byKind.get(kind)
      if (abs === undefined) continue
      files.push(display(root, abs))
      const read = yield* readFile(root, abs, kind)
      problems.push(...read.problems)
      if (read.source !== undefined) sources[kind] = read.source
      if (read.value !== undefined) values[kind] = read.value
    }
    if (!byKind.has("accounts"))
      return { mappings: undefined, problems, files, missing: "accounts" } satisfies MappingsRead as MappingsRead
    const decode = <K extends MappingKind>(kind: K) =>
      values[kind] as (typeof FileKinds)[K]["schema"]["Type"] | undefined
    const accounts = decode("accounts")
    const classifications = decode("classifications")
    const mappings: Mappings = {
      accounts: accounts?.accounts ?? [],
      vendors: decode("vendors")?.vendors ?? [],
      fundingAccounts: decode("funding-accounts")?.fundingAccounts ?? [],
      items: decode("items")?.items ?? [],
      customers: decode("customers")?.customers ?? [],
      classifications: classifications ?? {
        departments: [],
        jobs: [],
        locations: [],
        accountingClasses: [],
        employees: []
      }
    }
    problems.push(...checkMappings(sources))
    // A folder whose chart did not decode cannot back a pipeline, but its other problems are reported.
    return {
      mappings: accounts === undefined ? undefined : mappings,
      sources,
      problems,
      files,
      missing: undefined
    } satisfies MappingsRead as MappingsRead
  })

interface PipelineRead {
  readonly loaded: LoadedPipeline | undefined
  readonly problems: Array<Problem>
  readonly files: Array<string>
  readonly mappingsDir: string | undefined
  readonly company: string | undefined
  readonly source: SourceFile | undefined
}

const readPipeline = (root: string, abs: string, checkedFolders: Map<string, MappingsRead>) =>
  Effect.gen(function* () {
    const file = display(root, abs)
    const read = yield* readFile(root, abs, "pipeline")
    const problems = [...read.problems]
    const files = [file]
    const raw = (read.source?.value ?? {}) as Record<string, unknown>
    const pipeline = read.value
    if (read.source !== undefined) {
      problems.push(...checkPipeline(read.source, NodePath.basename(abs).replace(/\.ya?ml$/, "")))
    }
    // Even a pipeline that failed its schema names its mappings folder: check that folder too, so
    // one run reports everything.
    const company = pipeline?.company ?? (typeof raw["company"] === "string" ? raw["company"] : undefined)
    const mappingsSetting = pipeline?.mappings ?? (typeof raw["mappings"] === "string" ? raw["mappings"] : undefined)
    const dir =
      mappingsSetting ??
      (company !== undefined && /^[a-z0-9][a-z0-9_-]*$/.test(company) ? `mappings/${company}` : undefined)
    if (dir === undefined)
      return {
        loaded: undefined,
        problems,
        files,
        mappingsDir: undefined,
        company,
        source: read.source
      } satisfies PipelineRead as PipelineRead
    const dirAbs = NodePath.resolve(root, dir)
    const mappingsDir = display(root, dirAbs)
    // Mapping files are reviewed and versioned with the pipeline: a folder outside the repository is neither.
    const outside = NodePath.isAbsolute(mappingsDir) || mappingsDir === ".." || mappingsDir.startsWith("../")
    if (outside && read.source !== undefined) {
      problems.push(
        problemAt(
          read.source,
          ["mappings"],
          `mappings: ${dir} is outside the repository (${dirAbs}): mapping files must live in the repository, where they are reviewed and versioned with the pipeline; move the folder under it (e.g. mappings/${company ?? "<company>"}) and point mappings: there`
        )
      )
      return { loaded: undefined, problems, files, mappingsDir, company, source: read.source }
    }
    let folder = checkedFolders.get(dirAbs)
    const firstVisit = folder === undefined
    if (folder === undefined) {
      folder = yield* readMappings(root, dirAbs)
      checkedFolders.set(dirAbs, folder)
    }
    if (firstVisit) {
      problems.push(...folder.problems)
      files.push(...folder.files)
    }
    if (folder.missing !== undefined && read.source !== undefined) {
      const at = mappingsSetting !== undefined ? ["mappings"] : ["company"]
      const message =
        folder.missing === "folder"
          ? `mappings folder ${mappingsDir} does not exist${mappingsSetting === undefined ? " (the default is mappings/<company>; set mappings: to use another folder)" : ""}`
          : `${mappingsDir}/accounts.yaml is missing: every mappings folder needs the ledger chart of accounts`
      problems.push(problemAt(read.source, at, message))
    }
    if (read.source !== undefined && folder.sources !== undefined)
      problems.push(...checkLedgerAccounts(read.source, folder.sources))
    const loaded =
      pipeline !== undefined && folder.mappings !== undefined && problems.length === 0 && folder.problems.length === 0
        ? { file, pipeline, mappings: folder.mappings, mappingsDir, root }
        : undefined
    return { loaded, problems, files, mappingsDir, company, source: read.source } satisfies PipelineRead as PipelineRead
  })

const pipelineFiles = (root: string) => {
  const dir = NodePath.join(root, "pipelines")
  return Effect.map(entriesOf(dir), (names) =>
    names.filter((n) => /\.ya?ml$/.test(n)).map((n) => NodePath.join(dir, n))
  )
}

const notFound = (file: string, message: string) =>
  new ConfigError({ reason: "NotFound", problems: [{ file, line: 1, col: 1, message }] })

/**
 * Loads one pipeline by name (`demo` → pipelines/demo.yaml) or path, with its mappings folder,
 * checked as `billsync validate` checks it. Fails with every problem at once.
 */
export const loadPipeline = Effect.fn("Config.loadPipeline")(function* (nameOrPath: string, options?: LoadOptions) {
  const root = rootOf(options)
  const isPath = nameOrPath.includes("/") || nameOrPath.includes(NodePath.sep) || /\.ya?ml$/.test(nameOrPath)
  const candidates = isPath
    ? [NodePath.resolve(root, nameOrPath)]
    : [NodePath.join(root, "pipelines", `${nameOrPath}.yaml`), NodePath.join(root, "pipelines", `${nameOrPath}.yml`)]
  const found = (yield* Effect.filter(candidates, (c) => Effect.map(exists(c), (kind) => kind === "file")))[0]
  if (found === undefined) {
    const available = yield* pipelineFiles(root)
    const names = available.map((a) => NodePath.basename(a).replace(/\.ya?ml$/, ""))
    return yield* Effect.fail(
      notFound(
        display(root, candidates[0]!),
        `pipeline ${JSON.stringify(nameOrPath)} not found${names.length > 0 ? ` (available: ${names.join(", ")})` : " (no pipelines/*.yaml in this directory)"}`
      )
    )
  }
  const read = yield* readPipeline(root, found, new Map())
  if (read.loaded === undefined)
    return yield* Effect.fail(new ConfigError({ reason: "Invalid", problems: sortProblems(read.problems) }))
  yield* Effect.logDebug("pipeline loaded").pipe(
    Effect.annotateLogs({ pipeline: read.loaded.pipeline.name, file: read.loaded.file })
  )
  return read.loaded
})

/**
 * Checks a whole repository, or the given paths (pipeline files, mapping files or mappings
 * folders). By default: every pipelines/*.yaml with its mappings folder, plus every folder under
 * mappings/ that no pipeline uses. Paths that do not exist fail with reason NotFound.
 */
export const loadProject = Effect.fn("Config.loadProject")(function* (
  paths?: ReadonlyArray<string>,
  options?: LoadOptions
) {
  const root = rootOf(options)
  const result = yield* Effect.gen(function* () {
    const problems: Array<Problem> = []
    const files: Array<string> = []
    const pipelines: Array<LoadedPipeline> = []
    const folders = new Map<string, MappingsRead>()
    const missing: Array<string> = []
    let pipelineTargets: Array<string> = []
    let folderTargets: Array<string> = []
    if (paths === undefined || paths.length === 0) {
      pipelineTargets = yield* pipelineFiles(root)
      const mappingsRoot = NodePath.join(root, "mappings")
      const entries = (yield* entriesOf(mappingsRoot)).map((name) => NodePath.join(mappingsRoot, name))
      folderTargets = yield* Effect.filter(entries, (abs) => Effect.map(exists(abs), (kind) => kind === "dir"))
      if (pipelineTargets.length === 0 && folderTargets.length === 0)
        missing.push(`nothing to validate: no pipelines/*.yaml or mappings/*/ under ${root}`)
    } else {
      for (const p of paths) {
        const abs = NodePath.resolve(root, p)
        const kind = yield* exists(abs)
        if (kind === undefined) missing.push(`${p}: no such file or directory`)
        else if (kind === "dir") folderTargets.push(abs)
        else if (mappingKindOfFile(NodePath.basename(abs)) !== undefined) folderTargets.push(NodePath.dirname(abs))
        else pipelineTargets.push(abs)
      }
    }
    if (missing.length > 0) return { missing } as const
    const companies = new Map<string, string>()
    for (const abs of [...new Set(pipelineTargets)]) {
      const read = yield* readPipeline(root, abs, folders)
      problems.push(...read.problems)
      files.push(...read.files)
      if (read.loaded !== undefined) pipelines.push(read.loaded)
      if (read.company !== undefined) {
        const other = companies.get(read.company)
        if (other !== undefined && read.source !== undefined) {
          problems.push(
            problemAt(
              read.source,
              ["company"],
              `company ${read.company} already has a pipeline (${other}): one integration per ledger company`
            )
          )
          pipelines.splice(
            pipelines.findIndex((p) => p.file === read.source?.file),
            1
          )
        } else companies.set(read.company, display(root, abs))
      }
    }
    for (const dirAbs of [...new Set(folderTargets)]) {
      if (folders.has(dirAbs)) continue
      const folder = yield* readMappings(root, dirAbs)
      folders.set(dirAbs, folder)
      problems.push(...folder.problems)
      files.push(...folder.files)
      if (folder.missing === "accounts") {
        problems.push({
          file: `${display(root, dirAbs)}/accounts.yaml`,
          line: 1,
          col: 1,
          message: "missing file: every mappings folder needs accounts.yaml (the ledger chart of accounts)"
        })
      }
    }
    return { problems, files, pipelines }
  })
  if ("missing" in result) {
    return yield* Effect.fail(
      new ConfigError({
        reason: "NotFound",
        problems: result.missing.map((message) => ({ file: ".", line: 1, col: 1, message }))
      })
    )
  }
  if (result.problems.length > 0)
    return yield* Effect.fail(new ConfigError({ reason: "Invalid", problems: sortProblems(result.problems) }))
  return { pipelines: result.pipelines, files: result.files } satisfies LoadedProject
})
