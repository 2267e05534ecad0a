import { Schema } from "effect"
import { BillcomId, type IdKind } from "./ids.ts"

/**
 * The mapping files under mappings/<company>/ (docs/design.md "YAML formats"). Like pipeline.ts,
 * these schemas generate schemas/*.schema.json.
 */

/** The ledger's closed list of account types and the one Bill.com `account.type` each maps to (§4.6). */
export const AccountTypes = {
  bank: "BANK",
  "credit-card": "CREDIT_CARD",
  "accounts-payable": "ACCOUNTS_PAYABLE",
  "accounts-receivable": "ACCOUNTS_RECEIVABLE",
  expense: "EXPENSE",
  "other-expense": "OTHER_EXPENSE",
  income: "INCOME",
  "other-income": "OTHER_INCOME",
  "cost-of-goods-sold": "COST_OF_GOODS_SOLD",
  equity: "EQUITY",
  asset: "OTHER_ASSET",
  "fixed-asset": "FIXED_ASSET",
  "other-current-asset": "OTHER_CURRENT_ASSET",
  liability: "OTHER_CURRENT_LIABILITY",
  "long-term-liability": "LONG_TERM_LIABILITY",
  "non-posting": "NON_POSTING"
} as const

export type AccountType = keyof typeof AccountTypes

const ledgerTypeByBillcom = new Map<string, AccountType>(
  Object.entries(AccountTypes).map(([ledger, billcom]) => [billcom, ledger as AccountType])
)

/** The ledger type for a Bill.com `account.type`, or undefined for UNSPECIFIED/UNDEFINED (no counterpart). */
export const ledgerTypeOf = (billcomType: string): AccountType | undefined => ledgerTypeByBillcom.get(billcomType)

const accountTypeNames = Object.keys(AccountTypes) as Array<AccountType>

export const AccountType = Schema.Literal(...(accountTypeNames as [AccountType, ...Array<AccountType>])).annotations({
  description:
    "Ledger account type (closed list); each maps to exactly one Bill.com account.type: " +
    Object.entries(AccountTypes)
      .map(([k, v]) => `${k}→${v}`)
      .join(", ") +
    "."
})

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })
const list = <S extends Schema.Schema.Any>(schema: S, description: string) =>
  Schema.optionalWith(Schema.Array(schema).annotations({ description }), { default: () => [], exact: true })

/** A non-empty key without leading/trailing spaces (ledger keys, account numbers). */
export const Key = (description: string, example: string) =>
  Schema.String.pipe(
    Schema.pattern(/^\S(?:.*\S)?$/, {
      message: (issue) =>
        issue.actual === "" ? "must not be empty" : `${JSON.stringify(issue.actual)} must not start or end with spaces`
    })
  ).annotations({ description, examples: [example] })

const Text = (description: string, example: string) =>
  Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })).annotations({
    description,
    examples: [example]
  })

export const LedgerAccount = Schema.Struct({
  number: Key('Account number, unique in the chart. Quote it in YAML ("1000") so it stays text.', "1000"),
  name: Text("Account name.", "Operating Checking"),
  type: AccountType,
  parent: optional(Key("Number of the parent account (for a hierarchy); the parent must be in this file.", "6000")),
  description: optional(
    Schema.String.annotations({
      description: "Free-text description, copied to Bill.com by COA alignment.",
      examples: ["Primary operating account"]
    })
  ),
  billcomId: optional(
    BillcomId(
      "account",
      "Explicit Bill.com chart-of-account id (0ca…). Without it the Bill.com row is matched by number and type."
    )
  ),
  active: Schema.optionalWith(
    Schema.Boolean.annotations({
      description: "false = the ledger has retired this account (COA alignment may archive it in Bill.com)."
    }),
    {
      default: () => true,
      exact: true
    }
  )
}).annotations({ description: "One ledger account." })
export type LedgerAccount = typeof LedgerAccount.Type

export const AccountsFile = Schema.Struct({
  accounts: list(LedgerAccount, "The ledger chart of accounts.")
}).annotations({
  title: "billsync chart of accounts",
  description: "The ledger chart of accounts of one company (mappings/<company>/accounts.yaml)."
})

const link = <K extends string>(
  kind: IdKind,
  idDescription: string,
  ledgerKey: K,
  ledgerDescription: string,
  example: string,
  nameExample: string
) =>
  Schema.Struct({
    billcomId: BillcomId(kind, idDescription),
    billcomName: optional(
      Schema.String.annotations({
        description: "The record's name in Bill.com, for reviewers only (not used for matching).",
        examples: [nameExample]
      })
    ),
    ...({ [ledgerKey]: Key(ledgerDescription, example) } as { [P in K]: ReturnType<typeof Key> })
  })

export const VendorLink = link(
  "vendor",
  "Bill.com vendor id (009…).",
  "ledgerVendor",
  "Ledger vendor key this Bill.com vendor maps to.",
  "V-0001",
  "Happy Music Supplies"
).annotations({ description: "A Bill.com vendor linked to a ledger vendor." })
export const FundingAccountLink = link(
  "fundingAccount",
  "Bill.com bank account (bac…), card account (cat…) or AP card (dva…) id.",
  "ledgerAccount",
  "Number of a bank or credit-card account in accounts.yaml.",
  "1000",
  "Chase Operating ••1234"
).annotations({ description: "A Bill.com funding account linked to a ledger bank or credit-card account." })
export const ItemLink = link(
  "item",
  "Bill.com item id (0ii…).",
  "ledgerItem",
  "Ledger item key.",
  "SKU-001",
  "Consulting hour"
).annotations({ description: "A Bill.com item linked to a ledger item." })
export const CustomerLink = link(
  "customer",
  "Bill.com customer id (0cu…).",
  "ledgerCustomer",
  "Ledger customer key.",
  "C-001",
  "Globex Corp"
).annotations({ description: "A Bill.com customer linked to a ledger customer." })
const classification = (kind: IdKind, label: string, example: string) =>
  link(
    kind,
    `Bill.com ${label} id.`,
    "ledgerValue",
    `Ledger ${label} value used for line-level tagging.`,
    example,
    example
  ).annotations({ description: `A Bill.com ${label} linked to a ledger dimension value.` })

export const VendorsFile = Schema.Struct({
  vendors: list(VendorLink, "Bill.com vendors and the ledger vendors they map to.")
}).annotations({
  title: "billsync vendor links",
  description: "Links from Bill.com vendors to ledger vendors (mappings/<company>/vendors.yaml)."
})
export const FundingAccountsFile = Schema.Struct({
  fundingAccounts: list(
    FundingAccountLink,
    "Bill.com bank accounts, card accounts and AP cards, and the ledger accounts they map to."
  )
}).annotations({
  title: "billsync funding-account links",
  description:
    "Links from Bill.com funding accounts to ledger bank/credit-card accounts (mappings/<company>/funding-accounts.yaml)."
})
export const ItemsFile = Schema.Struct({
  items: list(ItemLink, "Bill.com items and the ledger items they map to.")
}).annotations({
  title: "billsync item links",
  description: "Links from Bill.com items to ledger items (mappings/<company>/items.yaml). Items flow inbound only."
})
export const CustomersFile = Schema.Struct({
  customers: list(CustomerLink, "Bill.com customers and the ledger customers they map to.")
}).annotations({
  title: "billsync customer links",
  description: "Links from Bill.com customers to ledger customers (mappings/<company>/customers.yaml)."
})
export const ClassificationsFile = Schema.Struct({
  departments: list(classification("department", "department (0de…)", "OPS"), "Bill.com departments."),
  jobs: list(classification("job", "job (job…)", "JOB-100"), "Bill.com jobs."),
  locations: list(classification("location", "location (loc…)", "NYC"), "Bill.com locations."),
  accountingClasses: list(
    classification("accountingClass", "accounting class (cls…)", "RETAIL"),
    "Bill.com accounting classes."
  ),
  employees: list(classification("employee", "employee (emp…)", "E-001"), "Bill.com employees.")
}).annotations({
  title: "billsync classification links",
  description:
    "Links from Bill.com classification values to ledger dimension values (mappings/<company>/classifications.yaml)."
})

export type VendorLink = typeof VendorLink.Type
export type FundingAccountLink = typeof FundingAccountLink.Type
export type ItemLink = typeof ItemLink.Type
export type CustomerLink = typeof CustomerLink.Type
export type Classifications = typeof ClassificationsFile.Type
export type ClassificationLink = Classifications["departments"][number]

/** Everything in one company's mappings folder, defaults applied (a missing file = no links). */
export interface Mappings {
  readonly accounts: ReadonlyArray<LedgerAccount>
  readonly vendors: ReadonlyArray<VendorLink>
  readonly fundingAccounts: ReadonlyArray<FundingAccountLink>
  readonly items: ReadonlyArray<ItemLink>
  readonly customers: ReadonlyArray<CustomerLink>
  readonly classifications: Classifications
}
