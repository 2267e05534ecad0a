import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { cliDatabase } from "../support/cli-database.ts"
import { testServerUrl } from "../support/database.ts"
import { slowProxy } from "../support/slow-proxy.ts"
import { execFile, execFileSync } from "node:child_process"
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { canonicalJson, planIdOf, summarize, type CoaPlan } from "../../src/coa/plan-file.ts"
import { Emulator } from "../../src/emulator/index.ts"
import { mutatingCalls } from "./support.ts"

const root = join(import.meta.dirname, "..", "..")
const bin = join(root, "bin", "billsync.mjs")

const git = (dir: string, ...args: ReadonlyArray<string>) =>
  execFileSync(
    "git",
    ["-c", "user.name=billsync test", "-c", "user.email=test@billsync.invalid", "-c", "commit.gpgsign=false", ...args],
    { cwd: dir, stdio: "pipe" }
  )

/**
 * A Git repository with the demo pipeline whose ledger chart has one account Bill.com lacks, all
 * committed. `billcom` replaces the pipeline's billcom section (e.g. to point at an emulator).
 */
const makeRepo = (billcom?: string) => {
  const dir = mkdtempSync(join(tmpdir(), "billsync-coa-cli-"))
  mkdirSync(join(dir, "pipelines"))
  const pipeline = readFileSync(join(root, "pipelines", "demo.yaml"), "utf8")
  writeFileSync(
    join(dir, "pipelines", "demo.yaml"),
    billcom === undefined ? pipeline : pipeline.replace(/^billcom:\n( {2}.*\n)+/m, billcom)
  )
  cpSync(join(root, "mappings", "demo"), join(dir, "mappings", "demo"), { recursive: true })
  cpSync(join(root, "schemas"), join(dir, "schemas"), { recursive: true })
  appendFileSync(
    join(dir, "mappings", "demo", "accounts.yaml"),
    `  - number: "6150"\n    name: "Cloud Hosting"\n    type: expense\n    parent: "6020"\n`
  )
  git(dir, "init", "-q", "-b", "main")
  git(dir, "add", "-A")
  git(dir, "commit", "-q", "-m", "demo repository")
  return dir
}

/** Runs the CLI as a process without blocking this one (an emulator in this process must keep serving). */
const run = (cwd: string, args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.async<{ status: number | null; stdout: string; stderr: string }>((resume) => {
    // Neither CI variable leaks in from the machine running the tests (the embedded-database refusal has its own
    // tests): each test says which it means.
    const base = { ...process.env, CI: "", GITHUB_ACTIONS: "" }
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...base, ...env }, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) =>
        resume(
          Effect.succeed({
            status: error === null ? 0 : typeof error.code === "number" ? error.code : null,
            stdout,
            stderr
          })
        )
    )
  })

/** A scratch database on the run's server, else an embedded one in the repository. */
const databaseEnv = (dir: string) =>
  Effect.map(
    Effect.acquireRelease(
      Effect.promise(() => cliDatabase("billsync_coa_cli", dir)),
      (db) => Effect.promise(db.drop)
    ),
    (db) => db.env
  )

/** A pipeline pointed at the emulator running in this test process, with its credentials in the environment. */
const againstEmulator = (environment: "emulator" | "production") =>
  Effect.gen(function* () {
    const em = yield* Emulator
    const billcom = [
      "billcom:",
      `  environment: ${environment}`,
      `  baseUrl: ${em.v3BaseUrl}`,
      ...(environment === "production" ? [`  v2BaseUrl: ${em.v2BaseUrl}`] : []),
      `  organizationId: "${em.credentials.organizationId}"`,
      "  credentials:",
      "    devKey: BILLCOM_DEMO_DEV_KEY",
      "    username: BILLCOM_DEMO_USERNAME",
      "    password: BILLCOM_DEMO_PASSWORD",
      ""
    ].join("\n")
    const dir = makeRepo(billcom)
    const db = yield* databaseEnv(dir)
    const env = {
      ...db,
      BILLCOM_DEMO_DEV_KEY: em.credentials.devKey,
      BILLCOM_DEMO_USERNAME: em.credentials.username,
      BILLCOM_DEMO_PASSWORD: em.credentials.password
    }
    return { dir, env, em, org: em.credentials.organizationId }
  })

const readPlan = (dir: string, file = "plan.json"): CoaPlan => JSON.parse(readFileSync(join(dir, file), "utf8"))
type CoaRecord = { readonly name: string; readonly number?: string }
const chartRows = (em: Emulator["Type"], number: string) =>
  (em.core.state.collection("chart-of-accounts") as unknown as ReadonlyArray<CoaRecord>).filter(
    (r) => r.number === number
  )
const chartRow = (number: string) => Effect.map(Emulator, (em) => chartRows(em, number)[0])

describe("billsync plan coa / apply coa (the CLI, as a process)", () => {
  it.scopedLive(
    "plans with --detailed-exitcode 2, refuses to apply without approval off a terminal, applies with --auto-approve, never twice",
    () =>
      Effect.gen(function* () {
        const dir = makeRepo()
        const db = yield* databaseEnv(dir)
        const env = { BILLSYNC_LOG_LEVEL: "info", ...db }

        const plan = yield* run(
          dir,
          ["plan", "coa", "demo", "--out", "plan.json", "--format", "markdown", "--detailed-exitcode"],
          env
        )
        expect(plan.stderr).not.toContain("internal error")
        expect(plan.status).toBe(2)
        expect(plan.stdout).toContain("| 1 | ➕ create | 6150 Cloud Hosting | — | type EXPENSE; parent 6020 |")
        const file = readPlan(dir)
        expect(file.actions.map((a) => `${a._tag} ${a.account}`)).toEqual(["create 6150"])
        expect(file.mappings.gitDirty).toBe(false)

        // A usage error is never mistaken for "changes" (2): it has its own status.
        const usage = yield* run(dir, ["plan", "coa", "demo", "--detailed-exitcode", "--format", "xml"], env)
        expect(usage.status).toBe(64)

        const refused = yield* run(dir, ["apply", "coa", "plan.json"], env)
        expect(refused.status).toBe(1)
        expect(refused.stderr).toContain("--auto-approve")

        const applied = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
        expect(applied.stderr).not.toContain("internal error")
        expect(applied.status).toBe(0)
        expect(applied.stdout).toContain(
          `Applied 1 of 1 action(s) to Bill.com emulator organization ${file.pipeline.organizationId}`
        )

        // The in-process emulator starts afresh in every process, so only the database remembers the apply.
        const replay = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
        expect(replay.status).toBe(0)
        expect(replay.stdout).toContain(`Plan ${file.planId} was already applied`)
        expect(replay.stdout).not.toContain("Applied 1 of 1")
        // Secrets never reach the output (the emulator's demo password stands in for a real one).
        expect(applied.stdout + applied.stderr + plan.stdout + plan.stderr + replay.stderr).not.toContain(
          "demo-password"
        )
      })
  )

  it.scopedLive("a tampered plan (an edited action with a recomputed id) is refused and Bill.com is not touched", () =>
    Effect.gen(function* () {
      const { dir, env, em } = yield* againstEmulator("emulator")
      expect((yield* run(dir, ["plan", "coa", "demo", "--out", "plan.json"], env)).status).toBe(0)
      const honest = readPlan(dir)
      const target = honest.billcom.chart.find((r) => r.number === "6020")!
      const { id, parentId, ...row } = target
      const before = { ...row, ...(parentId !== undefined ? { parent: { id: parentId } } : {}) }
      const forged: CoaPlan = {
        ...honest,
        actions: [
          {
            _tag: "update",
            account: "6020",
            id,
            before,
            after: { ...before, name: "PWNED by tamper" },
            patch: { name: "PWNED by tamper" }
          }
        ]
      }
      const tampered = { ...forged, summary: summarize(forged), planId: planIdOf(forged) }
      writeFileSync(join(dir, "tampered.json"), JSON.stringify(tampered, null, 2))
      yield* em.resetCounters()

      const result = yield* run(dir, ["apply", "coa", "tampered.json", "--auto-approve"], env)
      expect(result.status).toBe(1)
      expect(result.stderr).toContain(`refusing plan ${tampered.planId}: action #1 is "update 6020 PWNED by tamper`)
      expect(result.stderr).toContain('but the mappings and chart it was made from give "create 6150 Cloud Hosting')
      expect(yield* mutatingCalls).toEqual({})
      expect((yield* chartRow("6020"))?.name).toBe(target.name)

      // The honest plan still applies.
      const applied = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
      expect(applied.status).toBe(0)
      expect((yield* chartRow("6150"))?.name).toBe("Cloud Hosting")
    }).pipe(Effect.provide(Layer.fresh(Emulator.layer({ seed: "demo" }))))
  )

  it.scopedLive("an applied plan applied again says so and sends nothing to Bill.com", () =>
    Effect.gen(function* () {
      const { dir, env, em } = yield* againstEmulator("emulator")
      expect((yield* run(dir, ["plan", "coa", "demo", "--out", "plan.json"], env)).status).toBe(0)
      expect((yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)).status).toBe(0)
      yield* em.resetCounters()
      const again = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
      expect(again.status).toBe(0)
      expect(again.stdout).toContain("was already applied")
      expect(yield* mutatingCalls).toEqual({})
      expect(chartRows(em, "6150")).toHaveLength(1)
    }).pipe(Effect.provide(Layer.fresh(Emulator.layer({ seed: "demo" }))))
  )

  it.scopedLive.skipIf(testServerUrl() === undefined)(
    "a replayed apply exits even when the database is slow to accept connections (the devKey's budget listens on one of its own)",
    () =>
      Effect.gen(function* () {
        const { dir, env } = yield* againstEmulator("emulator")
        expect((yield* run(dir, ["plan", "coa", "demo", "--out", "plan.json"], env)).status).toBe(0)
        expect((yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)).status).toBe(0)
        // Every new connection waits 1.5 s: the replay is done long before the budget's LISTEN connection is.
        const proxy = yield* slowProxy((env as Record<string, string>)["DATABASE_URL"]!, 1500)
        const again = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], {
          ...env,
          DATABASE_URL: proxy.url
        })
        expect(again.stdout).toContain("was already applied")
        expect(again.status).toBe(0) // not null: the process exited by itself (before, a socket kept it alive)
      }).pipe(Effect.provide(Layer.fresh(Emulator.layer({ seed: "demo" }))))
  )

  it.scopedLive("a plan made from uncommitted mappings is refused in CI and warned about locally", () =>
    Effect.gen(function* () {
      const { dir, env, em } = yield* againstEmulator("emulator")
      appendFileSync(
        join(dir, "mappings", "demo", "accounts.yaml"),
        `  - number: "6160"\n    name: "Observability"\n    type: expense\n    parent: "6020"\n`
      )
      expect((yield* run(dir, ["plan", "coa", "demo", "--out", "plan.json"], env)).status).toBe(0)
      expect(readPlan(dir).mappings.gitDirty).toBe(true)
      yield* em.resetCounters()

      for (const ci of [{ CI: "true" }, { GITHUB_ACTIONS: "true" }]) {
        // (--ephemeral: on the embedded test database CI would refuse the database first; this is about the plan.)
        const refused = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve", "--ephemeral"], {
          ...env,
          ...ci
        })
        expect(refused.status).toBe(1)
        expect(refused.stderr).toContain("with uncommitted changes on top of commit")
        expect(refused.stderr).toContain("commit the mappings and re-plan")
      }
      expect(yield* mutatingCalls).toEqual({})

      const local = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
      expect(local.stderr).toContain("CI would refuse it")
      expect(local.status).toBe(0)
      expect(local.stdout).toContain("Applied 2 of 2 action(s)")
    }).pipe(Effect.provide(Layer.fresh(Emulator.layer({ seed: "demo" }))))
  )

  it.scopedLive("applying to environment: production needs --confirm <organizationId>", () =>
    Effect.gen(function* () {
      const { dir, env, em, org } = yield* againstEmulator("production")
      expect((yield* run(dir, ["plan", "coa", "demo", "--out", "plan.json"], env)).status).toBe(0)
      yield* em.resetCounters()

      const missing = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve"], env)
      expect(missing.status).toBe(1)
      expect(missing.stderr).toContain(
        `demo is a production pipeline: applying without a prompt needs --confirm ${org}`
      )
      const wrong = yield* run(
        dir,
        ["apply", "coa", "plan.json", "--auto-approve", "--confirm", "00802SOMEOTHERORG001"],
        env
      )
      expect(wrong.status).toBe(1)
      expect(wrong.stderr).toContain(
        `--confirm 00802SOMEOTHERORG001 does not match the organization this plan changes (${org}, production)`
      )
      expect(yield* mutatingCalls).toEqual({})

      const confirmed = yield* run(dir, ["apply", "coa", "plan.json", "--auto-approve", "--confirm", org], env)
      expect(confirmed.status).toBe(0)
      expect(confirmed.stdout).toContain(`Applied 1 of 1 action(s) to Bill.com production organization ${org}`)
      expect(Object.keys(yield* mutatingCalls)).toEqual(["POST /v3/classifications/chart-of-accounts"])
      // The confirmation is of the organization, not of the plan: canonical content unchanged by the apply.
      expect(canonicalJson(readPlan(dir).actions)).toContain("6150")
    }).pipe(Effect.provide(Layer.fresh(Emulator.layer({ seed: "demo" }))))
  )
})
