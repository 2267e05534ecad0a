import { describe, expect, it } from "vitest"
import { spawn } from "node:child_process"
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = join(import.meta.dirname, "..", "..")

/**
 * scripts/coa-plan-all.sh as CI runs it: the tool from this repository, the pipelines and mappings
 * from another folder (a pull request's data). One pipeline has changes, one cannot be planned.
 */
describe("scripts/coa-plan-all.sh", () => {
  it("a pipeline that fails to plan fails the script, and the others are still planned and reported", async () => {
    const data = mkdtempSync(join(tmpdir(), "billsync-plan-all-"))
    mkdirSync(join(data, "pipelines"))
    const demo = readFileSync(join(root, "pipelines", "demo.yaml"), "utf8")
    writeFileSync(join(data, "pipelines", "demo.yaml"), demo)
    // Same mappings, but an external emulator that is not running (and no credentials): planning fails (exit 1).
    writeFileSync(
      join(data, "pipelines", "broken.yaml"),
      demo
        .replace("name: demo", "name: broken")
        .replace("  emulator:\n    seed: demo\n", "  baseUrl: http://127.0.0.1:9/connect\n")
        .replace(
          "retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 60000 }",
          "retry: { attempts: 0, baseDelayMs: 1, maxDelayMs: 1 }"
        )
    )
    cpSync(join(root, "mappings", "demo"), join(data, "mappings", "demo"), { recursive: true })
    cpSync(join(root, "schemas"), join(data, "schemas"), { recursive: true })
    appendFileSync(
      join(data, "mappings", "demo", "accounts.yaml"),
      `  - number: "6150"\n    name: "Cloud Hosting"\n    type: expense\n    parent: "6020"\n`
    )
    const out = join(data, "out")
    const outputs = join(data, "github-output")
    writeFileSync(outputs, "")

    const result = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn("bash", [join(root, "scripts", "coa-plan-all.sh"), "HEAD", out, "broken", "demo"], {
        cwd: root,
        env: {
          ...process.env,
          BILLSYNC_DATA_ROOT: data,
          GITHUB_OUTPUT: outputs,
          BILLCOM_DEMO_USERNAME: "",
          BILLCOM_DEMO_PASSWORD: "",
          BILLCOM_DEMO_DEV_KEY: ""
        },
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      child.stderr.on("data", (d) => (stderr += String(d)))
      child.on("close", (code) => done({ code, stderr }))
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(
      "::error title=COA plan failed::billsync plan coa broken exited 1 (the other pipelines are still planned)"
    )
    const github = Object.fromEntries(
      readFileSync(outputs, "utf8")
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), JSON.parse(l.slice(l.indexOf("=") + 1))])
    )
    expect(github).toEqual({ pipelines: ["broken", "demo"], changed: ["demo"], failed: ["broken"] })
    const comment = readFileSync(join(out, "comment.md"), "utf8")
    expect(comment).toContain("### Chart-of-accounts plan: `broken`\n\n**Planning failed** (exit 1)")
    expect(comment).toContain("6150 Cloud Hosting")
    expect(JSON.parse(readFileSync(join(out, "demo.json"), "utf8")).actions).toHaveLength(1)
  }, 180_000)
})
