import { Schema } from "effect"

/**
 * Building blocks of the Bill.com schemas: optional fields, timestamps, tolerant enums, branded ids
 * (v2 objects and the session), business dates and instants. Bill.com omits unpopulated keys (§2.2),
 * so almost every field is optional.
 */

/** An optional field that also accepts null (read as absent): the v2 objects and the session. */
export const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

/**
 * An optional field of a v3 record that may be null, kept as sent (null stays null): the records the
 * sync stores and re-evaluates are decoded as leniently as Bill.com is inconsistent — a key absent,
 * null or of an unknown enum value is not an invalid record; only a wrong JSON type is.
 */
export const maybe = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** A record id: a non-empty string. */
export const RecordId = Schema.String.pipe(Schema.minLength(1))

/** A business date as Bill.com sends it: the first 10 characters when they are YYYY-MM-DD (never converted through an instant). */
export const businessDate = (s: string | null | undefined): string | undefined => {
  if (s === null || s === undefined) return undefined
  const day = s.slice(0, 10)
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined
}

/** A Bill.com timestamp as UTC ISO text with an explicit Z, or undefined when unparseable. */
export const utcInstant = (s: string | null | undefined): string | undefined => {
  if (s === null || s === undefined) return undefined
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
}

/** createdTime / updatedTime: "2024-10-16T13:36:31.000+00:00" (v3) or "…+0000" (v2) → DateTime.Utc. */
export const Timestamp = Schema.DateTimeUtc

/** A known set of values plus any other string (Bill.com adds enum values without notice). */
export const tolerant = <const L extends ReadonlyArray<string>>(...values: L) =>
  Schema.Union(Schema.Literal(...values), Schema.String).annotations({
    description: `one of ${values.join(", ")} (others tolerated)`
  })

const id = <B extends string>(brand: B) => Schema.String.pipe(Schema.minLength(1), Schema.brand(brand))

export const OrganizationId = id("OrganizationId")
export const UserId = id("UserId")
export const VendorId = id("VendorId")
export const CustomerId = id("CustomerId")
export const BillId = id("BillId")
export const BillLineItemId = id("BillLineItemId")
export const VendorCreditId = id("VendorCreditId")
export const VendorCreditLineItemId = id("VendorCreditLineItemId")
export const PaymentId = id("PaymentId")
export const BillPaymentId = id("BillPaymentId")
export const ChartOfAccountId = id("ChartOfAccountId")
export const BankAccountId = id("BankAccountId")
export const CardAccountId = id("CardAccountId")
export const ApCardId = id("ApCardId")
export const ItemId = id("ItemId")
export const DepartmentId = id("DepartmentId")
export const JobId = id("JobId")
export const LocationId = id("LocationId")
export const AccountingClassId = id("AccountingClassId")
export const EmployeeId = id("EmployeeId")
export const DocumentId = id("DocumentId")

export type VendorId = typeof VendorId.Type
export type BillId = typeof BillId.Type
export type ChartOfAccountId = typeof ChartOfAccountId.Type
export type PaymentId = typeof PaymentId.Type
export type VendorCreditId = typeof VendorCreditId.Type

/** The v2 "no reference" id. */
export const V2_NONE = "00000000000000000000"

/** An amount: the JSON number as sent (exact: money.ts turns it into the ledger's decimal text). */
export const Money = Schema.Number

/** A record's fields every list shares. */
export const Common = {
  id: RecordId,
  archived: maybe(Schema.Boolean),
  updatedTime: maybe(Schema.String)
}
