import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { copyExamples, positionIn, REPO_ROOT } from "./support.ts"

const BIN = NodePath.join(REPO_ROOT, "bin/billsync.mjs")

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real CLI (`node bin/billsync.mjs validate …`) in `cwd`. */
const billsync = (cwd: string, ...args: Array<string>): Promise<Run> => billsyncWith({}, cwd, ...args)

const billsyncWith = (env: Record<string, string>, cwd: string, ...args: Array<string>): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
      }
    )
  })

/** A copy of the repository's examples with one field of pipelines/acme-us.yaml broken. */
const brokenCopy = () => {
  const dir = copyExamples()
  const file = NodePath.join(dir, "pipelines/acme-us.yaml")
  const text = Fs.readFileSync(file, "utf8")
  const broken = text.replace("  pageSize: 100", "  pageSize: 250")
  expect(broken).not.toBe(text)
  Fs.writeFileSync(file, broken)
  const { line, col } = positionIn(broken, "250")
  return { dir, line, col }
}

const PAGE_SIZE_MESSAGE = "sync.pageSize: 250 is out of range: 1–100 (Bill.com returns at most 100 records a page)"

describe("billsync validate (end to end)", () => {
  it("the repository's examples are valid: exit 0 and a summary", async () => {
    const run = await billsync(copyExamples(), "validate")
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^3 pipelines, \d+ files valid\n$/)
  })

  it("schedules that need more than a developer key's hourly budget are a problem at the schedule (issue 17)", async () => {
    const dir = copyExamples()
    const text = Fs.readFileSync(NodePath.join(dir, "pipelines/acme-us.yaml"), "utf8")
    const { line, col } = positionIn(text, '"15 */4 * * *"')
    // A key allowed 100 requests an hour cannot carry one sync of the assumed 150 requests.
    const run = await billsyncWith({ BILLSYNC_KEY_REQUESTS_PER_HOUR: "100" }, dir, "validate")
    expect(run.code).toBe(1)
    const mine = run.stdout.split("\n").find((l) => l.startsWith("pipelines/acme-us.yaml:"))
    expect(mine).toMatch(
      new RegExp(
        `^pipelines/acme-us\\.yaml:${line}:${col}: schedule: key BILLCOM_ACME_US_DEV_KEY \\(sandbox\\): 1 pipeline needs 1 logins/h \\(limit 200\\) and ~150 requests/h \\(limit 100\\) .* DOES NOT FIT \\(150 requests/h > 100\\): `
      )
    )
    expect(run.stdout).toContain("(assuming 150 requests a sync; `billsync cluster plan` measures them from the runs)")
    expect(run.stdout).toMatch(/\n3 problems in 3 files\n$/)
  })

  it("one broken field prints that field's exact position and exits 1", async () => {
    const { dir, line, col } = brokenCopy()
    const run = await billsync(dir, "validate")
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(`pipelines/acme-us.yaml:${line}:${col}: ${PAGE_SIZE_MESSAGE}\n1 problem in 1 file\n`)
  })

  it("--format github prints annotations only on stdout", async () => {
    const { dir, line, col } = brokenCopy()
    const run = await billsync(dir, "validate", "--format", "github")
    expect(run.code).toBe(1)
    expect(run.stdout).toBe(
      `::error file=pipelines/acme-us.yaml,line=${line},col=${col},title=billsync validate::${PAGE_SIZE_MESSAGE}\n`
    )
    expect(run.stderr).toContain("1 problem in 1 file")
  })

  it("--format json describes the result", async () => {
    const { dir, line, col } = brokenCopy()
    const run = await billsync(dir, "validate", "--format", "json")
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      pipelines: [],
      files: [],
      problems: [{ file: "pipelines/acme-us.yaml", line, col, message: PAGE_SIZE_MESSAGE }]
    })
  })

  it("explicit paths check only those pipelines and folders", async () => {
    const { dir } = brokenCopy()
    const run = await billsync(dir, "validate", "--format", "json", "pipelines/acme-uk.yaml", "mappings/demo")
    expect(run.code).toBe(0)
    const body = JSON.parse(run.stdout)
    expect(body.ok).toBe(true)
    expect(body.pipelines).toEqual([
      { name: "acme-uk", file: "pipelines/acme-uk.yaml", mappingsDir: "mappings/acme-uk" }
    ])
    expect(body.files).toContain("mappings/demo/accounts.yaml")
    expect(body.files).not.toContain("pipelines/acme-us.yaml")
  })

  it("usage errors exit 64 (EX_USAGE): a missing path, an unknown format", async () => {
    const dir = copyExamples()
    const missing = await billsync(dir, "validate", "pipelines/nope.yaml")
    expect(missing.code).toBe(64)
    expect(missing.stderr).toContain("billsync validate: pipelines/nope.yaml: no such file or directory")
    expect(missing.stdout).toBe("")
    const format = await billsync(dir, "validate", "--format", "xml")
    expect(format.code).toBe(64)
  })

  it("--help documents the command", async () => {
    const run = await billsync(copyExamples(), "validate", "--help")
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("--format")
    expect(run.stdout).toContain("github")
  })
})
