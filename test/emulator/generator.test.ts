import { describe, expect, it } from "vitest"
import { generateOrganization } from "../../src/emulator/index.ts"
import { billDueCents, billPaymentStatus } from "../../src/emulator/organization.ts"
import { COLLECTIONS, OrgState } from "../../src/emulator/organization.ts"

describe("seeded organisation generator", () => {
  const org = generateOrganization({ seed: "gen", bills: 3000, vendors: 60 })
  const state = new OrgState(org, "gen")
  const all = COLLECTIONS.flatMap((c) => state.collection(c))

  it("mints well-formed, unique ids with the documented prefixes", () => {
    const ids = all.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{3}02[A-Za-z0-9]{15}$/)
    const prefixes: Record<string, string> = {
      vendors: "009",
      bills: "00n",
      payments: "stp",
      "vendor-credits": "vcr",
      "chart-of-accounts": "0ca",
      items: "0ii",
      customers: "0cu",
      banks: "bac",
      cards: "cat",
      users: "006",
      departments: "0de",
      jobs: "job",
      locations: "loc",
      "accounting-classes": "cls",
      employees: "emp"
    }
    for (const c of COLLECTIONS) for (const r of state.collection(c)) expect(r.id.slice(0, 3)).toBe(prefixes[c])
    const lineIds = org.bills.flatMap((b) => b.lines.map((l) => l.id))
    expect(new Set(lineIds).size).toBe(lineIds.length)
  })

  it("keeps timestamps before the as-of instant and updatedTime ≥ createdTime", () => {
    for (const r of all) {
      expect(r.createdTime).toBeLessThan(org.asOf)
      expect(r.updatedTime).toBeLessThan(org.asOf)
      expect(r.updatedTime).toBeGreaterThanOrEqual(r.createdTime)
    }
  })

  it("keeps amounts consistent, in whole cents", () => {
    const billsById = new Map(org.bills.map((b) => [b.id, b]))
    for (const b of org.bills) {
      expect(b.amountCents).toBe(b.lines.reduce((s, l) => s + l.amountCents, 0))
      for (const l of b.lines) expect(Number.isInteger(l.amountCents) && l.amountCents > 0).toBe(true)
      expect(billDueCents(b)).toBeGreaterThanOrEqual(0)
      // recomputing from payments and credit usage gives the stored amounts
      const copy = { ...b }
      state.recomputeBill(copy)
      expect([copy.clearedCents, copy.scheduledCents, copy.creditCents]).toEqual([
        b.clearedCents,
        b.scheduledCents,
        b.creditCents
      ])
    }
    for (const p of org.payments) {
      expect(p.amountCents).toBe(p.billPayments.reduce((s, bp) => s + bp.amountCents, 0))
      for (const bp of p.billPayments) expect(billsById.get(bp.billId)?.vendorId).toBe(p.vendorId)
    }
    for (const c of org.vendorCredits)
      expect(c.usage.reduce((s, u) => s + u.amountCents, 0)).toBeLessThanOrEqual(c.amountCents)
  })

  it("produces a realistic mix: mostly approved, every payment state, multi-bill payments, archived records", () => {
    const approval = new Map<string, number>()
    for (const b of org.bills) approval.set(b.approvalStatus, (approval.get(b.approvalStatus) ?? 0) + 1)
    expect(approval.get("APPROVED")! / org.bills.length).toBeGreaterThan(0.8)
    for (const s of ["UNASSIGNED", "ASSIGNED", "APPROVING", "DENIED"]) expect(approval.get(s), s).toBeGreaterThan(0)
    const statuses = new Set(org.bills.map(billPaymentStatus))
    expect([...statuses].sort()).toEqual(["PAID", "PARTIALLY_PAID", "SCHEDULED", "UNPAID"])
    expect(org.payments.some((p) => p.billPayments.length > 1)).toBe(true)
    expect(org.payments.some((p) => p.fundingType === "CARD_ACCOUNT")).toBe(true)
    expect(org.vendorCredits.some((c) => c.usage.length > 0)).toBe(true)
    expect(org.vendorCredits.some((c) => c.usage.some((u) => u.paymentId !== undefined))).toBe(true)
    for (const list of [org.vendors, org.bills, org.chartOfAccounts, org.items, org.customers])
      expect(list.some((r) => r.archived)).toBe(true)
    const years = new Set(org.bills.map((b) => new Date(b.invoiceDay * 86_400_000).getUTCFullYear()))
    expect([...years].sort()).toEqual([2022, 2023, 2024, 2025, 2026])
  })

  it("is clean by default and adds the anomalies only when asked", () => {
    const funding = new Set([...org.banks.map((b) => b.id), ...org.cards.map((c) => c.id)])
    expect(org.payments.every((p) => funding.has(p.fundingId ?? ""))).toBe(true)
    expect(all.every((r) => r.malformed === undefined)).toBe(true)
    const bad = generateOrganization({
      seed: "gen",
      bills: 3000,
      vendors: 60,
      anomalies: { unknownFundingPayment: true, malformedRecord: true, archivedVendorBill: true }
    })
    expect(bad.payments.filter((p) => !funding.has(p.fundingId ?? ""))).toHaveLength(1)
    expect(bad.bills.filter((b) => b.malformed !== undefined)).toHaveLength(1)
    expect(bad.bills).toHaveLength(org.bills.length + 1)
  })

  it("derives identical data from the same seed, including timestamps", () => {
    expect(JSON.stringify(generateOrganization({ seed: "gen", bills: 3000, vendors: 60 }))).toBe(JSON.stringify(org))
  })
})
