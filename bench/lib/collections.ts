import type { ResourceName } from "../../src/billcom/resources.ts"
import type { Collection } from "../../src/emulator/organization.ts"

/**
 * The emulator's collection behind each list the client reads (the emulator may not import the
 * client's resource names, so the pairing lives here, for the bench and the tests).
 */
export const COLLECTION: Record<ResourceName, Collection> = {
  vendors: "vendors",
  "bank-accounts": "banks",
  "card-accounts": "cards",
  "ap-cards": "ap-cards",
  "chart-of-accounts": "chart-of-accounts",
  bills: "bills",
  "vendor-credits": "vendor-credits",
  payments: "payments",
  items: "items",
  customers: "customers",
  departments: "departments",
  jobs: "jobs",
  locations: "locations",
  "accounting-classes": "accounting-classes",
  employees: "employees"
}
