import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse } from "yaml"
import { describe, expect, it } from "vitest"
import { DEMO_MAPPINGS_DIR, demoMappingFiles, demoUnmapped } from "../../scripts/demo-mappings.ts"
import { DEMO_OPTIONS, demoCredentials, generateOrganization } from "../../src/emulator/index.ts"
import { ACCOUNT_TYPES } from "../../src/emulator/model.ts"

describe("demo organisation and its mappings", () => {
  const org = generateOrganization(DEMO_OPTIONS)

  it("has the documented size, credentials and spread", () => {
    expect(org.credentials).toEqual(demoCredentials)
    expect(org.credentials.organizationId).toMatch(/^00802[A-Za-z0-9]{15}$/)
    expect(org.vendors).toHaveLength(25)
    expect(org.bills.length).toBeGreaterThanOrEqual(290)
    expect(org.bills.length).toBeLessThanOrEqual(320)
    expect(org.chartOfAccounts.length).toBeGreaterThanOrEqual(40)
    expect(org.banks).toHaveLength(3)
    expect(org.cards).toHaveLength(2)
    expect(org.items).toHaveLength(12)
    expect(org.customers).toHaveLength(10)
    const years = new Set(org.bills.map((b) => new Date(b.invoiceDay * 86_400_000).getUTCFullYear()))
    expect([...years].sort()).toEqual([2022, 2023, 2024, 2025, 2026])
    // Every type Bill.com's v3 returns, UNSPECIFIED and UNDEFINED included (status coverage).
    expect(new Set(org.chartOfAccounts.map((a) => a.type))).toEqual(new Set([...ACCOUNT_TYPES, "UNDEFINED"]))
  })

  it("carries the documented anomalies: an archived vendor's bill, an unknown funding account, a malformed bill", () => {
    const archivedVendors = new Set(org.vendors.filter((v) => v.archived).map((v) => v.id))
    expect(
      org.bills.some((b) => archivedVendors.has(b.vendorId) && b.invoiceDay > Date.parse("2026-01-01") / 86_400_000)
    ).toBe(true)
    const funding = new Set([
      ...org.banks.map((b) => b.id),
      ...org.cards.map((c) => c.id),
      ...org.apCards.map((c) => c.id)
    ])
    expect(org.payments.filter((p) => p.fundingId !== undefined && !funding.has(p.fundingId))).toHaveLength(1)
    expect(org.bills.filter((b) => b.malformed !== undefined)).toHaveLength(1)
  })

  it("committed mappings/demo files equal the generator's output", () => {
    for (const [name, text] of Object.entries(demoMappingFiles())) {
      expect(
        readFileSync(join(DEMO_MAPPINGS_DIR, name), "utf8"),
        `${name} is stale: run node --import tsx scripts/demo-mappings.ts`
      ).toBe(text)
    }
  })

  it("mappings start with their schema modeline and link to real demo records", () => {
    const files = demoMappingFiles()
    for (const [name, text] of Object.entries(files))
      expect(text.split("\n")[0]).toBe(
        `# yaml-language-server: $schema=../../schemas/${name.replace(".yaml", "")}.schema.json`
      )
    const accounts = parse(files["accounts.yaml"]!).accounts as Array<{ number: string; type: string; parent?: string }>
    expect(accounts.find((a) => a.number === "2000")?.type).toBe("accounts-payable")
    const numbers = new Set(accounts.map((a) => a.number))
    for (const a of accounts) if (a.parent !== undefined) expect(numbers.has(a.parent)).toBe(true)
    const vendors = parse(files["vendors.yaml"]!).vendors as Array<{ billcomId: string }>
    const unmapped = demoUnmapped(org)
    expect(vendors).toHaveLength(org.vendors.length - 2)
    expect(unmapped.vendors.size).toBe(2)
    expect(
      vendors.every((v) => org.vendors.some((o) => o.id === v.billcomId) && !unmapped.vendors.has(v.billcomId))
    ).toBe(true)
    expect(parse(files["items.yaml"]!).items).toHaveLength(org.items.length - 1)
    const funding = parse(files["funding-accounts.yaml"]!).fundingAccounts as Array<{
      billcomId: string
      ledgerAccount: string
    }>
    expect(funding).toHaveLength(7)
    expect(funding.filter((f) => f.billcomId.startsWith("dva")).map((f) => f.ledgerAccount)).toEqual(["2120", "2120"])
    for (const f of funding)
      expect(["bank", "credit-card"]).toContain(accounts.find((a) => a.number === f.ledgerAccount)?.type)
    const cls = parse(files["classifications.yaml"]!)
    expect(Object.keys(cls)).toEqual(["departments", "jobs", "locations", "accountingClasses", "employees"])
  })

  it("is deterministic: the same seed gives identical data", () => {
    expect(JSON.stringify(generateOrganization(DEMO_OPTIONS))).toBe(JSON.stringify(org))
    expect(JSON.stringify(generateOrganization({ ...DEMO_OPTIONS, seed: "other" }).vendors)).not.toBe(
      JSON.stringify(org.vendors)
    )
  })
})
