import type { Schema } from "effect"
import {
  AccountsFile,
  ClassificationsFile,
  CustomersFile,
  FundingAccountsFile,
  ItemsFile,
  VendorsFile
} from "./mappings.ts"
import { Pipeline } from "./pipeline.ts"

/**
 * Every kind of config file: its typed schema, the generated JSON Schema it is checked against
 * (schemas/<kind>.schema.json) and, for mapping files, its fixed file name in the mappings folder.
 */
export interface FileKind {
  readonly kind: string
  readonly schema: Schema.Schema<any, any, never>
  /** The file name inside mappings/<company>/ (undefined for pipelines). */
  readonly fileName: string | undefined
}

export const FileKinds = {
  pipeline: { kind: "pipeline", schema: Pipeline, fileName: undefined },
  accounts: { kind: "accounts", schema: AccountsFile, fileName: "accounts.yaml" },
  vendors: { kind: "vendors", schema: VendorsFile, fileName: "vendors.yaml" },
  "funding-accounts": { kind: "funding-accounts", schema: FundingAccountsFile, fileName: "funding-accounts.yaml" },
  items: { kind: "items", schema: ItemsFile, fileName: "items.yaml" },
  customers: { kind: "customers", schema: CustomersFile, fileName: "customers.yaml" },
  classifications: { kind: "classifications", schema: ClassificationsFile, fileName: "classifications.yaml" }
} as const satisfies Record<string, FileKind>

export type FileKindName = keyof typeof FileKinds

export const MappingKinds = [
  "accounts",
  "vendors",
  "funding-accounts",
  "items",
  "customers",
  "classifications"
] as const
export type MappingKind = (typeof MappingKinds)[number]

export const schemaFileName = (kind: FileKindName): string => `${kind}.schema.json`

/** Which kind a mapping file is, by its name (`vendors.yml` is accepted as well). */
export const mappingKindOfFile = (fileName: string): MappingKind | undefined =>
  MappingKinds.find((k) => fileName === `${k}.yaml` || fileName === `${k}.yml`)
