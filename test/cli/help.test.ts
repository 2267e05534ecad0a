import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, test } from "vitest"
import { REPORTS } from "../../src/cli/options.ts"
import { STAGES } from "../../src/cli/program.ts"
import { stageOrder } from "../../src/sync/stages.ts"
import { BIN, runCli } from "../support/cli.ts"
import { execFile } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"

/** Every command path, as a user types it. */
const COMMANDS = [
  ["validate"],
  ["connect"],
  ["status"],
  ["sync"],
  ["errors"],
  ["freshness"],
  ["report"],
  ["mappings", "suggest"],
  ["plan", "coa"],
  ["apply", "coa"],
  ["emulator"],
  ["demo"]
]

const ANSI = /\x1b\[/
const BOILERPLATE = [
  "A user-defined piece of text.",
  "This setting is optional.",
  "A true or false value.",
  "One of the following:",
  "--wizard",
  "--completions"
]

describe("billsync --help and usage errors", () => {
  test("the root help lists every command with examples, without ANSI, piped and with NO_COLOR", async () => {
    for (const env of [{}, { NO_COLOR: "1" }, { FORCE_COLOR: "1" }]) {
      const r = await runCli(["--help"], { env })
      expect(r.code).toBe(0)
      expect(r.stdout).not.toMatch(ANSI)
      expect(r.stdout).toMatch(/^Usage: billsync \[options\] \[command\]/)
      for (const [name] of COMMANDS) expect(r.stdout).toContain(`  ${name!}`)
      expect(r.stdout).toContain("Examples:")
      expect(r.stdout).toContain("BILLSYNC_LOG_FORMAT=json")
    }
  })

  test.each(COMMANDS)(
    "billsync %s … --help: usage names the full command, examples, defaults, no boilerplate",
    async (...path) => {
      const r = await runCli([...path, "--help"], { env: { NO_COLOR: "1" } })
      expect(r.code).toBe(0)
      expect(r.stdout).not.toMatch(ANSI)
      expect(r.stdout).toMatch(new RegExp(`^Usage: billsync ${path.join(" ")}( |$)`, "m"))
      expect(r.stdout).toContain("Examples:")
      expect(r.stdout).toMatch(new RegExp(`^  billsync ${path.join(" ")}`, "m"))
      for (const b of BOILERPLATE) expect(r.stdout).not.toContain(b)
      expect(r.stdout).not.toMatch(/^\$ /m)
    }
  )

  test("options with a default say it in --help", async () => {
    // (commander wraps at 80 columns when piped: "(default:" may end a line)
    expect((await runCli(["validate", "--help"])).stdout).toMatch(/--format <format>[\s\S]*default:\s+"text"/)
    expect((await runCli(["report", "--help"])).stdout).toMatch(/--limit <n>[\s\S]*\(default:\s+20\)/)
    expect((await runCli(["emulator", "--help"])).stdout).toMatch(/--port <port>[\s\S]*\(default:\s+4010\)/)
    expect((await runCli(["plan", "coa", "--help"])).stdout).toMatch(
      /--max-comment-chars <n>[\s\S]*\(default:\s+60000\)/
    )
  })

  test("a mistyped command or subcommand gets 'did you mean', exit 64 (EX_USAGE: 2 means only 'the plan has changes')", async () => {
    const sync = await runCli(["snyc", "demo"])
    expect(sync.code).toBe(64)
    expect(sync.stderr).toContain("unknown command 'snyc'")
    expect(sync.stderr).toContain("Did you mean sync?")
    const coa = await runCli(["plan", "coaa", "demo"])
    expect(coa.code).toBe(64)
    expect(coa.stderr).toContain("Did you mean coa?")
    const report = await runCli(["report", "demo", "agin"])
    expect(report.code).toBe(64)
    expect(report.stderr).toContain("did you mean aging?")
    const stage = await runCli(["sync", "demo", "--stages", "vendors,bils"])
    expect(stage.code).toBe(64)
    expect(stage.stderr).toContain("did you mean bills?")
    const option = await runCli(["sync", "demo", "--jsn"])
    expect(option.code).toBe(64)
    expect(option.stderr).toContain("Did you mean --json?")
    for (const r of [sync, coa, report, stage, option]) expect(r.stderr).not.toMatch(ANSI)
  })

  test("conflicting flags are usage errors (exit 64) before anything runs", async () => {
    for (const args of [
      ["report", "demo", "aging", "--json", "--format", "markdown"],
      ["mappings", "suggest", "demo", "--json", "--format", "markdown"]
    ]) {
      const r = await runCli(args)
      expect(r.code).toBe(64)
      expect(r.stderr).toContain("option '--json' cannot be used with option '--format <format>'")
    }
    // A bad number is a usage error too.
    const limit = await runCli(["report", "demo", "runs", "--limit", "many"])
    expect(limit.code).toBe(64)
    expect(limit.stderr).toContain("--limit must be a whole number")
    const threshold = await runCli(["sync", "demo", "--fail-on-new-errors", "-1"])
    expect(threshold.code).toBe(64)
    expect(threshold.stderr).toContain("--fail-on-new-errors must be at least 0, got -1")
    // The root help says what the statuses mean.
    expect((await runCli(["--help"])).stdout).toMatch(
      /64 usage error \(EX_USAGE\);\s+2 only from `plan coa --detailed-exitcode`: the plan has changes/
    )
  })

  test("the --stages list and the report names offered are the sync's own", () => {
    expect([...STAGES]).toEqual([...stageOrder])
    expect([...REPORTS]).toEqual(["aging", "trial-balance", "runs", "late-postings", "1099"])
  })

  test("billsync --help loads no Effect, database or Bill.com module (commands load lazily)", async () => {
    // A module hook that writes down every module the process loads.
    const dir = mkdtempSync(join(tmpdir(), "billsync-lazy-"))
    const log = join(dir, "loaded.txt")
    const hooks = join(dir, "hooks.mjs")
    writeFileSync(
      hooks,
      `import { appendFileSync } from "node:fs"\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context) }\n`
    )
    const register = join(dir, "register.mjs")
    writeFileSync(register, `import { register } from "node:module"\nregister(${JSON.stringify(`file://${hooks}`)})\n`)
    const code = await new Promise<number>((done) =>
      execFile(process.execPath, ["--import", register, BIN, "--help"], (e) => done(e ? 1 : 0))
    )
    expect(code).toBe(0)
    const loaded = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "")
    expect(loaded.some((u) => u.includes("/node_modules/commander/"))).toBe(true)
    expect(loaded.some((u) => u.endsWith("/dist/cli/program.js"))).toBe(true)
    expect(
      loaded.filter(
        (u) =>
          /\/node_modules\/(effect|@effect|@electric-sql|tsx)\//.test(u) ||
          /\/(dist|src)\/(store|sync|billcom|ledger|coa|emulator|config)\//.test(u)
      )
    ).toEqual([])
  })

  test("the bin runs dist/ when it is built and fresh", () => {
    const bin = readFileSync(BIN, "utf8")
    expect(bin).toContain('await import("../dist/cli/main.js")')
    expect(JSON.parse(readFileSync(resolve("package.json"), "utf8")).scripts.prepare).toBe("node bin/dist.mjs build")
  })
})
