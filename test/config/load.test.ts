import { NodeFileSystem } from "@effect/platform-node"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import { endpointsFor, loadPipeline, loadProject, StageNames, type LoadedPipeline } from "../../src/config/index.ts"
import { BASE, edit, REPO_ROOT, repo } from "./support.ts"

const P = "pipelines/p.yaml"
const load = (name: string, cwd: string) =>
  Effect.runPromise(Effect.either(loadPipeline(name, { cwd })).pipe(Effect.provide(NodeFileSystem.layer)))
const ok = async (name: string, cwd: string): Promise<LoadedPipeline> => {
  const result = await load(name, cwd)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}

describe("loadPipeline", () => {
  it("resolves a name to pipelines/<name>.yaml and applies the defaults", async () => {
    const loaded = await ok("p", repo())
    expect(loaded.file).toBe(P)
    expect(loaded.mappingsDir).toBe("mappings/co")
    expect(loaded.pipeline.sync).toEqual({
      stages: ["vendors", "funding-accounts", "accounts", "bills"],
      pageSize: 100,
      concurrency: 3,
      requestsPerHour: 20000,
      requestTimeoutMs: 30000,
      retry: { attempts: 6, baseDelayMs: 500, maxDelayMs: 60000 },
      reauth: { maxPerRun: 3, idleRefreshMinutes: 30 },
      documents: { enabled: true, maxPerRun: 500 }
    })
    expect(loaded.pipeline.coa).toEqual({ sourceOfTruth: "ledger", allowArchive: false, createParents: true })
    expect(loaded.pipeline.ledger).toEqual({
      apAccount: "2000",
      currency: "USD",
      openingBalanceAccount: "3000",
      closedPeriodPolicy: "next-open-period"
    })
    expect(loaded.pipeline.billcom.credentials).toEqual({ username: "BILLCOM_USERNAME", password: "BILLCOM_PASSWORD" })
    expect(loaded.mappings.accounts.map((a) => [a.number, a.type, a.parent, a.active])).toEqual([
      ["1000", "bank", undefined, true],
      ["2000", "accounts-payable", undefined, true],
      ["6000", "expense", undefined, true],
      ["6100", "expense", "6000", true],
      ["3000", "equity", undefined, true]
    ])
    expect(loaded.mappings.fundingAccounts).toEqual([{ billcomId: "bac02AAAAAAAAAAAAAAA", ledgerAccount: "1000" }])
    expect(loaded.mappings.items).toEqual([])
    expect(loaded.mappings.classifications).toEqual({
      departments: [],
      jobs: [],
      locations: [],
      accountingClasses: [],
      employees: []
    })
  })

  it("defaults sync entirely when the section is left out", async () => {
    const loaded = await ok(
      "p",
      repo({ [P]: edit(BASE[P], "sync:\n  stages: [vendors, funding-accounts, accounts, bills]\n", "") })
    )
    expect(loaded.pipeline.sync.stages).toEqual([...StageNames])
  })

  it("accepts a path as well as a name", async () => {
    const dir = repo()
    expect((await ok("pipelines/p.yaml", dir)).pipeline.name).toBe("p")
    expect((await ok(`${dir}/pipelines/p.yaml`, dir)).file).toBe(P)
  })

  it("an unknown name fails with NotFound and lists the pipelines there are", async () => {
    const result = await load("nope", repo())
    expect(Either.isLeft(result) && result.left.reason).toBe("NotFound")
    expect(Either.isLeft(result) && result.left.message).toBe(
      'pipeline not found\npipelines/nope.yaml:1:1: pipeline "nope" not found (available: p)'
    )
  })

  it("an invalid pipeline fails with every problem, formatted file:line:col", async () => {
    const dir = repo({
      [P]: edit(edit(BASE[P], "cutoff: 2024-01-01", "cutoff: 2024-02-30"), 'apAccount: "2000"', 'apAccount: "6000"')
    })
    const result = await load("p", dir)
    expect(Either.isLeft(result) && result.left.reason).toBe("Invalid")
    expect(Either.isLeft(result) && result.left.message).toBe(
      [
        "2 configuration problems",
        `${P}:11:9: cutoff: "2024-02-30" is not a calendar date (yyyy-MM-dd, a day that exists)`,
        `${P}:15:14: ledger.apAccount "6000" has type expense (mappings/co/accounts.yaml:11:11); the AP control account must be of type accounts-payable`
      ].join("\n")
    )
  })

  it("a problem in the mappings folder fails the pipeline too", async () => {
    const dir = repo({
      "mappings/co/vendors.yaml": edit(BASE["mappings/co/vendors.yaml"], "ledgerVendor: V-1", "ledgerVendor: ''")
    })
    const result = await load("p", dir)
    expect(Either.isLeft(result) && result.left.problems.map((p) => `${p.file}:${p.line}:${p.col}`)).toEqual([
      "mappings/co/vendors.yaml:5:19"
    ])
  })

  it("loads the repository's own examples", async () => {
    const project = await Effect.runPromise(
      loadProject(undefined, { cwd: REPO_ROOT }).pipe(Effect.provide(NodeFileSystem.layer))
    )
    expect(project.pipelines.map((p) => p.pipeline.name).sort()).toEqual(["acme-uk", "acme-us", "demo"])
    const demo = project.pipelines.find((p) => p.pipeline.name === "demo")!
    expect(demo.pipeline.company).toBe("demo-co")
    expect(demo.pipeline.cutoff).toBe("2024-01-01")
    expect(demo.mappings.accounts.find((a) => a.number === demo.pipeline.ledger.apAccount)?.type).toBe(
      "accounts-payable"
    )
    const uk = project.pipelines.find((p) => p.pipeline.name === "acme-uk")!
    expect(uk.pipeline.ledger.currency).toBe("GBP")
    expect(uk.pipeline.sync.stages).not.toContain("customers")
    expect(uk.mappingsDir).toBe("mappings/acme-uk")
  })
})

describe("endpointsFor", () => {
  const withBillcom = async (billcom: string) =>
    (await ok("p", repo({ [P]: edit(BASE[P], "  environment: sandbox\n", billcom) }))).pipeline

  it("sandbox and production use Bill.com's documented hosts", async () => {
    expect(endpointsFor(await withBillcom("  environment: sandbox\n"))).toEqual({
      v3: "https://gateway.stage.bill.com/connect",
      v2: "https://api-stage.bill.com/api/v2"
    })
    expect(endpointsFor(await withBillcom("  environment: production\n"))).toEqual({
      v3: "https://gateway.prod.bill.com/connect",
      v2: "https://api.bill.com/api/v2"
    })
  })

  it("the emulator runs in-process unless a baseUrl points at one", async () => {
    expect(endpointsFor(await withBillcom("  environment: emulator\n"))).toEqual({
      inProcessEmulator: { seed: "demo" }
    })
    expect(endpointsFor(await withBillcom("  environment: emulator\n  emulator: { seed: big }\n"))).toEqual({
      inProcessEmulator: { seed: "big" }
    })
    expect(
      endpointsFor(await withBillcom("  environment: emulator\n  baseUrl: http://127.0.0.1:4010/connect/\n"))
    ).toEqual({
      v3: "http://127.0.0.1:4010/connect",
      v2: "http://127.0.0.1:4010/api/v2"
    })
  })

  it("baseUrl and v2BaseUrl override the environment's hosts", async () => {
    expect(
      endpointsFor(
        await withBillcom(
          "  environment: sandbox\n  baseUrl: https://proxy.internal/bill\n  v2BaseUrl: https://proxy.internal/bill-v2\n"
        )
      )
    ).toEqual({
      v3: "https://proxy.internal/bill",
      v2: "https://proxy.internal/bill-v2"
    })
  })
})
