import { it } from "@effect/vitest"
import { Effect } from "effect"
import { expect } from "vitest"
import { fromCents, toCents } from "../../src/ledger/money.ts"
import {
  agingJson,
  agingTable,
  markdownTable,
  textTable,
  trialBalanceJson,
  trialBalanceTable
} from "../../src/ledger/render.ts"
import { bucketKeys, bucketOf, bucketsProblem, Reports } from "../../src/ledger/reports.ts"
import { AS_OF, reportFixture, ReportTest } from "./report-fixture.ts"

it("buckets: due today is current; 30 → 1–30; 31 → 31–60; 60; 61 → 61–90; 91 → 90+", () => {
  expect([-5, 0, 1, 30, 31, 60, 61, 90, 91].map((d) => bucketOf(d))).toEqual([
    "current",
    "current",
    "1-30",
    "1-30",
    "31-60",
    "31-60",
    "61-90",
    "61-90",
    "90+"
  ])
})

it("configurable buckets: --buckets 15,45 → current, 1–15, 16–45, 45+; a bad list is refused with the reason", () => {
  expect(bucketKeys([15, 45])).toEqual(["current", "1-15", "16-45", "45+"])
  expect([0, 15, 16, 45, 46].map((d) => bucketOf(d, [15, 45]))).toEqual(["current", "1-15", "16-45", "16-45", "45+"])
  expect(bucketsProblem([30, 60, 90])).toBeUndefined()
  expect(bucketsProblem([60, 30])).toMatch(/ascending/)
  expect(bucketsProblem([0, 30])).toMatch(/whole numbers/)
  expect(bucketsProblem([])).toMatch(/at least one/)
})

it.layer(ReportTest, { timeout: "120 seconds" })("reports over the journal", (it) => {
  it.effect(
    "AP aging by vendor as of a date: bucket edges, partial payments, applied and unapplied credits, later bills excluded",
    () =>
      Effect.gen(function* () {
        const { f } = yield* reportFixture
        const aging = yield* (yield* Reports).aging(f.companyId, "USD", AS_OF)
        const json = agingJson(aging)
        expect(json.vendors.map((v) => [v.vendor, v.buckets, v.total])).toEqual([
          [
            "V-0001",
            {
              current: "1000.00",
              "1-30": "200.00",
              "31-60": "0.00",
              "61-90": "0.00",
              "90+": "0.00",
              unapplied: "-50.00"
            },
            "1150.00"
          ],
          [
            "V-0002",
            { current: "0.00", "1-30": "0.00", "31-60": "910.00", "61-90": "0.00", "90+": "0.00", unapplied: "0.00" },
            "910.00"
          ],
          [
            "V-0003",
            {
              current: "0.00",
              "1-30": "0.00",
              "31-60": "0.00",
              "61-90": "610.00",
              "90+": "510.00",
              unapplied: "-10.00"
            },
            "1110.00"
          ]
        ])
        expect(json.totals).toEqual({
          current: "1000.00",
          "1-30": "200.00",
          "31-60": "910.00",
          "61-90": "610.00",
          "90+": "510.00",
          unapplied: "-60.00",
          total: "3170.00",
          scheduled: "0.00"
        })
        const d91 = json.vendors[2]!.items.find((i) => i.billcomId === "00n02D91")!
        expect([d91.daysPastDue, d91.open, d91.bucket]).toEqual([91, "510.00", "90+"])

        // A later date: the July bill appears (current), everything else ages by 31 more days.
        const later = agingJson(yield* (yield* Reports).aging(f.companyId, "USD", "2025-07-31"))
        expect(later.totals).toEqual({
          current: "5000.00",
          "1-30": "0.00",
          "31-60": "1000.00",
          "61-90": "510.00",
          "90+": "1720.00",
          unapplied: "-60.00",
          total: "8170.00",
          scheduled: "0.00"
        })

        const text = textTable(agingTable(aging))
        expect(text).toContain("AP aging as of 2025-06-30")
        expect(text).toMatch(
          /Evergreen Catering \(V-0001\)\s+1,000\.00\s+200\.00\s+0\.00\s+0\.00\s+0\.00\s+-50\.00\s+1,150\.00/
        )
        const md = markdownTable(agingTable(aging))
        expect(md.split("\n").slice(0, 4)).toEqual([
          "### AP aging as of 2025-06-30 (USD, days past due)",
          "",
          "| Vendor | Current | 1–30 | 31–60 | 61–90 | 90+ | Unapplied | Total | Scheduled |",
          "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        ])
        expect(md).toContain(
          "| **Total** | **1,000.00** | **200.00** | **910.00** | **610.00** | **510.00** | **-60.00** | **3,170.00** | **0.00** |"
        )
      })
  )

  it.effect("trial balance as of a date balances, and its AP line equals the aging total", () =>
    Effect.gen(function* () {
      const { f } = yield* reportFixture
      const reports = yield* Reports
      for (const date of ["2025-01-31", AS_OF, "2025-12-31"]) {
        const tb = trialBalanceJson(yield* reports.trialBalance(f.companyId, "USD", date))
        expect(tb.balanced).toBe(true)
        const ap = tb.accounts.find((a) => a.number === "2000")
        const aging = agingJson(yield* reports.aging(f.companyId, "USD", date))
        expect(fromCents(-toCents(ap?.balance ?? "0"))).toBe(aging.totals["total"])
      }
      const tb = yield* reports.trialBalance(f.companyId, "USD", AS_OF)
      const text = textTable(trialBalanceTable(tb))
      expect(text).toMatch(/2000\s+Accounts Payable\s+accounts-payable\s+3,170\.00/)
      expect(text).not.toContain("OUT OF BALANCE")
    })
  )
})
