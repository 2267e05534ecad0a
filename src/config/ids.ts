import { Schema } from "effect"

/**
 * Bill.com ids: a 3-character type prefix, then 17 letters/digits (billcom-api.md §2.1, e.g.
 * vendor `00902BILKFECNEV2oji1`). The prefix says what kind of record the id names, so a vendor id
 * pasted into funding-accounts.yaml is caught before the first sync.
 */
export const ID_PREFIXES = {
  organization: ["008"],
  vendor: ["009"],
  account: ["0ca"],
  fundingAccount: ["bac", "cat", "dva"],
  item: ["0ii"],
  customer: ["0cu"],
  department: ["0de"],
  job: ["job"],
  location: ["loc"],
  accountingClass: ["cls"],
  employee: ["emp"]
} as const

export type IdKind = keyof typeof ID_PREFIXES

const KIND_LABEL: Record<IdKind, string> = {
  organization: "organization",
  vendor: "vendor",
  account: "chart-of-account",
  fundingAccount: "funding account (bank account bac…, card account cat… or AP card dva…)",
  item: "item",
  customer: "customer",
  department: "department",
  job: "job",
  location: "location",
  accountingClass: "accounting class",
  employee: "employee"
}

const EXAMPLES: Record<IdKind, string> = {
  organization: "00802DEMO00000000001",
  vendor: "00902BILKFECNEV2oji1",
  account: "0ca02GRSNLIBIMWStq9t",
  fundingAccount: "bac02AAAAAAAAAAAAAAA",
  item: "0ii02AAAAAAAAAAAAAAA",
  customer: "0cu02AAAAAAAAAAAAAAA",
  department: "0de02KKZIBYGPDVTewla",
  job: "job02AAAAAAAAAAAAAAA",
  location: "loc02GTGYTKLKDINc1qa",
  accountingClass: "cls02MAWJVVFXUGRcomq",
  employee: "emp02AAAAAAAAAAAAAAA"
}

export const idPattern = (kind: IdKind): RegExp => new RegExp(`^(?:${ID_PREFIXES[kind].join("|")})[0-9A-Za-z]{17}$`)

const ANY_ID = /^[0-9A-Za-z]{20}$/

const idMessage = (kind: IdKind, actual: unknown): string => {
  const all: ReadonlyArray<string> = ID_PREFIXES[kind]
  const prefixes = all.length > 1 ? `${all.slice(0, -1).join(", ")} or ${all[all.length - 1]}` : all.join("")
  if (typeof actual === "string" && ANY_ID.test(actual)) {
    return `${JSON.stringify(actual)} is not a Bill.com ${KIND_LABEL[kind]} id: ${KIND_LABEL[kind]} ids start with ${prefixes}, this one starts with ${actual.slice(0, 3)}`
  }
  return `${JSON.stringify(actual)} is not a Bill.com ${KIND_LABEL[kind]} id (20 characters: ${prefixes} followed by 17 letters or digits, e.g. ${EXAMPLES[kind]})`
}

/** A Bill.com id of one kind, as a string schema whose JSON Schema carries the same pattern. */
export const BillcomId = (kind: IdKind, description: string) =>
  Schema.String.pipe(
    Schema.pattern(idPattern(kind), { message: (issue) => idMessage(kind, issue.actual) })
  ).annotations({ description, examples: [EXAMPLES[kind]] })

/**
 * Environment variable names, the only way a pipeline may refer to a secret: `^[A-Z_][A-Z0-9_]*$`,
 * except a long run of capitals and digits with no underscore, which is what a pasted devKey looks like.
 */
export const ENV_VAR_NAME = /^(?!(?=[A-Z]*[0-9])[A-Z0-9]{16,}$)[A-Z_][A-Z0-9_]*$/

/**
 * Heuristic: does a credentials entry hold a secret rather than a variable name? Anything with
 * characters a variable name cannot have (spaces, @, punctuation), lowercase mixed with digits, or a
 * long unbroken run of mixed characters reads like a password, token or devKey.
 */
export const looksLikeSecret = (value: string): boolean => {
  if (/[\s@:/+=.!#$%^&*()\-]/.test(value)) return true
  if (/[a-z]/.test(value) && /[0-9]/.test(value)) return true
  if (/[a-z]/.test(value) && /[A-Z]/.test(value)) return true
  return /^[A-Z0-9]{16,}$/.test(value) && /[0-9]/.test(value)
}

const envVarMessage = (actual: unknown): string =>
  typeof actual === "string" && looksLikeSecret(actual)
    ? "this looks like a secret value, not an environment variable name: never write secrets in config; put the secret in an environment variable and write that variable's NAME here (e.g. BILLCOM_ACME_PASSWORD)"
    : `${JSON.stringify(actual)} is not an environment variable name (uppercase letters, digits and _, not starting with a digit, e.g. BILLCOM_ACME_USERNAME)`

export const EnvVarName = (description: string, example: string) =>
  Schema.String.pipe(Schema.pattern(ENV_VAR_NAME, { message: (issue) => envVarMessage(issue.actual) })).annotations({
    description,
    examples: [example]
  })
