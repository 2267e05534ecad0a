import { NodeFileSystem } from "@effect/platform-node"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as NodePath from "node:path"
import { afterAll } from "vitest"
import { formatProblem, loadProject, type ConfigError } from "../../src/config/index.ts"

export const REPO_ROOT = NodePath.resolve(import.meta.dirname, "../..")

const PIPELINE_MODELINE = "# yaml-language-server: $schema=../schemas/pipeline.schema.json"
const mappingModeline = (kind: string) => `# yaml-language-server: $schema=../../schemas/${kind}.schema.json`

/**
 * A small valid repository. Line numbers matter: tests assert exact `file:line:col` positions
 * against these texts (the line numbers are noted on the right).
 */
export const BASE: Readonly<Record<string, string>> = {
  "pipelines/p.yaml": [
    PIPELINE_MODELINE, //                              1
    "version: 1", //                                   2
    "name: p", //                                      3
    "company: co", //                                  4
    "billcom:", //                                     5
    "  environment: sandbox", //                       6
    '  organizationId: "00802AAAAAAAAAAAAAAA"', //     7
    "  credentials:", //                               8
    "    username: BILLCOM_USERNAME", //               9
    "    password: BILLCOM_PASSWORD", //               10
    "cutoff: 2024-01-01", //                           11
    "sync:", //                                        12
    "  stages: [vendors, funding-accounts, accounts, bills]", // 13
    "ledger:", //                                      14
    '  apAccount: "2000"', //                          15
    '  openingBalanceAccount: "3000"', //              16
    'schedule: "0 */4 * * *"', //                      17
    ""
  ].join("\n"),
  "mappings/co/accounts.yaml": [
    mappingModeline("accounts"), //                    1
    "accounts:", //                                    2
    '  - number: "1000"', //                           3
    "    name: Checking", //                           4
    "    type: bank", //                               5
    '  - number: "2000"', //                           6
    "    name: Accounts Payable", //                   7
    "    type: accounts-payable", //                   8
    '  - number: "6000"', //                           9
    "    name: Expenses", //                           10
    "    type: expense", //                            11
    '  - number: "6100"', //                           12
    "    name: Software", //                           13
    "    type: expense", //                            14
    '    parent: "6000"', //                           15
    '  - number: "3000"', //                           16
    "    name: Opening Balance Equity", //             17
    "    type: equity", //                             18
    ""
  ].join("\n"),
  "mappings/co/funding-accounts.yaml": [
    mappingModeline("funding-accounts"), //            1
    "fundingAccounts:", //                             2
    "  - billcomId: bac02AAAAAAAAAAAAAAA", //          3
    '    ledgerAccount: "1000"', //                    4
    ""
  ].join("\n"),
  "mappings/co/vendors.yaml": [
    mappingModeline("vendors"), //                     1
    "vendors:", //                                     2
    "  - billcomId: 00902AAAAAAAAAAAAAAA", //          3
    "    billcomName: Acme", //                        4
    "    ledgerVendor: V-1", //                        5
    ""
  ].join("\n")
}

const created: Array<string> = []
afterAll(() => {
  for (const dir of created) Fs.rmSync(dir, { recursive: true, force: true })
})

export const tempDir = (): string => {
  const dir = Fs.mkdtempSync(NodePath.join(Os.tmpdir(), "billsync-config-"))
  created.push(dir)
  return dir
}

/** Writes a repository: BASE with some files replaced (a string) or removed (null). */
export const repo = (
  changes: Readonly<Record<string, string | null>> = {},
  base: Readonly<Record<string, string>> = BASE
): string => {
  const dir = tempDir()
  const files: Record<string, string | null> = { ...base, ...changes }
  for (const [path, text] of Object.entries(files)) {
    if (text === null) continue
    Fs.mkdirSync(NodePath.dirname(NodePath.join(dir, path)), { recursive: true })
    Fs.writeFileSync(NodePath.join(dir, path), text)
  }
  return dir
}

/** `text` with `from` replaced by `to`; `from` must occur exactly once, so a fixture edit cannot silently miss. */
export const edit = (text: string | undefined, from: string, to: string): string => {
  if (text === undefined) throw new Error("no such fixture file")
  const first = text.indexOf(from)
  if (first < 0 || text.indexOf(from, first + 1) >= 0)
    throw new Error(`fixture edit: ${JSON.stringify(from)} must occur exactly once`)
  return text.slice(0, first) + to + text.slice(first + from.length)
}

/** Every problem `loadProject` reports for the repository at `dir`, formatted `file:line:col: message`. */
export const problemsOf = (dir: string, paths?: ReadonlyArray<string>): Promise<Array<string>> =>
  Effect.runPromise(
    loadProject(paths, { cwd: dir }).pipe(
      Effect.match({
        onSuccess: () => [],
        onFailure: (e: ConfigError) => e.problems.map(formatProblem)
      }),
      Effect.provide(NodeFileSystem.layer)
    )
  )

/** Copies the repository's own pipelines/ and mappings/ (the examples) into a fresh directory. */
export const copyExamples = (): string => {
  const dir = tempDir()
  for (const sub of ["pipelines", "mappings"])
    Fs.cpSync(NodePath.join(REPO_ROOT, sub), NodePath.join(dir, sub), { recursive: true })
  return dir
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
export const positionIn = (text: string, needle: string): { line: number; col: number } => {
  const offset = text.indexOf(needle)
  if (offset < 0) throw new Error(`${JSON.stringify(needle)} not found`)
  const before = text.slice(0, offset).split("\n")
  return { line: before.length, col: (before[before.length - 1] ?? "").length + 1 }
}
