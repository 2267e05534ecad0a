/**
 * The integration-error catalogue: each code carries the reference's symptom, likely cause and
 * resolution ("Troubleshoot common issues"), with the exact mapping file to edit.
 */
export type ErrorCode =
  | "invalid-record"
  | "master-record-refused"
  | "lines-differ-from-amount"
  | "negative-amount"
  | "duplicate-in-read"
  | "currency-unreadable"
  | "bill-unmapped"
  | "bill-not-approved"
  | "bill-denied"
  | "vendor-credit-unmapped"
  | "payment-unmapped-vendor"
  | "payment-unmapped-funding"
  | "payment-unmapped-gl"
  | "payment-wallet-unmapped"
  | "fx-rate-missing"
  | "fx-rate-inconsistent"
  | "fx-no-functional-rate"
  | "fx-account-missing"
  | "closed-period"

export interface CatalogEntry {
  readonly symptom: string
  readonly cause: string
  readonly resolution: string
}

export const catalogEntry = (code: ErrorCode, mappingsDir: string): CatalogEntry => {
  const file = (name: string) => `${mappingsDir}/${name}`
  switch (code) {
    case "invalid-record":
      return {
        symptom: "Record could not be read",
        cause: "Bill.com returned a record without a field the ledger needs, or in an unexpected shape.",
        resolution:
          "Check the record in Bill.com (the detail shows the raw problem); it is retried whenever it changes."
      }
    case "master-record-refused":
      return {
        symptom: "Bills, vendor credits or payments of one vendor do not import",
        cause:
          "The vendor they belong to was refused: Bill.com sent it with a value the ledger cannot hold (the vendor's own invalid-record error says which).",
        resolution:
          "Correct the vendor in Bill.com; it is read again when it changes, and its bills, credits and payments are re-evaluated on every sync and import once it does."
      }
    case "lines-differ-from-amount":
      return {
        symptom: "Bill imported with a difference line (warning)",
        cause:
          "The bill's line items do not add up to its amount in Bill.com; the ledger posts the amount Bill.com shows and the rest as a line \"difference between the document total and its lines\" on the first line's account.",
        resolution:
          "Correct the bill's lines or amount in Bill.com; the bill is read again when it changes and the warning closes once its lines match."
      }
    case "negative-amount":
      return {
        symptom: "Document with a negative amount imported (warning)",
        cause:
          "Bill.com sent a bill or vendor credit whose amount is below zero: it posts as Bill.com has it, reducing accounts payable, which is rarely what was meant (a vendor credit is the usual way).",
        resolution:
          "Check the document in Bill.com: enter a refund as a vendor credit, or correct the amount; the warning closes when the document changes to a positive amount."
      }
    case "duplicate-in-read":
      return {
        symptom: "Record sent twice with different content (warning)",
        cause:
          "One read of a Bill.com list returned two copies of the record with the same updatedTime but different content, so which copy is current cannot be told; the later copy was imported.",
        resolution:
          "Compare the record in Bill.com with the ledger; any change to the record in Bill.com re-reads it. Re-run with --full-refresh if it persists."
      }
    case "currency-unreadable":
      return {
        symptom: "Foreign-currency record does not post",
        cause:
          "The vendor's currency (billCurrency) in Bill.com is not a three-letter ISO 4217 code, so the record's currency is unknown; it is not posted in any currency (the ledger never mixes currencies).",
        resolution:
          "Correct the vendor's currency in Bill.com; the vendor is read again when it changes, and its records are re-evaluated on the next sync."
      }
    case "bill-unmapped":
      return {
        symptom: "Bills do not import",
        cause: "Vendor / item / classification / account mappings are missing.",
        resolution:
          `Confirm the referenced vendors and items exist and are mapped: vendors in ${file("vendors.yaml")}, items in ${file("items.yaml")}, ` +
          `classifications in ${file("classifications.yaml")}, chart-of-account rows in ${file("accounts.yaml")}. The bill is re-evaluated on the next sync.`
      }
    case "bill-not-approved":
      return {
        symptom: "Bills do not import",
        cause: "The bill is not yet approved in Bill.com (approvals stay in Bill.com).",
        resolution: "Approve the bill in Bill.com; it imports on the next sync after the approval."
      }
    case "bill-denied":
      return {
        symptom: "Bills do not import",
        cause: "The bill was denied in Bill.com's approval workflow.",
        resolution: "Resolve the approval in Bill.com (re-route or approve) or archive the bill there."
      }
    case "vendor-credit-unmapped":
      return {
        symptom: "Vendor credits do not import",
        cause: "Vendor / item / classification / account mappings are missing.",
        resolution:
          `Map the vendor in ${file("vendors.yaml")}, the chart-of-account rows in ${file("accounts.yaml")}, items in ${file("items.yaml")} ` +
          `and classifications in ${file("classifications.yaml")}; the credit is re-evaluated on the next sync.`
      }
    case "payment-unmapped-vendor":
      return {
        symptom: "Vendor payment fails",
        cause: "The payment's vendor is not mapped to a ledger vendor.",
        resolution: `Map the vendor in ${file("vendors.yaml")}; the payment is re-evaluated on the next sync.`
      }
    case "payment-unmapped-funding":
      return {
        symptom: "Vendor payment fails",
        cause: "Funding account is not mapped to a ledger bank account.",
        resolution: `Map every Bill.com funding account to a ledger bank or credit-card account in ${file("funding-accounts.yaml")}.`
      }
    case "payment-unmapped-gl":
      return {
        symptom: "Vendor payment fails",
        cause: "The payment references an unmapped GL account.",
        resolution: `Verify the chart-of-account rows used on the Bill.com payment and map them in ${file("accounts.yaml")} (billcomId, or the same number and type).`
      }
    case "payment-wallet-unmapped":
      return {
        symptom: "Vendor payment fails",
        cause:
          "The payment is funded from the BILL wallet (fundingAccount type WALLET, which has no id to map) and the pipeline names no ledger account for it.",
        resolution: `Set ledger.walletAccount in the pipeline to a bank account of ${file("accounts.yaml")} (docs/accounting.md, "Wallet payments"); the payment is re-evaluated on the next sync.`
      }
    case "fx-rate-missing":
      return {
        symptom: "Foreign-currency record does not post",
        cause:
          "The record is in a currency other than the ledger's and Bill.com gave no exchange rate for it (missing or zero); a rate is never guessed.",
        resolution:
          "Check the record's exchange rate in Bill.com (for a vendor credit, the v2 VendorCredit exchangeRate); the record is re-evaluated on the next sync and whenever it changes."
      }
    case "fx-rate-inconsistent":
      return {
        symptom: "Foreign-currency record does not post",
        cause:
          "Bill.com's exchangeRate does not convert the record's amount into its USD fundingAmount (amount × exchangeRate ≠ fundingAmount): the rate's direction or value cannot be trusted.",
        resolution:
          "Compare amount, exchangeRate and fundingAmount of the record in Bill.com (docs/accounting.md states the convention billsync relies on); the record is re-evaluated whenever it changes."
      }
    case "fx-no-functional-rate":
      return {
        symptom: "Foreign-currency record does not post",
        cause:
          "Bill.com's exchange rates convert into USD, and the ledger's functional currency (ledger.currency) is another currency, so there is no Bill.com rate into it.",
        resolution:
          "Keep this organisation's vendors in the ledger's currency, or run the ledger in USD; records stay in the errors list until then."
      }
    case "fx-account-missing":
      return {
        symptom: "Foreign-currency record does not post",
        cause:
          "The record is in a currency other than the ledger's, and the pipeline names no account for realised exchange gains and losses.",
        resolution: `Set ledger.fxGainLossAccount in the pipeline to an income or expense account of ${file("accounts.yaml")}; the record is re-evaluated on the next sync.`
      }
    case "closed-period":
      return {
        symptom: "Change in a closed period not posted",
        cause:
          "The record changed in Bill.com but its posting lies in the closed period (on or before ledger.closedThrough), and ledger.closedPeriodPolicy is error.",
        resolution:
          "Reopen the period (move ledger.closedThrough back), or set ledger.closedPeriodPolicy to next-open-period to post the change on the first open day; until then the ledger keeps the record's earlier version."
      }
  }
}
