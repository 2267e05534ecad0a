/**
 * The integration-error catalogue: each code carries the reference's symptom, likely cause and
 * resolution ("Troubleshoot common issues"), with the exact mapping file to edit.
 */
export type ErrorCode =
  | "invalid-record"
  | "bill-unmapped"
  | "bill-not-approved"
  | "bill-denied"
  | "vendor-credit-unmapped"
  | "payment-unmapped-vendor"
  | "payment-unmapped-funding"
  | "payment-unmapped-gl"

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
        resolution: "Check the record in Bill.com (the detail shows the raw problem); it is retried whenever it changes."
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
  }
}
