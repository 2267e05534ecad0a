import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { spawnSync } from "node:child_process"
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const root = join(import.meta.dirname, "..", "..")
const bin = join(root, "bin", "billsync.mjs")

/** A repository with the demo pipeline whose ledger chart has one account Bill.com lacks. */
const makeRepo = () => {
  const dir = mkdtempSync(join(tmpdir(), "billsync-coa-cli-"))
  mkdirSync(join(dir, "pipelines"))
  cpSync(join(root, "pipelines", "demo.yaml"), join(dir, "pipelines", "demo.yaml"))
  cpSync(join(root, "mappings", "demo"), join(dir, "mappings", "demo"), { recursive: true })
  cpSync(join(root, "schemas"), join(dir, "schemas"), { recursive: true })
  appendFileSync(join(dir, "mappings", "demo", "accounts.yaml"), `  - number: "6150"\n    name: "Cloud Hosting"\n    type: expense\n    parent: "6020"\n`)
  return dir
}

const run = (cwd: string, args: ReadonlyArray<string>, env: Record<string, string>) => {
  // Not a CI deployment even when the tests run in CI: the embedded-database refusal has its own tests.
  const { CI: _ci, GITHUB_ACTIONS: _gha, ...inherited } = process.env
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...inherited, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A scratch database on TEST_DATABASE_URL's server, else an embedded one in the repository. */
const databaseEnv = (dir: string) =>
  Effect.gen(function* () {
    const admin = process.env["TEST_DATABASE_URL"]
    if (admin === undefined || admin === "") return { BILLSYNC_EMBEDDED_DIR: join(dir, ".billsync", "db") }
    const name = `billsync_coa_cli_${process.pid}_${Date.now().toString(36)}`
    const adminSql = (statement: string) =>
      Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(admin), maxConnections: 1 })))
    yield* Effect.acquireRelease(adminSql(`CREATE DATABASE ${name}`), () => adminSql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).pipe(Effect.ignore))
    const url = new URL(admin)
    url.pathname = `/${name}`
    return { DATABASE_URL: url.toString() }
  })

describe("billsync plan coa / apply coa (the CLI, as a process)", () => {
  it.scopedLive("plans with --detailed-exitcode 2, refuses to apply without approval off a terminal, applies with --auto-approve", () =>
    Effect.gen(function* () {
      const dir = makeRepo()
      const db = yield* databaseEnv(dir)
      const env = { BILLSYNC_LOG_LEVEL: "info", ...db }

      const plan = run(dir, ["plan", "coa", "demo", "--out", "plan.json", "--format", "markdown", "--detailed-exitcode"], env)
      expect(plan.stderr).not.toContain("internal error")
      expect(plan.status).toBe(2)
      expect(plan.stdout).toContain("| 1 | ➕ create | 6150 Cloud Hosting | — | type EXPENSE; parent 6020 |")
      const file = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8"))
      expect(file.actions.map((a: { _tag: string; account: string }) => `${a._tag} ${a.account}`)).toEqual(["create 6150"])

      const refused = run(dir, ["apply", "coa", "plan.json"], env)
      expect(refused.status).toBe(1)
      expect(refused.stderr).toContain("--auto-approve")

      const applied = run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
      expect(applied.stderr).not.toContain("internal error")
      expect(applied.status).toBe(0)
      expect(applied.stdout).toContain(`Applied 1 of 1 action(s) to Bill.com organization ${file.pipeline.organizationId}`)
      // Secrets never reach the output (the emulator's demo password stands in for a real one).
      expect(applied.stdout + applied.stderr + plan.stdout + plan.stderr).not.toContain("demo-password")
    })
  )
})
