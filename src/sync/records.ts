/**
 * The Bill.com records the sync evaluates: the client's model (src/billcom/models), re-exported
 * under the names the stages use. No schema is defined here — the sync decodes a stored raw record
 * with the very schema the client decodes a pulled one with (test/billcom/one-model.test.ts).
 */
export { businessDate, utcInstant } from "../billcom/models/primitives.ts"
export { Bill, Line, LineClassifications, Payment, Vendor, VendorCredit } from "../billcom/models/payables.ts"
export {
  ApCard,
  BankAccount,
  CardAccount,
  ChartOfAccount,
  Classification,
  Customer,
  Document,
  Item
} from "../billcom/models/master.ts"
