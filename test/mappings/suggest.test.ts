import { NodeFileSystem } from "@effect/platform-node"
import { it } from "@effect/vitest"
import { Effect } from "effect"
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { loadPipeline } from "../../src/config/load.ts"
import type { Mappings } from "../../src/config/mappings.ts"
import { unifiedDiff } from "../../src/mappings/diff.ts"
import { pulledMasterRecords } from "../../src/mappings/pulled.ts"
import { applySuggestions } from "../../src/mappings/yaml-edit.ts"
import { keyGenerator, normalizeName, suggestMappings, type Pulled } from "../../src/mappings/suggest.ts"
import { Integrations } from "../../src/store/integrations.ts"
import { settingsFromConfig } from "../../src/sync/from-config.ts"
import { runSync, type RunOptions } from "../../src/sync/runner.ts"
import { emulatorWithSource, StoreTest } from "../sync/support/harness.ts"

const empty: Mappings = {
  accounts: [],
  vendors: [],
  fundingAccounts: [],
  items: [],
  customers: [],
  classifications: { departments: [], jobs: [], locations: [], accountingClasses: [], employees: [] }
}
const vendor = (billcomId: string, name: string, archived = false): Pulled => ({
  kind: "vendor",
  billcomId,
  name,
  archived
})

describe("suggestion rules", () => {
  it("normalises names: case, accents, punctuation, & and legal suffixes", () => {
    expect(normalizeName("Café  Noir, Inc.")).toBe("cafe noir")
    expect(normalizeName("Smith & Sons LLC")).toBe("smith and sons")
    expect(normalizeName("THE Acme Corp.")).toBe("acme")
  })

  it("new keys continue the file's pattern, or slug words, or the defaults", () => {
    const v = keyGenerator("vendors", ["V-0001", "V-0041", "V-0007"])
    expect([v("a"), v("b")]).toEqual(["V-0042", "V-0043"])
    expect(keyGenerator("vendors", [])("x")).toBe("V-0001")
    expect(keyGenerator("items", ["SKU-001", "ITEM-9", "SKU-002"])("x")).toBe("SKU-003")
    const d = keyGenerator("classifications", ["OPERATIONS", "SALES"])
    expect([d("Customer Success"), d("Sales")]).toEqual(["CUSTOMER-SUCCESS", "SALES-2"])
  })

  it("links a re-created record to the existing key by name; lists ambiguous names instead of guessing", () => {
    const mappings: Mappings = {
      ...empty,
      vendors: [
        { billcomId: "00902OLD000000000001", billcomName: "Acme Supplies Inc.", ledgerVendor: "V-0007" },
        { billcomId: "00902OLD000000000002", billcomName: "Twin Co", ledgerVendor: "V-0008" },
        { billcomId: "00902OLD000000000003", billcomName: "Twin Company", ledgerVendor: "V-0009" }
      ]
    }
    const r = suggestMappings(mappings, [
      vendor("00902NEW000000000001", "ACME Supplies, LLC"),
      vendor("00902NEW000000000002", "Twin"),
      vendor("00902NEW000000000003", "Brand New Vendor"),
      vendor("00902NEW000000000004", "Dup Name"),
      vendor("00902NEW000000000005", "Dup Name Ltd"),
      vendor("00902NEW000000000006", "Archived Vendor", true),
      vendor("00902OLD000000000001", "Acme Supplies Inc.")
    ])
    expect(r.suggestions.map((s) => [s.billcomId, s.target, s.basis, s.confidence])).toEqual([
      ["00902NEW000000000001", "V-0007", "name", 0.9],
      ["00902NEW000000000003", "V-0010", "new-key", 1]
    ])
    expect(r.ambiguous.map((a) => [a.billcomId, a.candidates])).toEqual([
      ["00902NEW000000000004", []],
      ["00902NEW000000000005", []],
      ["00902NEW000000000002", ["V-0008", "V-0009"]]
    ])
  })

  it("funding accounts: exact through the bank's GL account, else a unique name match; accounts: number-type conflicts are listed", () => {
    const mappings: Mappings = {
      ...empty,
      accounts: [
        { number: "1000", name: "Operating Checking", type: "bank", active: true },
        { number: "2100", name: "Amex", type: "credit-card", active: true },
        { number: "2110", name: "Visa", type: "credit-card", active: true },
        { number: "6000", name: "Software", type: "expense", active: true },
        { number: "6100", name: "Travel", type: "expense", active: true }
      ]
    }
    const r = suggestMappings(mappings, [
      {
        kind: "chart-of-account",
        billcomId: "0ca02A",
        name: "Checking",
        number: "1000",
        type: "BANK",
        archived: false
      },
      {
        kind: "chart-of-account",
        billcomId: "0ca02B",
        name: "Software",
        number: "6000",
        type: "INCOME",
        archived: false
      },
      { kind: "chart-of-account", billcomId: "0ca02C", name: "Travel", type: "EXPENSE", archived: false },
      { kind: "bank-account", billcomId: "bac02A", name: "Ops", chartOfAccountId: "0ca02A", archived: false },
      { kind: "card-account", billcomId: "cat02A", name: "American Express Amex 2003", archived: false },
      { kind: "card-account", billcomId: "cat02B", name: "Amex Visa", archived: false },
      // An AP card (BILL's charge card) is suggested like a card: a credit-card account.
      { kind: "ap-card", billcomId: "dva02A", name: "Visa", archived: false }
    ])
    expect(r.suggestions.map((s) => [s.billcomId, s.file, s.target, s.basis])).toEqual([
      ["0ca02C", "accounts.yaml", "6100", "name"],
      ["bac02A", "funding-accounts.yaml", "1000", "exact"],
      ["cat02A", "funding-accounts.yaml", "2100", "name"],
      ["dva02A", "funding-accounts.yaml", "2110", "name"]
    ])
    expect(r.ambiguous.map((a) => [a.billcomId, a.candidates])).toEqual([
      ["0ca02B", ["6000"]],
      ["cat02B", ["2100", "2110"]]
    ])
  })

  it("YAML edits keep comments, order, quoting and flow style; the dry-run diff is a unified diff", () => {
    const before = [
      "# yaml-language-server: $schema=../../schemas/items.schema.json",
      "# hand-written header comment",
      "items:",
      "  - { billcomId: 0ii02AAAAAAAAAAAAAAA, billcomName: Widget, ledgerItem: SKU-001 } # first",
      ""
    ].join("\n")
    const accounts = [
      "accounts:",
      "  # checking",
      '  - number: "1000"',
      "    name: Checking",
      "    type: bank",
      ""
    ].join("\n")
    const out = applySuggestions(
      new Map([
        ["items.yaml", before],
        ["accounts.yaml", accounts]
      ]),
      [
        {
          kind: "item",
          billcomId: "0ii02BBBBBBBBBBBBBBB",
          billcomName: "Gadget: large",
          file: "items.yaml",
          section: "items",
          target: "SKU-002",
          basis: "new-key",
          confidence: 1,
          note: ""
        },
        {
          kind: "chart-of-account",
          billcomId: "0ca02CCCCCCCCCCCCCCC",
          billcomName: "Checking",
          file: "accounts.yaml",
          section: "accounts",
          target: "1000",
          basis: "name",
          confidence: 0.8,
          note: ""
        },
        {
          kind: "bank-account",
          billcomId: "bac02DDDDDDDDDDDDDDD",
          billcomName: "Ops",
          file: "funding-accounts.yaml",
          section: "fundingAccounts",
          target: "1000",
          basis: "exact",
          confidence: 1,
          note: ""
        }
      ]
    )
    expect(out.get("items.yaml")).toBe(
      before.replace(
        "# first\n",
        '# first\n  - { billcomId: 0ii02BBBBBBBBBBBBBBB, billcomName: "Gadget: large", ledgerItem: SKU-002 }\n'
      )
    )
    expect(out.get("accounts.yaml")).toBe(accounts + "    billcomId: 0ca02CCCCCCCCCCCCCCC\n")
    expect(out.get("funding-accounts.yaml")).toBe(
      '# yaml-language-server: $schema=../../schemas/funding-accounts.schema.json\nfundingAccounts:\n  - billcomId: bac02DDDDDDDDDDDDDDD\n    billcomName: Ops\n    ledgerAccount: "1000"\n'
    )
    expect(unifiedDiff("mappings/x/items.yaml", before, out.get("items.yaml")!)).toBe(
      [
        "--- a/mappings/x/items.yaml",
        "+++ b/mappings/x/items.yaml",
        "@@ -2,3 +2,4 @@",
        " # hand-written header comment",
        " items:",
        "   - { billcomId: 0ii02AAAAAAAAAAAAAAA, billcomName: Widget, ledgerItem: SKU-001 } # first",
        '+  - { billcomId: 0ii02BBBBBBBBBBBBBBB, billcomName: "Gadget: large", ledgerItem: SKU-002 }',
        ""
      ].join("\n")
    )
  })
})

const plain: RunOptions = { fullRefresh: false, dryRun: false, wait: false }

it.layer(StoreTest, { timeout: "300 seconds" })("mappings suggest on a fresh demo database", (it) => {
  it.effect("writes YAML that validates and makes the setup gate pass", () =>
    Effect.gen(function* () {
      // A repository with the demo pipeline and only its chart of accounts: nothing linked yet.
      const root = mkdtempSync(join(tmpdir(), "billsync-suggest-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
      mkdirSync(join(root, "pipelines"))
      mkdirSync(join(root, "mappings", "demo"), { recursive: true })
      cpSync("schemas", join(root, "schemas"), { recursive: true })
      cpSync("pipelines/demo.yaml", join(root, "pipelines", "demo.yaml"))
      cpSync("mappings/demo/accounts.yaml", join(root, "mappings", "demo", "accounts.yaml"))

      const bare = yield* loadPipeline("demo", { cwd: root })
      const first = yield* runSync(settingsFromConfig(bare.pipeline, bare.mappings, bare.mappingsDir), plain)
      expect(first.unmet.map((u) => u.condition)).toContain("vendors mapped")

      const integration = yield* (yield* Integrations).find("demo")
      const pulled = yield* pulledMasterRecords(integration!.id)
      const result = suggestMappings(bare.mappings, pulled)
      const dir = join(root, bare.mappingsDir)
      const files = new Set(result.suggestions.map((s) => s.file))
      const before = new Map(
        [...files].map((f) => [f, existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : undefined] as const)
      )
      const after = applySuggestions(before, result.suggestions)
      expect([...after.keys()].sort()).toEqual([
        "classifications.yaml",
        "funding-accounts.yaml",
        "items.yaml",
        "vendors.yaml"
      ]) // customers are not in the seed stages
      for (const [f, text] of after) writeFileSync(join(dir, f), text)
      expect(readFileSync(join(dir, "vendors.yaml"), "utf8")).toMatch(
        /^# yaml-language-server: \$schema=\.\.\/\.\.\/schemas\/vendors\.schema\.json\nvendors:\n {2}- billcomId: 009/
      )
      expect(result.suggestions.filter((s) => s.kind === "vendor").map((s) => s.target)).toContain("V-0001")
      expect(result.suggestions.find((s) => s.kind === "bank-account")?.basis).toBe("exact")

      // `billsync validate` accepts the result (loadPipeline runs the same checks) …
      const linked = yield* loadPipeline("demo", { cwd: root })
      expect(linked.mappings.vendors.length).toBe(pulled.filter((p) => p.kind === "vendor" && !p.archived).length)
      // … and the setup gate passes: the next sync runs the full plan.
      const second = yield* runSync(settingsFromConfig(linked.pipeline, linked.mappings, linked.mappingsDir), plain)
      expect(second.unmet).toEqual([])
      expect(second.runs.map((r) => r.kind)).toContain("full")
    }).pipe(Effect.provide(emulatorWithSource()), Effect.provide(NodeFileSystem.layer), Effect.scoped)
  )
})
