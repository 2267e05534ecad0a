import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { ledgerTypeOf } from "../../src/config/index.ts"
import type { Organization } from "../../src/emulator/model.ts"

/**
 * A throwaway billsync repository for one generated organisation: pipelines/<name>.yaml pointing at
 * an emulator's base URLs, and mappings/<name>/*.yaml that map every Bill.com record (so every bill
 * after the cutoff can import). `billsync sync <name>` runs in it as a child process (cwd = root).
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..")
export const BILLSYNC_BIN = join(REPO_ROOT, "bin", "billsync.mjs")

/** Environment variable names the generated pipeline reads its credentials from. */
export const CREDENTIAL_VARS = {
  devKey: "BENCH_BILLCOM_DEV_KEY",
  username: "BENCH_BILLCOM_USERNAME",
  password: "BENCH_BILLCOM_PASSWORD"
} as const

export interface PipelineOptions {
  readonly name: string
  readonly origin: string
  readonly cutoff?: string
  readonly retry?: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number }
  readonly reauthMaxPerRun?: number
  readonly requestTimeoutMs?: number
  /** Pipeline `sync.documents`; omitted = the product default (enabled, 500 reads a run). */
  readonly documents?: { readonly enabled: boolean; readonly maxPerRun: number }
}

const q = (text: string): string => JSON.stringify(text)
const header = (schema: string) => `# yaml-language-server: $schema=../../schemas/${schema}.schema.json\n`

export const mappingFiles = (org: Organization): Record<string, string> => {
  const coaById = new Map(org.chartOfAccounts.map((a) => [a.id, a]))
  const accounts = org.chartOfAccounts
    .filter((a) => a.type !== "UNSPECIFIED" && a.number !== undefined && ledgerTypeOf(a.type) !== undefined)
    .map((a) => {
      const parent = a.parentId !== undefined ? coaById.get(a.parentId)?.number : undefined
      return [
        `  - number: ${q(a.number!)}`,
        `    name: ${q(a.name)}`,
        `    type: ${ledgerTypeOf(a.type)}`,
        ...(parent !== undefined ? [`    parent: ${q(parent)}`] : []),
        ...(a.archived ? ["    active: false"] : [])
      ].join("\n")
    })
  const cardAccounts = org.chartOfAccounts.filter(
    (a) => a.type === "CREDIT_CARD" && !a.archived && a.number !== undefined
  )
  const funding = [
    ...org.banks.map(
      (b) => `  - billcomId: ${b.id}\n    ledgerAccount: ${q(coaById.get(b.chartOfAccountId)?.number ?? "1000")}`
    ),
    ...org.cards.map(
      (c, i) =>
        `  - billcomId: ${c.id}\n    ledgerAccount: ${q(cardAccounts[i % Math.max(1, cardAccounts.length)]?.number ?? "2100")}`
    )
  ]
  const keyed = (rows: ReadonlyArray<{ id: string }>, field: string, prefix: string) =>
    rows.map((r, i) => `  - billcomId: ${r.id}\n    ${field}: ${prefix}-${String(i + 1).padStart(5, "0")}`).join("\n")
  const kinds = [
    ["departments", "departments", "DEP"],
    ["jobs", "jobs", "JOB"],
    ["locations", "locations", "LOC"],
    ["accounting-classes", "accountingClasses", "CLS"],
    ["employees", "employees", "EMP"]
  ] as const
  const section = (key: string, body: string) => (body === "" ? `${key}: []` : `${key}:\n${body}`)
  return {
    "accounts.yaml": `${header("accounts")}accounts:\n${accounts.join("\n")}\n`,
    "vendors.yaml": `${header("vendors")}${section("vendors", keyed(org.vendors, "ledgerVendor", "V"))}\n`,
    "funding-accounts.yaml": `${header("funding-accounts")}${section("fundingAccounts", funding.join("\n"))}\n`,
    "items.yaml": `${header("items")}${section("items", keyed(org.items, "ledgerItem", "SKU"))}\n`,
    "customers.yaml": `${header("customers")}${section("customers", keyed(org.customers, "ledgerCustomer", "C"))}\n`,
    "classifications.yaml": `${header("classifications")}${kinds.map(([kind, key, p]) => section(key, keyed(org.classifications[kind], "ledgerValue", p))).join("\n")}\n`
  }
}

export const pipelineYaml = (org: Organization, o: PipelineOptions): string => {
  const retry = o.retry ?? { attempts: 6, baseDelayMs: 200, maxDelayMs: 5000 }
  const ap =
    org.chartOfAccounts.find((a) => a.type === "ACCOUNTS_PAYABLE" && !a.archived && a.number !== undefined)?.number ??
    "2000"
  // The emulator chart's ledger accounts (opening balance equity, FX gain/loss, BILL wallet; docs/accounting.md).
  const ledgerAccount = (key: string, type: string, number: string) =>
    org.chartOfAccounts.some((a) => a.number === number && a.type === type && !a.archived)
      ? `  ${key}: ${q(number)}\n`
      : ""
  return `# yaml-language-server: $schema=../schemas/pipeline.schema.json
version: 1
name: ${o.name}
company: ${o.name}-co
billcom:
  environment: emulator
  baseUrl: ${o.origin}/connect
  v2BaseUrl: ${o.origin}/api/v2
  organizationId: ${q(org.credentials.organizationId)}
  credentials:
    devKey: ${CREDENTIAL_VARS.devKey}
    username: ${CREDENTIAL_VARS.username}
    password: ${CREDENTIAL_VARS.password}
mappings: mappings/${o.name}
cutoff: ${o.cutoff ?? "2024-01-01"}
sync:
  pageSize: 100
  concurrency: 3
  requestsPerHour: 20000
  requestTimeoutMs: ${o.requestTimeoutMs ?? 30000}
  retry: { attempts: ${retry.attempts}, baseDelayMs: ${retry.baseDelayMs}, maxDelayMs: ${retry.maxDelayMs} }
  reauth: { maxPerRun: ${o.reauthMaxPerRun ?? 3}, idleRefreshMinutes: 30 }
${o.documents === undefined ? "" : `  documents: { enabled: ${o.documents.enabled}, maxPerRun: ${o.documents.maxPerRun} }\n`}ledger:
  apAccount: ${q(ap)}
  currency: USD
${ledgerAccount("openingBalanceAccount", "EQUITY", "3900")}${ledgerAccount("fxGainLossAccount", "OTHER_EXPENSE", "7900")}${ledgerAccount("walletAccount", "BANK", "1050")}`
}

export interface Workspace {
  readonly root: string
  readonly name: string
  /** Environment for a child `billsync` process (credentials by the names the pipeline gives). */
  readonly env: Record<string, string>
  readonly remove: () => void
}

/** Writes the repository into a fresh temporary directory (schemas/ is a link to ours). */
export const makeWorkspace = (org: Organization, options: PipelineOptions): Workspace => {
  const root = mkdtempSync(join(tmpdir(), `billsync-${options.name}-`))
  symlinkSync(join(REPO_ROOT, "schemas"), join(root, "schemas"))
  mkdirSync(join(root, "pipelines"))
  mkdirSync(join(root, "mappings", options.name), { recursive: true })
  writeFileSync(join(root, "pipelines", `${options.name}.yaml`), pipelineYaml(org, options))
  for (const [file, text] of Object.entries(mappingFiles(org)))
    writeFileSync(join(root, "mappings", options.name, file), text)
  return {
    root,
    name: options.name,
    env: {
      [CREDENTIAL_VARS.devKey]: org.credentials.devKey,
      [CREDENTIAL_VARS.username]: org.credentials.username,
      [CREDENTIAL_VARS.password]: org.credentials.password
    },
    remove: () => rmSync(root, { recursive: true, force: true })
  }
}
