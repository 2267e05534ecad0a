import { it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { expect } from "vitest"
import { agingCsv, errorsCsv } from "../../src/ledger/csv.ts"
import { renderHtml } from "../../src/ledger/html.ts"
import { collectHtmlInput } from "../../src/ledger/report-data.ts"
import { IntegrationErrors } from "../../src/store/integration-errors.ts"
import { LedgerPayables } from "../../src/store/ledger-payables.ts"
import { withBrowser } from "../support/browser.ts"
import { AS_OF, reportFixture, ReportTest } from "./report-fixture.ts"
import { billLine, billWrite } from "./support.ts"

/** Where the page, its CSV files and screenshots land (kept for a human to look at; CI can upload them). */
const OUT = join(process.cwd(), ".billsync", "test-artifacts")

/**
 * The report fixture plus what a controller's real AP looks like: a vendor whose unapplied payment
 * exceeds its (90+ days) bill, so its net is negative and "Over 90" is more than open AP; a vendor
 * netting to zero; errors on records named only by their Bill.com ids, two of them with one cause.
 */
const controllerFixture = Effect.gen(function* () {
  const { f, pipeline } = yield* reportFixture
  const sql = yield* SqlClient.SqlClient
  const payables = yield* LedgerPayables
  const [northwind, zero] = (yield* sql<{ id: string }>`INSERT INTO vendors ${sql.insert([
    { company_id: f.companyId, key: "V-0004", name: "Northwind Freight", billcom_id: "009V-0004" },
    { company_id: f.companyId, key: "V-0005", name: "Zero Net Supplies", billcom_id: "009V-0005" }
  ])} RETURNING id::text`).map((r) => Number(r.id))
  yield* sql.withTransaction(
    Effect.gen(function* () {
      yield* payables.writeBills(f.companyId, [
        billWrite({ billcomId: "00n02NWF", vendorId: northwind!, invoiceNumber: "NW-1001", invoiceDate: "2024-12-01", dueDate: "2025-01-15", amount: "1000.00", lines: [billLine(1, f.expenses[0]!, "1000.00")] }),
        billWrite({ billcomId: "00n02ZRO", vendorId: zero!, invoiceNumber: "ZN-5", invoiceDate: "2025-06-01", dueDate: "2025-06-15", amount: "300.00", lines: [billLine(1, f.expenses[1]!, "300.00")] })
      ])
      yield* payables.writeVendorPayments(f.companyId, [{
        billcomId: "stp02NWP", vendorId: northwind!, processDate: "2025-05-01", amount: "4000.00", fundingAccountId: f.bankAccount, cashAccountId: f.bank,
        status: "PAID", description: null, updatedTime: null, applications: []
      }])
      yield* payables.writeVendorCredits(f.companyId, [{
        billcomId: "vcr02ZRO", vendorId: zero!, referenceNumber: "ZN-CM-1", creditDate: "2025-06-01", amount: "300.00", appliedAmount: "0.00",
        status: "NOT_APPLIED", description: null, archived: false, updatedTime: null,
        lines: [{ line_no: 1, billcom_id: null, account_id: f.expenses[1]!, item_id: null, customer_id: null, dimension_ids: [], description: null, amount: "300.00" }]
      }])
    })
  )
  // The records behind the errors, as the sync stores them when pulled (the failing ones never reach the ledger).
  const raw = (kind: string, id: string, value: unknown) =>
    sql`INSERT INTO source_records (integration_id, kind, billcom_id, raw, content_hash, outcome) VALUES (${f.integrationId}, ${kind}, ${id}, ${JSON.stringify(value)}::jsonb, ${id}, 'error')
      ON CONFLICT (integration_id, kind, billcom_id) DO UPDATE SET raw = EXCLUDED.raw`
  yield* raw("bill", "00n02UNM", { id: "00n02UNM", vendorId: "00902XYZ", vendorName: "Acme Unmapped Corp", invoice: { invoiceNumber: "AUC-77" } })
  yield* raw("bill", "00n02UN2", { id: "00n02UN2", vendorId: "00902XYZ", vendorName: "Acme Unmapped Corp", invoice: { invoiceNumber: "AUC-78" } })
  yield* raw("vendor", "00902QQQ", { id: "00902QQQ", name: "Summit Components" })
  yield* raw("payment", "stp02BAD", { id: "stp02BAD", vendorId: "00902QQQ", amount: 55, processDate: "2025-06-02", billId: "00n02UNM" })
  const [run] = yield* sql<{ id: string }>`SELECT max(id)::text AS id FROM sync_runs WHERE integration_id = ${f.integrationId}`
  // A quick run: start and finish fall in the same second (run times are stored to the second), its stage took 1.5 s.
  const [quick] = yield* sql<{ id: string }>`INSERT INTO sync_runs (integration_id, kind, status, stages, started_at, finished_at, api_calls)
    VALUES (${f.integrationId}, 'full', 'succeeded', ${["bills"]}, '2025-06-30T11:00:00Z', '2025-06-30T11:00:00Z', 3) RETURNING id::text`
  yield* sql`INSERT INTO sync_run_stages ${sql.insert({ run_id: quick!.id, stage: "bills", position: 4, status: "succeeded", pulled: 0, inserted: 0, errors: 0, duration_ms: 1500 })}`
  yield* (yield* IntegrationErrors).record(f.integrationId, Number(run!.id), [
    { stage: "bills", kind: "bill", billcomId: "00n02UN2", code: "bill-unmapped", symptom: "Bills do not import", cause: "vendor / item / classification mappings are missing", resolution: "Map vendor 00902XYZ in mappings/demo/vendors.yaml", message: "unmapped: vendor 00902XYZ (Acme Unmapped Corp)", detail: null }
  ])
  return { f, pipeline }
})

it.layer(ReportTest, { timeout: "180 seconds" })("HTML report", (it) => {
  it.effect("a controller's view in headless Chromium: every vendor, Over 90 explained, drill-down to bills, errors by cause, print, CSV", () =>
    Effect.gen(function* () {
      const { pipeline } = yield* controllerFixture
      const input = yield* collectHtmlInput(pipeline, "fixture-co", AS_OF)
      const html = renderHtml({ ...input, csv: true })
      // Self-contained: no script, stylesheet, image or font is fetched from anywhere.
      expect(html).not.toMatch(/<script|<link|<img|@import|url\(|src=/i)
      mkdirSync(OUT, { recursive: true })
      const file = join(OUT, "report.html")
      writeFileSync(file, html)
      writeFileSync(join(OUT, "aging.csv"), agingCsv(input.aging))
      writeFileSync(join(OUT, "errors.csv"), errorsCsv(input.openErrors, input.errorContext))

      const seen = yield* withBrowser((browser) =>
        Effect.promise(async () => {
          const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
          const requests: Array<string> = []
          page.on("request", (r) => requests.push(r.url()))
          await page.goto(`file://${file}`)
          const text = await page.locator("body").innerText()
          const chartLabels = await page.locator("#aging-chart text").allTextContents()
          const agingRows = await page.locator("#aging > tbody > tr").allInnerTexts()
          const over90 = { visible: await page.locator("#over90-note").isVisible(), text: await page.locator("#over90-note").innerText() }
          // Drill-down: Northwind's bills are hidden until its name is clicked.
          const drill = page.locator("#vendor-V-0004 table.items")
          const beforeClick = await drill.isVisible()
          await page.locator("#aging summary", { hasText: "Northwind Freight (V-0004)" }).click()
          const afterClick = await drill.isVisible()
          const drillRows = await drill.locator("tbody tr").allInnerTexts()
          await page.screenshot({ path: join(OUT, "report.png"), fullPage: true })
          const groups = await page.locator("#open-errors .error-group").allInnerTexts()
          const groupTitles = await page.locator("#open-errors .error-group h3").allInnerTexts()
          const csvLinks = await page.locator(".downloads a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))
          const printHiddenBefore = await page.locator("#open-items-print").isVisible()
          await page.emulateMedia({ media: "print" })
          const print = {
            appendix: await page.locator("#open-items-print").isVisible(),
            appendixText: await page.locator("#open-items-print").innerText(),
            downloads: await page.locator(".downloads").isVisible()
          }
          await page.screenshot({ path: join(OUT, "report-print.png"), fullPage: true })
          return { text, chartLabels, agingRows, over90, beforeClick, afterClick, drillRows, groups, groupTitles, csvLinks, printHiddenBefore, print, requests }
        })
      )
      expect(seen.requests.filter((u) => !u.startsWith("file://"))).toEqual([])
      expect(seen.text).toContain(`billsync report — ${pipeline}`)
      expect(seen.text).toContain("170.00 USD") // open AP card: 3,170.00 − 3,000.00 (Northwind) + 0.00 (Zero Net)
      expect(seen.text).toContain("all hold")

      // Every vendor of the aging, in the chart and the table, whatever the sign of its net.
      for (const name of ["Evergreen Catering", "Crescent Paper", "Summit Components", "Northwind Freight", "Zero Net Supplies"]) {
        expect(seen.chartLabels, name).toContain(name)
      }
      expect(seen.chartLabels).toContain("net -3,000.00")
      expect(seen.chartLabels).toContain("net 0.00")
      expect(seen.agingRows).toHaveLength(5)
      expect(seen.agingRows.find((r) => r.includes("Northwind Freight"))).toMatch(/0\.00\s+0\.00\s+0\.00\s+0\.00\s+1,000\.00\s+-4,000\.00\s+-3,000\.00/)
      expect(seen.agingRows.find((r) => r.includes("Zero Net Supplies"))).toMatch(/300\.00\s+0\.00\s+0\.00\s+0\.00\s+-300\.00\s+0\.00$/)

      // Over 90 (510 + 1,000) is more than open AP (170), and the page says why.
      expect(seen.over90.visible).toBe(true)
      expect(seen.over90.text).toContain("Over 90 days (1,510.00) is more than open AP (170.00) because 4,360.00 of vendor credits and payments are not applied to any bill")

      // A click on a vendor opens its open items.
      expect(seen.beforeClick).toBe(false)
      expect(seen.afterClick).toBe(true)
      expect(seen.drillRows).toHaveLength(2)
      expect(seen.drillRows[0]).toMatch(/Invoice NW-1001\s+2025-01-15\s+166\s+Over 90 days\s+1,000\.00/)
      expect(seen.drillRows[1]).toMatch(/Payment not applied to a bill in the ledger.*Unapplied\s+-4,000\.00/)

      // Errors grouped by cause, named by vendor and document, one resolution per group, no internal ids.
      expect(seen.groupTitles).toEqual(["Bills do not import 2 record(s)", "Vendor payment fails 1 record(s)"])
      expect(seen.groups[0]).toMatch(/Acme Unmapped Corp\s+invoice AUC-77/)
      expect(seen.groups[0]).toMatch(/Acme Unmapped Corp\s+invoice AUC-78/)
      expect(seen.text.split("Map vendor 00902XYZ in mappings/demo/vendors.yaml").length - 1).toBe(1)
      expect(seen.groups[1]).toMatch(/Summit Components\s+payment of 55 on 2025-06-02 \(invoice AUC-77\)/)
      for (const id of ["00n02UNM", "00n02UN2", "stp02BAD", "00n02NWF"]) expect(seen.text, id).not.toContain(id)

      // Nothing left as a placeholder, no meaningless durations.
      expect(seen.text).not.toContain("<pipeline>")
      expect(seen.text).toContain(`billsync mappings suggest ${pipeline}`)
      expect(seen.text).not.toMatch(/\b0 ms\b/)
      expect(seen.text).toMatch(/\d+\s+full\s+succeeded_with_errors\s+2025-06-30 10:00:00\s+42\.0 s/)
      expect(seen.text).toMatch(/\d+\s+full\s+succeeded\s+2025-06-30 11:00:00\s+1\.5 s/)

      // Print: every vendor's open items in an appendix; the download links are not printed.
      expect(seen.printHiddenBefore).toBe(false)
      expect(seen.print).toMatchObject({ appendix: true, downloads: false })
      expect(seen.print.appendixText).toContain("Northwind Freight (V-0004) — net -3,000.00")
      expect(seen.print.appendixText).toContain("Invoice ZN-5")

      // CSV of the aging and of the errors, linked from the page.
      expect(seen.csvLinks).toEqual(["aging.csv", "errors.csv"])
      const aging = readFileSync(join(OUT, "aging.csv"), "utf8").split("\r\n")
      expect(aging[0]).toBe("vendor_key,vendor,current,1-30,31-60,61-90,90+,unapplied,total,currency,as_of")
      expect(aging).toContain("V-0004,Northwind Freight,0.00,0.00,0.00,0.00,1000.00,-4000.00,-3000.00,USD,2025-06-30")
      const errors = readFileSync(join(OUT, "errors.csv"), "utf8")
      expect(errors).toContain("bill-unmapped,Bills do not import,vendor / item / classification mappings are missing,Acme Unmapped Corp,invoice AUC-78,")
    })
  )
})
