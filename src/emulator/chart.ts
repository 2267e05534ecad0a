import type { AccountType } from "./model.ts"

/**
 * The chart of accounts every generated organisation starts from: a hierarchy covering every
 * Bill.com account type except UNSPECIFIED, numbered the usual way (1xxx assets, 2xxx liabilities,
 * 3xxx equity, 4xxx income, 5xxx COGS, 6xxx expenses, 7–8xxx other, 9xxx non-posting).
 */
export interface ChartRow {
  readonly number: string
  readonly name: string
  readonly type: AccountType
  readonly parent?: string
  readonly description?: string
  /** Archived in Bill.com (a retired account). */
  readonly archived?: boolean
}

export const CHART_TEMPLATE: ReadonlyArray<ChartRow> = [
  { number: "1000", name: "Operating Checking", type: "BANK", description: "Primary operating account" },
  { number: "1010", name: "Payroll Checking", type: "BANK" },
  { number: "1020", name: "Reserve Savings", type: "BANK" },
  { number: "1100", name: "Accounts Receivable", type: "ACCOUNTS_RECEIVABLE" },
  { number: "1200", name: "Prepaid Expenses", type: "OTHER_CURRENT_ASSET" },
  { number: "1300", name: "Inventory", type: "OTHER_CURRENT_ASSET" },
  { number: "1500", name: "Fixed Assets", type: "FIXED_ASSET" },
  { number: "1510", name: "Computer Equipment", type: "FIXED_ASSET", parent: "1500" },
  { number: "1520", name: "Furniture and Fixtures", type: "FIXED_ASSET", parent: "1500" },
  { number: "1900", name: "Security Deposits", type: "OTHER_ASSET" },
  { number: "2000", name: "Accounts Payable", type: "ACCOUNTS_PAYABLE", description: "Trade payables" },
  { number: "2100", name: "Amex Corporate Card", type: "CREDIT_CARD" },
  { number: "2110", name: "Visa Business Card", type: "CREDIT_CARD" },
  { number: "2200", name: "Accrued Liabilities", type: "OTHER_CURRENT_LIABILITY" },
  { number: "2300", name: "Sales Tax Payable", type: "OTHER_CURRENT_LIABILITY" },
  { number: "2700", name: "Equipment Loan", type: "LONG_TERM_LIABILITY" },
  { number: "3000", name: "Owner's Equity", type: "EQUITY" },
  { number: "3100", name: "Retained Earnings", type: "EQUITY" },
  { number: "4000", name: "Revenue", type: "INCOME" },
  { number: "4010", name: "Product Revenue", type: "INCOME", parent: "4000" },
  { number: "4020", name: "Service Revenue", type: "INCOME", parent: "4000" },
  { number: "4900", name: "Interest Income", type: "OTHER_INCOME" },
  { number: "5000", name: "Cost of Goods Sold", type: "COST_OF_GOODS_SOLD" },
  { number: "5010", name: "Materials", type: "COST_OF_GOODS_SOLD", parent: "5000" },
  { number: "5020", name: "Freight In", type: "COST_OF_GOODS_SOLD", parent: "5000" },
  { number: "6000", name: "Operating Expenses", type: "EXPENSE" },
  { number: "6010", name: "Advertising and Marketing", type: "EXPENSE", parent: "6000" },
  { number: "6020", name: "Software and Subscriptions", type: "EXPENSE", parent: "6000" },
  { number: "6030", name: "Rent", type: "EXPENSE", parent: "6000" },
  { number: "6040", name: "Utilities", type: "EXPENSE", parent: "6000" },
  { number: "6050", name: "Office Supplies", type: "EXPENSE", parent: "6000" },
  { number: "6060", name: "Professional Fees", type: "EXPENSE", parent: "6000" },
  { number: "6061", name: "Legal Fees", type: "EXPENSE", parent: "6060" },
  { number: "6062", name: "Accounting Fees", type: "EXPENSE", parent: "6060" },
  { number: "6070", name: "Travel", type: "EXPENSE", parent: "6000" },
  { number: "6080", name: "Meals and Entertainment", type: "EXPENSE", parent: "6000" },
  { number: "6090", name: "Insurance", type: "EXPENSE", parent: "6000" },
  { number: "6100", name: "Repairs and Maintenance", type: "EXPENSE", parent: "6000" },
  { number: "6110", name: "Telephone and Internet", type: "EXPENSE", parent: "6000" },
  { number: "6120", name: "Shipping and Postage", type: "EXPENSE", parent: "6000" },
  { number: "6130", name: "Payroll Services", type: "EXPENSE", parent: "6000" },
  { number: "6140", name: "Bank Fees", type: "EXPENSE", parent: "6000" },
  { number: "6990", name: "Miscellaneous (retired)", type: "EXPENSE", archived: true },
  { number: "7000", name: "Interest Expense", type: "OTHER_EXPENSE" },
  { number: "8000", name: "Depreciation", type: "OTHER_EXPENSE" },
  { number: "9000", name: "Purchase Orders", type: "NON_POSTING" }
]

/**
 * Accounts a ledger needs beside the template: the BILL wallet (payments funded from the BILL
 * balance), opening balance equity (bills open at a sync cutoff) and realised FX gains/losses.
 * Added after the rest of the organisation with their own ids (generator.ts), so the template's
 * organisations keep every other id.
 */
export const LEDGER_ROWS: ReadonlyArray<ChartRow> = [
  { number: "1050", name: "BILL Wallet", type: "BANK", description: "Balance held with BILL" },
  {
    number: "3900",
    name: "Opening Balance Equity",
    type: "EQUITY",
    description: "Offsets balances brought in at the sync cutoff"
  },
  {
    number: "7900",
    name: "Foreign Exchange Gain/Loss",
    type: "OTHER_EXPENSE",
    description: "Realised gains and losses on foreign-currency payables"
  }
]

/** Expense accounts a line may post to when it does not use its vendor's default. */
export const SPREAD_ACCOUNTS: ReadonlyArray<string> = ["6050", "6070", "6080", "6100", "6110", "6120", "6140"]
