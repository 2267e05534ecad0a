import { ParseResult, Schema } from "effect"
import { CHART_OF_ACCOUNT_TYPES } from "./master.ts"
import { BillId, ChartOfAccountId, opt, Timestamp, V2_NONE } from "./primitives.ts"

/**
 * Legacy v2 objects (§6.2–6.4): numeric-string enums mapped to the v3 spelling, `isActive` "1"/"2"
 * to `archived`, the all-zero id to absent.
 */

/** v2 bill approvalStatus (trust [V2-VT]): 0 UNASSIGNED, 1 ASSIGNED, 3 APPROVED, 4 APPROVING, 5 DENIED. */
export const V2_APPROVAL_STATUS: Readonly<Record<string, string>> = {
  "0": "UNASSIGNED",
  "1": "ASSIGNED",
  "3": "APPROVED",
  "4": "APPROVING",
  "5": "DENIED"
}

const approvalStatus = Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.String, {
  strict: true,
  decode: (code, _, ast) => {
    const v3 = V2_APPROVAL_STATUS[String(code)]
    return v3 === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, code, `unknown v2 approvalStatus "${code}" (known: 0, 1, 3, 4, 5)`))
      : ParseResult.succeed(v3)
  },
  encode: (v3, _, ast) => {
    const entry = Object.entries(V2_APPROVAL_STATUS).find(([, name]) => name === v3)
    return entry === undefined ? ParseResult.fail(new ParseResult.Type(ast, v3)) : ParseResult.succeed(entry[0])
  }
})

/** "1" active, "2" inactive (archived); bills also have "5" draft and "6" draft deleted. */
const isActiveToArchived = Schema.transform(Schema.String, Schema.Boolean, {
  strict: true,
  decode: (s) => s !== "1",
  encode: (archived) => (archived ? "2" : "1")
})

/** `Crud/Read/Bill.json` — only what approval enrichment needs; the rest of the v2 bill is tolerated. */
export class V2Bill extends Schema.Class<V2Bill>("V2Bill")({
  id: BillId,
  approvalStatus,
  archived: Schema.propertySignature(isActiveToArchived).pipe(Schema.fromKey("isActive")),
  updatedTime: opt(Timestamp)
}) {}

/**
 * `Crud/Read/VendorCredit.json` — only the exchange rate (v3 vendor credits carry none; v2 requires
 * `exchangeRate` to create a credit for an international vendor, [V2-VT]). Zero or absent = none.
 */
export class V2VendorCredit extends Schema.Class<V2VendorCredit>("V2VendorCredit")({
  id: Schema.String,
  exchangeRate: opt(Schema.Union(Schema.Number, Schema.NumberFromString))
}) {}

const accountType = Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.String, {
  strict: true,
  decode: (code, _, ast) => {
    const name = CHART_OF_ACCOUNT_TYPES[Number(code)]
    return name === undefined || String(code).trim() === ""
      ? ParseResult.fail(new ParseResult.Type(ast, code, `unknown v2 accountType "${code}" (known: 0–16)`))
      : ParseResult.succeed(name)
  },
  encode: (name) => ParseResult.succeed(String((CHART_OF_ACCOUNT_TYPES as ReadonlyArray<string>).indexOf(name)))
})

/** `Crud/Read/ChartOfAccount.json`, with `accountType` in the v3 spelling (§6.4). */
export class V2ChartOfAccount extends Schema.Class<V2ChartOfAccount>("V2ChartOfAccount")({
  id: ChartOfAccountId,
  name: opt(Schema.String),
  archived: Schema.propertySignature(isActiveToArchived).pipe(Schema.fromKey("isActive")),
  accountNumber: opt(Schema.String),
  accountType,
  description: opt(Schema.String),
  parentChartOfAccountId: opt(Schema.String),
  updatedTime: opt(Timestamp)
}) {
  /** The parent id, or undefined for v2's all-zero "no reference". */
  get parentId(): string | undefined {
    const p = this.parentChartOfAccountId
    return p === undefined || p === "" || p === V2_NONE ? undefined : p
  }
}
