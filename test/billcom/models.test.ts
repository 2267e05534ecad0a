import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import fc from "fast-check"
import { V2Bill, V2ChartOfAccount } from "../../src/billcom/models/legacy.ts"
import { Payment, Bill } from "../../src/billcom/models/payables.ts"
import { toMoney } from "../../src/billcom/models/money.ts"
import { businessDate } from "../../src/billcom/models/primitives.ts"
import { decodePulled } from "../../src/billcom/pulled.ts"

describe("money, exactly", () => {
  it("an amount decodes to the JSON number; toMoney gives its cents in decimal, never through float arithmetic", () => {
    expect(toMoney(228.99)).toBe("228.99")
    expect(toMoney(JSON.parse("0.1"))).toBe("0.10")
    expect(toMoney(149)).toBe("149.00")
    expect(toMoney(-14.99)).toBe("-14.99")
    // 228.995 is 228.99499999… in binary: rounding its decimal text gives the half-up cent.
    expect(toMoney(228.995)).toBe("229.00")
    expect(toMoney(1.5e-7)).toBe("0.00")
    expect(() => toMoney(Number.NaN)).toThrow()
  })
  it("a string, NaN-free or not, is not an amount (v3 sends numbers: a string amount is an invalid record)", () => {
    const base = { id: "00n02AAAAAAAAAAAAAAA", vendorId: "00902AAAAAAAAAAAAAAA" }
    expect(Either.isLeft(Schema.decodeUnknownEither(Bill)({ ...base, amount: "12.50" }))).toBe(true)
    expect(Either.isLeft(Schema.decodeUnknownEither(Bill)({ ...base, amount: true }))).toBe(true)
    expect(Either.isRight(Schema.decodeUnknownEither(Bill)({ ...base, amount: null }))).toBe(true)
  })
  it("two-decimal amounts as Bill.com renders them keep their cents (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000_000_00, max: 10_000_000_00 }), (cents) => {
        const text = toMoney(cents / 100)
        const [whole = "", frac = ""] = text.replace("-", "").split(".")
        expect(BigInt(whole) * 100n + BigInt(frac.padEnd(2, "0"))).toBe(BigInt(Math.abs(cents)))
      })
    )
  })
})

describe("dates and enums", () => {
  it("business dates stay YYYY-MM-DD; a timestamp quirk keeps its day; anything else is no date", () => {
    expect(businessDate("2026-12-15")).toBe("2026-12-15")
    expect(businessDate("2026-12-15T00:00:00.000Z")).toBe("2026-12-15")
    expect(businessDate("15/12/2026")).toBeUndefined()
  })
  it("payment status is kept as sent (CANCELED and CANCELLED alike); unknown enum values are tolerated", () => {
    const base = { id: "stp02AAAAAAAAAAAAAAA", vendorId: "00902AAAAAAAAAAAAAAA", processDate: "2026-01-02", amount: 5 }
    expect(Schema.decodeUnknownSync(Payment)({ ...base, status: "CANCELED" }).status).toBe("CANCELED")
    expect(Schema.decodeUnknownSync(Payment)({ ...base, status: "SOMETHING_NEW" }).status).toBe("SOMETHING_NEW")
  })
})

describe("decodePulled", () => {
  const bill = {
    id: "00n02AAAAAAAAAAAAAAA",
    archived: false,
    vendorId: "00902AAAAAAAAAAAAAAA",
    amount: 228.99,
    invoice: { invoiceNumber: "1", invoiceDate: "2026-12-15" },
    billLineItems: [{ id: "bli02AAAAAAAAAAAAAAA", amount: 228.99 }],
    updatedTime: "2024-10-16T13:36:31.000+00:00",
    someFieldBillcomAddedLater: { x: 1 }
  }
  it("a valid record keeps its raw JSON; unknown fields are tolerated", () => {
    const p = decodePulled(Bill)(bill)
    expect(p._tag).toBe("Valid")
    if (p._tag === "Valid") {
      expect(p.value.amount).toBe(228.99)
      expect(p.value.billLineItems?.[0]?.amount).toBe(228.99)
      expect(p.value.invoice?.invoiceDate).toBe("2026-12-15")
      expect(p.raw).toBe(bill)
    }
  })
  it("a malformed record becomes Invalid with its id, raw JSON and the failing path", () => {
    const raw = { ...bill, amount: "n/a", archived: "yes" }
    const p = decodePulled(Bill)(raw)
    expect(p._tag).toBe("Invalid")
    if (p._tag === "Invalid") {
      expect(p.id).toBe(bill.id)
      expect(p.raw).toBe(raw)
      expect(p.error).toContain("amount")
      expect(p.error).toContain("archived")
    }
    const noId = decodePulled(Bill)({ amount: 1 })
    expect(noId._tag === "Invalid" && noId.id === undefined).toBe(true)
  })
})

describe("v2 objects", () => {
  it("maps v2 approvalStatus codes to the v3 spelling ([V2-VT]: 0,1,3,4,5)", () => {
    const read = (code: string) =>
      Schema.decodeUnknownSync(V2Bill)({
        entity: "Bill",
        id: "00n02AAAAAAAAAAAAAAA",
        isActive: "1",
        approvalStatus: code
      }).approvalStatus
    expect(["0", "1", "3", "4", "5"].map(read)).toEqual(["UNASSIGNED", "ASSIGNED", "APPROVED", "APPROVING", "DENIED"])
    expect(
      Either.isLeft(
        Schema.decodeUnknownEither(V2Bill)({ id: "00n02AAAAAAAAAAAAAAA", isActive: "1", approvalStatus: "2" })
      )
    ).toBe(true)
  })
  it("maps v2 chart-of-account types, isActive and the all-zero parent", () => {
    const coa = Schema.decodeUnknownSync(V2ChartOfAccount)({
      entity: "ChartOfAccount",
      id: "0ca02AAAAAAAAAAAAAAA",
      isActive: "2",
      name: "Travel",
      accountNumber: "6100",
      accountType: "7",
      parentChartOfAccountId: "00000000000000000000",
      updatedTime: "2024-07-30T23:00:32.000+0000"
    })
    expect(coa.accountType).toBe("EXPENSE")
    expect(coa.archived).toBe(true)
    expect(coa.parentId).toBeUndefined()
    expect(coa.updatedTime?.epochMillis).toBe(Date.parse("2024-07-30T23:00:32.000Z"))
  })
})
