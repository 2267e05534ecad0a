import { ParseResult, Schema } from "effect"

/**
 * Building blocks of the Bill.com schemas: exact money, branded ids, business dates, timestamps
 * and tolerant enums. Bill.com omits unpopulated keys (§2.2), so almost every field is optional,
 * and a null is read as "absent".
 */

/** An optional field that also accepts null (read as absent). */
export const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

const DECIMAL = /^-?\d+(\.\d+)?$/

/**
 * Expand a JS number's shortest round-trip text into plain decimal notation ("1e-7" →
 * "0.0000001"). No arithmetic happens on the value: 228.99 stays "228.99", never 228.98999….
 */
export const decimalText = (n: number): string => {
  const text = String(n)
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/i.exec(text)
  if (m === null) return text
  const [, sign = "", int = "", frac = "", expText = "0"] = m
  const digits = int + frac
  const point = int.length + Number(expText)
  const body =
    point <= 0
      ? `0.${"0".repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + "0".repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`
  return sign + body.replace(/^0+(?=\d)/, "")
}

export const MoneyString = Schema.String.pipe(Schema.pattern(DECIMAL), Schema.brand("Money"))
export type Money = typeof MoneyString.Type

/** Money: a JSON number (v3) or numeric string (v2) decoded to an exact decimal string. */
export const Money = Schema.transformOrFail(Schema.Union(Schema.Number, Schema.String), MoneyString, {
  strict: true,
  decode: (input, _, ast) => {
    if (typeof input === "number") {
      if (!Number.isFinite(input))
        return ParseResult.fail(new ParseResult.Type(ast, input, "money must be a finite number"))
      return ParseResult.succeed(MoneyString.make(decimalText(input)))
    }
    const trimmed = input.trim()
    return DECIMAL.test(trimmed)
      ? ParseResult.succeed(MoneyString.make(trimmed))
      : ParseResult.fail(new ParseResult.Type(ast, input, `money must be a decimal number, got "${input}"`))
  },
  encode: (money) => ParseResult.succeed(money as string)
}).annotations({ identifier: "Money" })

const DAY = /^(\d{4}-\d{2}-\d{2})(?:T.*)?$/

export const BusinessDateString = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/),
  Schema.brand("BusinessDate")
)
export type BusinessDate = typeof BusinessDateString.Type

/** A business date "YYYY-MM-DD" (dueDate, invoiceDate, creditDate, processDate); a timestamp quirk keeps its day. */
export const BusinessDate = Schema.transformOrFail(Schema.String, BusinessDateString, {
  strict: true,
  decode: (input, _, ast) => {
    const m = DAY.exec(input.trim())
    return m === null
      ? ParseResult.fail(new ParseResult.Type(ast, input, `expected a date YYYY-MM-DD, got "${input}"`))
      : ParseResult.succeed(BusinessDateString.make(m[1]!))
  },
  encode: (date) => ParseResult.succeed(date as string)
}).annotations({ identifier: "BusinessDate" })

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
